import type { SendRequest } from '@workbench/lab-common';
import { reconnectDelay, retryableStatus, RunEventStream, type StreamState } from './run-events';
import type { RunEvent } from './types';

const encoder = new TextEncoder();
const sse = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
const line = (seq: number, text: string, taskId = 'extract') => sse('log', { taskId, attempt: 1, seq, at: '2026-03-03T06:00:01.000Z', stream: 'stdout', cell: 1, text });

/** A response whose body delivers `chunks` (bytes cut anywhere), then closes. */
function streamed(chunks: string[], status = 200): Response {
  const bytes = encoder.encode(chunks.join(''));
  // Cut the bytes at the chunk boundaries, plus once inside a multi-byte character when there is one.
  const cuts: number[] = [];
  let at = 0;
  for (const c of chunks) cuts.push((at += encoder.encode(c).length));
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let from = 0;
      for (const to of cuts) {
        const piece = bytes.slice(from, to);
        const mid = piece.indexOf(0xc3);
        if (mid > 0) {
          controller.enqueue(piece.slice(0, mid + 1));
          controller.enqueue(piece.slice(mid + 1));
        } else controller.enqueue(piece);
        from = to;
      }
      controller.close();
    },
  });
  return new Response(body, { status, headers: { 'Content-Type': 'text/event-stream' } });
}

interface Harness {
  stream: RunEventStream;
  events: RunEvent[];
  states: StreamState[];
  sleeps: number[];
  requests: RequestInit[];
}

/** A stream over `answers`, one per connection; sleeps resolve at once but are recorded. */
function harness(answers: (() => Response | Promise<Response>)[]): Harness {
  const h: Harness = { events: [], states: [], sleeps: [], requests: [], stream: null! };
  const send: SendRequest = async (_url, init) => {
    h.requests.push(init);
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return next();
  };
  h.stream = new RunEventStream({
    send,
    url: 'http://h/api/runs/r1/events',
    onEvent: (e) => h.events.push(e),
    onState: (s) => h.states.push(s),
    random: () => 0.5,
    sleep: async (ms) => void h.sleeps.push(ms),
  });
  return h;
}

describe('RunEventStream', () => {
  it('delivers the events in order until `end`, with bytes cut mid-event and mid-character', async () => {
    const h = harness([() => streamed([sse('run', { id: 'r1', status: 'running', finishedAt: null, error: null }).slice(0, 17), sse('run', { id: 'r1', status: 'running', finishedAt: null, error: null }).slice(17) + line(1, 'héllo').slice(0, 40), line(1, 'héllo').slice(40), sse('end', { status: 'succeeded' })])]);
    await h.stream.start();
    expect(h.events.map((e) => e.type)).toEqual(['run', 'log', 'end']);
    expect(h.events[1]).toMatchObject({ type: 'log', line: { seq: 1, text: 'héllo' } });
    expect(h.states).toEqual(['connecting', 'open', 'ended']);
    expect(h.requests[0]).toMatchObject({ method: 'GET', cache: 'no-cache', headers: { Accept: 'text/event-stream' } });
  });

  it('reconnects when the stream drops before `end`, without repeating the lines it already delivered', async () => {
    const h = harness([
      () => streamed([line(1, 'one'), line(2, 'two')]),
      // The server sends the stored lines again, then more.
      () => streamed([line(1, 'one'), line(2, 'two'), line(3, 'three'), line(1, 'b-one', 'b'), sse('end', { status: 'succeeded' })]),
    ]);
    await h.stream.start();
    expect(h.events.filter((e) => e.type === 'log').map((e) => (e.type === 'log' ? `${e.line.taskId}:${e.line.seq}` : ''))).toEqual(['extract:1', 'extract:2', 'extract:3', 'b:1']);
    expect(h.states).toEqual(['connecting', 'open', 'retrying', 'open', 'ended']);
    // Something arrived before the drop: the wait starts again from the first step.
    expect(h.sleeps).toEqual([reconnectDelay(0, () => 0.5)]);
  });

  it('backs off while the server is unreachable or answers 503, then follows again', async () => {
    const down = async (): Promise<Response> => {
      throw new TypeError('fetch failed');
    };
    const h = harness([down, () => new Response('{"message":"Cannot stream: busy"}', { status: 503 }), down, () => streamed([sse('end', { status: 'failed' })])]);
    await h.stream.start();
    expect(h.sleeps).toEqual([0, 1, 2].map((n) => reconnectDelay(n, () => 0.5)));
    expect(h.states.at(-1)).toBe('ended');
  });

  it('stops on a refusal that will not change (404) and on an event that is not what the API says', async () => {
    const errors: unknown[] = [];
    const notFound = new RunEventStream({ send: async () => new Response('{"message":"Cannot find run r1: no such run"}', { status: 404 }), url: 'u', onEvent: () => undefined, onState: (s, e) => void (s === 'failed' && errors.push(e)) });
    await notFound.start();
    expect(errors).toEqual([expect.objectContaining({ kind: 'not_found', status: 404, message: 'Cannot find run r1: no such run' })]);
    const bad = harness([() => streamed([sse('log', { taskId: 1 })])]);
    await bad.stream.start();
    expect(bad.states).toEqual(['connecting', 'open', 'failed']);
    expect(bad.sleeps).toEqual([]);
  });

  it('dispose aborts the request in flight and ends the loop', async () => {
    let aborted: AbortSignal | undefined;
    let answer: (r: Response) => void = () => undefined;
    const stream = new RunEventStream({
      send: (_url, init) => {
        aborted = init.signal ?? undefined;
        return new Promise<Response>((resolve, reject) => {
          answer = resolve;
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        });
      },
      url: 'u',
      onEvent: () => undefined,
    });
    const done = stream.start();
    stream.dispose();
    await done;
    expect(aborted?.aborted).toBe(true);
    expect(stream.isDisposed).toBe(true);
    answer(streamed([]));
  });

  it('waits exponentially, capped, with jitter', () => {
    expect(reconnectDelay(0, () => 0)).toBe(500);
    expect(reconnectDelay(0, () => 0.999999)).toBe(1000);
    expect(reconnectDelay(3, () => 0)).toBe(4000);
    expect(reconnectDelay(40, () => 0.999999)).toBe(30000);
    expect(reconnectDelay(40, () => 0)).toBe(15000);
    expect([500, 503, 408, 429].every(retryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409].some(retryableStatus)).toBe(false);
  });
});
