/**
 * parsePipeline on seeded random damage to a valid file: it either parses
 * or throws PipelineSpecError with placed issues, never anything else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipeline } from './parse-pipeline';
import { PipelineSpecError } from './spec-issue';

/** mulberry32: a small seeded generator, so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Without its holiday calendar, whose check (loading date-holidays' data) dominates the time of a parse.
const EXAMPLE = readFileSync(join(__dirname, 'testdata', 'month-end-close.pipeline.yaml'), 'utf8').replace(/ *holidays:.*\n/, '');
const JUNK = ['\t', ' ', ':', '-', '[', ']', '{', '}', '"', "'", '#', '\n', '&a', '*a', '!!str ', '..', '/', '{{', '}}', '0', 'null', 'true', 'x'];

describe('parsePipeline on damaged files', () => {
  it('parses the example itself', () => {
    expect(() => parsePipeline(EXAMPLE, 'f.pipeline.yaml')).not.toThrow();
  });

  it.each([1, 2, 3, 4, 5, 6])('seed %i: 50 damaged copies parse or fail with placed issues', (seed) => {
    const rnd = random(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
    for (let n = 0; n < 50; n++) {
      let text = EXAMPLE;
      const edits = 1 + Math.floor(rnd() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rnd() * text.length);
        const kind = rnd();
        if (kind < 0.33) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 8));
        else if (kind < 0.66) text = text.slice(0, at) + pick(JUNK) + text.slice(at);
        else {
          const lines = text.split('\n');
          const i = Math.floor(rnd() * lines.length);
          const j = Math.floor(rnd() * lines.length);
          [lines[i], lines[j]] = [lines[j]!, lines[i]!];
          text = lines.join('\n');
        }
      }
      const lineCount = text.split('\n').length;
      try {
        parsePipeline(text, 'f.pipeline.yaml');
      } catch (err) {
        if (!(err instanceof PipelineSpecError)) throw new Error(`seed ${seed} copy ${n}: ${String(err)}\n${text}`);
        expect(err.issues.length).toBeGreaterThan(0);
        for (const issue of err.issues) {
          expect(issue.line).toBeGreaterThanOrEqual(1);
          expect(issue.line).toBeLessThanOrEqual(lineCount);
          expect(issue.column).toBeGreaterThanOrEqual(1);
          expect(issue.message).not.toBe('');
        }
      }
    }
  });
});
