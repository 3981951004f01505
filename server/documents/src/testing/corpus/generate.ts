/**
 * The generated corpus: `count` receipts and bills for a seed, written to
 * `dir` with a `truth.json` manifest. A manifest for the same seed, count and
 * generator version whose files are all there is reused (no Chromium start).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { documentSpec, type DocumentKind, type Layout, type Truth } from './documents';
import { CorpusRenderer } from './render';

/** Bump when the documents or their rendering change, so caches are rebuilt. */
export const CORPUS_VERSION = 4;

export interface CorpusDocument {
  id: string;
  /** absolute path of the file */
  file: string;
  mediaType: 'application/pdf' | 'image/png' | 'image/jpeg';
  layout: Layout;
  kind: DocumentKind;
  /** hard = a degraded scan (rotated, noisy, blurred); standard = a clean image or a text PDF */
  difficulty: 'standard' | 'hard';
  truth: Truth;
}

interface Manifest {
  version: number;
  seed: number;
  count: number;
  documents: (Omit<CorpusDocument, 'file'> & { file: string })[];
}

export interface GenerateCorpusOptions {
  dir: string;
  count?: number;
  seed?: number;
  /** Debian's Chromium by default */
  chromiumPath?: string;
  /** only these document indexes (0-based) of the corpus; the manifest then lists just them */
  only?: readonly number[];
}

export async function generateCorpus(opts: GenerateCorpusOptions): Promise<CorpusDocument[]> {
  const count = opts.count ?? 60;
  const seed = opts.seed ?? 1;
  const indexes = opts.only ? [...opts.only] : Array.from({ length: count }, (_, i) => i);
  const manifestFile = join(opts.dir, 'truth.json');
  const cached = await readManifest(manifestFile);
  if (cached && cached.version === CORPUS_VERSION && cached.seed === seed && cached.count === count && sameIds(cached, indexes, seed)) {
    const docs = cached.documents.map((d) => ({ ...d, file: join(opts.dir, d.file) }));
    if (docs.every((d) => existsSync(d.file))) return docs;
  }
  await mkdir(opts.dir, { recursive: true });
  const out: CorpusDocument[] = [];
  {
    await using renderer = new CorpusRenderer(opts.chromiumPath);
    for (const i of indexes) {
      const spec = documentSpec(seed, i);
      const file = await renderer.render(spec, seed * 7919 + i);
      const name = `${spec.id}.${file.ext}`;
      await writeFile(join(opts.dir, name), file.bytes);
      out.push({ id: spec.id, file: join(opts.dir, name), mediaType: file.mediaType, layout: spec.layout, kind: spec.kind, difficulty: spec.degrade ? 'hard' : 'standard', truth: spec.truth });
    }
  }
  const manifest: Manifest = { version: CORPUS_VERSION, seed, count, documents: out.map((d) => ({ ...d, file: d.file.slice(opts.dir.length + 1) })) };
  const tmp = `${manifestFile}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(tmp, manifestFile);
  return out;
}

function sameIds(m: Manifest, indexes: number[], seed: number): boolean {
  return m.documents.length === indexes.length && indexes.every((i, k) => m.documents[k]?.id === documentSpec(seed, i).id);
}

async function readManifest(file: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}
