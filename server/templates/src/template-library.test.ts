/**
 * The templates library over a real metadata store (SQLite and PostgreSQL,
 * a new database per test) and the repository's shipped templates. The
 * workspace is a folder on disk behind the library's small interface (the
 * server's one goes through the contents manager: server/app's
 * templates.e2e test covers it).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parsePipeline } from '@workbench/pipelines';
import { openStore, type MetadataStore } from '@workbench/store';
import { STORE_DIALECTS, testDatabases } from '@workbench/store/testing';
import { TemplateLibrary, type TemplateWorkspace } from './template-library';

const SHIPPED = resolve(__dirname, '..', '..', '..', 'templates');

function diskWorkspace(root: string): TemplateWorkspace {
  async function walk(dir: string, out: string[]): Promise<void> {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p, out);
      else out.push(relative(root, p).split(sep).join('/'));
    }
  }
  return {
    readText: async (p) => (existsSync(join(root, p)) ? readFile(join(root, p), 'utf8') : undefined),
    async listFiles(folder) {
      const s = await stat(join(root, folder)).catch(() => undefined);
      if (!s?.isDirectory()) return undefined;
      const out: string[] = [];
      await walk(join(root, folder), out);
      return out.sort();
    },
    exists: async (p) => existsSync(join(root, p)),
    async writeText(p, text) {
      await mkdir(dirname(join(root, p)), { recursive: true });
      await writeFile(join(root, p), text);
    },
  };
}

function notebook(parameters: string, cells: Array<{ type?: 'markdown' | 'code'; source: string; outputs?: unknown[] }> = []): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: [
      { id: 'p', cell_type: 'code', execution_count: 3, metadata: { tags: ['parameters'] }, outputs: [], source: parameters },
      ...cells.map((c, i) => (c.type === 'markdown' ? { id: `m${i}`, cell_type: 'markdown', metadata: {}, source: c.source } : { id: `c${i}`, cell_type: 'code', execution_count: 7, metadata: {}, outputs: c.outputs ?? [], source: c.source })),
    ],
  });
}

function cellSource(nbText: string, id: string): string {
  const nb = JSON.parse(nbText) as { cells: Array<{ id: string; source: string | string[] }> };
  const c = nb.cells.find((x) => x.id === id)!;
  return Array.isArray(c.source) ? c.source.join('') : c.source;
}

const CONNECTIONS: Record<string, string> = { odoo: 'postgres', 'odoo-prod': 'postgres', warehouse: 'postgres', bi: 'superset' };

describe.each(STORE_DIALECTS)('the templates library, metadata on %s', (dialect) => {
  const databases = testDatabases(dialect);
  let store: MetadataStore;
  let root: string;
  let lib: TemplateLibrary;
  let ws: TemplateWorkspace;
  afterAll(() => databases[Symbol.asyncDispose]());
  beforeEach(async () => {
    store = await openStore(await databases.create());
    root = await mkdtemp(join(tmpdir(), 'wb-templates-'));
    ws = diskWorkspace(root);
    lib = new TemplateLibrary({ shippedDir: SHIPPED, store, workspace: ws, connections: async (n) => (CONNECTIONS[n] ? { kind: CONNECTIONS[n]! } : undefined), now: () => 1_800_000_000_000 });
  });
  afterEach(async () => {
    await store[Symbol.asyncDispose]();
    await rm(root, { recursive: true, force: true });
  });

  test('the month-end close installs with its values: the pipeline defaults, the notebooks’ parameters cells and the folder follow them', async () => {
    const t = await lib.get('month-end-close');
    expect(t).toMatchObject({ source: 'shipped', folder: 'close', open: 'month-end-close.pipeline.yaml', pipelines: ['month-end-close.pipeline.yaml'] });
    expect(t.parameters.map((p) => `${p.name}:${p.type}`)).toEqual(['connection:connection', 'serving_connection:connection', 'superset_connection:connection', 'finance_list:string', 'completeness_threshold:number']);

    const r = await lib.install('month-end-close', { folder: 'finance/close-fr', values: { connection: 'odoo-prod', superset_connection: 'bi', completeness_threshold: '0.3' } }, 'anna');
    expect(r).toMatchObject({ folder: 'finance/close-fr', open: 'finance/close-fr/month-end-close.pipeline.yaml', pipelines: ['finance/close-fr/month-end-close.pipeline.yaml'], values: { connection: 'odoo-prod', superset_connection: 'bi', finance_list: '', completeness_threshold: 0.3 } });
    expect(r.files).toEqual(t.files.map((f) => `finance/close-fr/${f}`));
    const yaml = (await ws.readText('finance/close-fr/month-end-close.pipeline.yaml'))!;
    const spec = parsePipeline(yaml, 'p.yaml');
    expect(spec.parameters.connection!.default).toBe('odoo-prod');
    expect(spec.parameters.superset_connection!.default).toBe('bi');
    expect(spec.parameters.completeness_threshold!.default).toBe(0.3);
    expect(spec.tasks.find((x) => x.id === 'extract')).toMatchObject({ target: { kind: 'notebook', path: 'finance/close-fr/01_extract.ipynb' } });
    expect(yaml).toContain('# The month-end close on Odoo'); // comments kept
    const extract = (await ws.readText('finance/close-fr/01_extract.ipynb'))!;
    const params = JSON.parse(extract).cells.find((c: { metadata: { tags?: string[] } }) => c.metadata.tags?.includes('parameters'));
    const src = Array.isArray(params.source) ? params.source.join('') : params.source;
    expect(src).toMatch(/^connection = "odoo-prod"$/m);
    expect(src).toMatch(/^period = "2026-11"$/m);
  });

  test('installed notebooks carry the metadata their kernel gives them when it connects (so JupyterLab opens them unmodified); unknown kernels are left as they are', async () => {
    const languageInfo = { name: 'python', version: '3.11.2', mimetype: 'text/x-python', codemirror_mode: { name: 'ipython', version: 3 }, file_extension: '.py' };
    const asked: string[] = [];
    const known = new TemplateLibrary({
      shippedDir: SHIPPED,
      store,
      workspace: ws,
      connections: async (n) => (CONNECTIONS[n] ? { kind: CONNECTIONS[n]! } : undefined),
      kernelMetadata: async (name) => {
        asked.push(name);
        return name === 'python3' ? { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' }, language_info: languageInfo } : undefined;
      },
    });
    await known.install('month-end-close', { folder: 'close-ph', values: { connection: 'odoo' } }, 'anna');
    expect(asked.sort()).toEqual(['python3', 'sql']);
    const meta = async (file: string) => JSON.parse((await ws.readText(`close-ph/${file}`))!).metadata;
    await expect(meta('01_extract.ipynb')).resolves.toEqual({ kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' }, language_info: languageInfo });
    // The SQL kernel's metadata is not known to this library: the template's own stays.
    await expect(meta('02_checks.ipynb')).resolves.toEqual({ kernelspec: { name: 'sql', display_name: 'SQL', language: 'sql' }, language_info: { name: 'sql' } });
  });

  test('bad values, a connection of the wrong kind or none, a bad folder, an existing file: refused before anything is written', async () => {
    const cases: Array<[Record<string, unknown>, string | undefined, RegExp]> = [
      [{ connectionn: 'odoo' }, undefined, /it has no parameter "connectionn" \(it has connection, serving_connection/],
      [{ completeness_threshold: 'half' }, undefined, /parameter completeness_threshold must be a number \(got "half"\)/],
      [{ connection: 'nope' }, undefined, /parameter connection names connection "nope", which does not exist/],
      [{ connection: 'bi' }, undefined, /parameter connection needs a postgres connection; "bi" is superset/],
      [{ connection: 'odoo; DROP' }, undefined, /parameter connection must be the name of a connection/],
      [{}, '../outside', /folder must be a relative workspace path/],
      [{}, '/abs', /folder must be a relative workspace path/],
    ];
    for (const [values, folder, message] of cases) {
      await expect(lib.install('month-end-close', { folder, values }, 'anna')).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(message) });
    }
    expect(await readdir(root)).toEqual([]);
    await ws.writeText('close/03_gold.ipynb', 'mine', 'anna');
    await expect(lib.install('month-end-close', {}, 'anna')).rejects.toMatchObject({ code: 'conflict', message: 'Cannot install template month-end-close into close: close/03_gold.ipynb exists (nothing was written)' });
    expect(await readdir(join(root, 'close'))).toEqual(['03_gold.ipynb']);
    await expect(lib.install('no-such', {}, 'anna')).rejects.toMatchObject({ code: 'not_found' });
    await expect(lib.install('../etc', {}, 'anna')).rejects.toMatchObject({ code: 'not_found' });
  });

  test('a folder saved as a template: outputs cleared, its pipeline pointed at the install folder, placeholders checked; installed elsewhere with values', async () => {
    const ran = JSON.parse(notebook('account = "512000"\nthreshold = 10\n', [{ type: 'markdown', source: '# Bank reconciliation of {{ template.entity }}' }, { source: 'print(account)', outputs: [{ output_type: 'stream', name: 'stdout', text: 'secret figures' }] }])) as { cells: Array<{ metadata: object }> };
    // The dependency tracker's metadata of the author's run: the analysis stays, the run record goes.
    const analysis = { sourceHash: 'b'.repeat(64), defines: [], reads: ['account'] };
    ran.cells[2]!.metadata = { workbench: { deps: { version: 1, analysis, execution: { executionCount: 7, sourceHash: 'b'.repeat(64), ranAt: '2026-11-30T18:00:00.000Z', kernelSession: 'anna-kernel' } } } };
    await ws.writeText('recon/bank.ipynb', JSON.stringify(ran), 'anna');
    await ws.writeText('recon/recon.pipeline.yaml', 'name: Recon {{ template.entity }}\nparameters:\n  threshold: { type: integer, default: 10 }\ntasks:\n  bank:\n    notebook: recon/bank.ipynb\n    parameters: { threshold: "{{ params.threshold }}" }\n', 'anna');
    const parameters = [
      { name: 'entity', type: 'choice', choices: ['FR01', 'PH01'], required: true, label: 'Entity' },
      { name: 'account', type: 'string', default: '512000' },
      { name: 'threshold', type: 'integer', default: 10 },
    ];
    const saved = await lib.save({ name: 'bank-recon', title: 'Bank reconciliation', description: 'Bank against GL', paths: ['recon'], parameters: parameters as never }, 'anna', false);
    expect(saved).toMatchObject({ name: 'bank-recon', source: 'user', folder: 'recon', open: 'recon.pipeline.yaml', files: ['bank.ipynb', 'recon.pipeline.yaml'], pipelines: ['recon.pipeline.yaml'], created_by: 'anna', version: 1 });
    const stored = await lib.file('bank-recon', 'bank.ipynb');
    expect(stored).not.toContain('secret figures');
    expect(JSON.parse(stored).cells.map((c: { execution_count?: unknown }) => c.execution_count ?? null)).toEqual([null, null, null]);
    expect(JSON.parse(stored).cells[2].metadata).toEqual({ workbench: { deps: { version: 1, analysis } } });
    expect(stored).not.toContain('anna-kernel');
    expect(await lib.file('bank-recon', 'recon.pipeline.yaml')).toContain('notebook: {{ template.folder }}/bank.ipynb');
    expect((await lib.list()).map((t) => `${t.source}:${t.name}`)).toEqual(['user:bank-recon', 'shipped:month-end-close']);

    await expect(lib.install('bank-recon', { folder: 'ph' }, 'ben')).rejects.toMatchObject({ code: 'bad_request', message: 'Cannot install template bank-recon: parameter entity needs a value' });
    await expect(lib.install('bank-recon', { folder: 'ph', values: { entity: 'US01' } }, 'ben')).rejects.toMatchObject({ message: expect.stringContaining('parameter entity must be one of "FR01", "PH01"') });
    const r = await lib.install('bank-recon', { folder: 'ph', values: { entity: 'PH01', account: '512100', threshold: 25 } }, 'ben');
    expect(r.files).toEqual(['ph/bank.ipynb', 'ph/recon.pipeline.yaml']);
    const nb = (await ws.readText('ph/bank.ipynb'))!;
    expect(cellSource(nb, 'p')).toBe('account = "512100"\nthreshold = 25\n');
    expect(cellSource(nb, 'm0')).toBe('# Bank reconciliation of PH01');
    const out = execFileSync('python3', ['-c', `${cellSource(nb, 'p')}\nprint(account, threshold + 1)`], { encoding: 'utf8' });
    expect(out.trim()).toBe('512100 26');
    const spec = parsePipeline((await ws.readText('ph/recon.pipeline.yaml'))!, 'x.yaml');
    expect(spec).toMatchObject({ name: 'Recon PH01' });
    expect(spec.parameters.threshold!.default).toBe(25);
    expect(spec.tasks[0]).toMatchObject({ target: { path: 'ph/bank.ipynb' }, parameters: { threshold: '{{ params.threshold }}' } });
  });

  test('saving: who may replace or delete, stale versions, names, placeholders, binary and missing files', async () => {
    await ws.writeText('a/one.ipynb', notebook('x = 1\n'), 'anna');
    await ws.writeText('b/one.ipynb', notebook('y = 1\n'), 'anna');
    await ws.writeText('bad/uses.sql', 'SELECT {{ template.missing }}', 'anna');
    await writeFile(join(root, 'a', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]));
    const first = await lib.save({ name: 'one', paths: ['a/one.ipynb'] }, 'anna', false);
    expect(first).toMatchObject({ title: 'one', folder: 'one', open: 'one.ipynb', version: 1 });

    await expect(lib.save({ name: 'one', paths: ['a/one.ipynb'] }, 'anna', false)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('a template of that name exists') });
    await expect(lib.save({ name: 'one', paths: ['b/one.ipynb'], replace: 1 }, 'ben', false)).rejects.toMatchObject({ code: 'forbidden', message: 'Cannot replace template one: anna saved it (an engineer or admin may replace it)' });
    const second = await lib.save({ name: 'one', title: 'One, again', paths: ['b/one.ipynb'], replace: 1 }, 'anna', false);
    expect(second).toMatchObject({ title: 'One, again', version: 2, created_by: 'anna' });
    expect(await lib.file('one', 'one.ipynb')).toContain('y = 1');
    await expect(lib.save({ name: 'one', paths: ['a/one.ipynb'], replace: 1 }, 'carl', true)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('it changed since version 1') });

    const refused: Array<[Parameters<TemplateLibrary['save']>[0], RegExp]> = [
      [{ name: 'month-end-close', paths: ['a/one.ipynb'] }, /a template shipped with Workbench has that name/],
      [{ name: 'Bad Name', paths: ['a/one.ipynb'] }, /name must be 1-64 lowercase letters/],
      [{ name: 'x', paths: [] }, /paths must list 1 to 50/],
      [{ name: 'x', paths: ['../etc/passwd'] }, /is not a workspace path/],
      [{ name: 'x', paths: ['nope.ipynb'] }, /nope\.ipynb does not exist/],
      [{ name: 'x', paths: ['a/one.ipynb', 'b/one.ipynb'] }, /two files would both be one\.ipynb/],
      [{ name: 'x', paths: ['bad'] }, /uses\.sql uses \{\{ template\.missing \}\}, not among its parameters \(none\)/],
      [{ name: 'x', paths: ['a'] }, /a\/logo\.png is not text/],
      [{ name: 'x', paths: ['b'], parameters: [{ name: 'n', type: 'integer', default: 'ten' }] as never }, /parameter n must be an integer/],
      [{ name: 'x', paths: ['b'], parameters: [{ name: 'folder' }] as never }, /name "folder" is reserved/],
      [{ name: 'x', paths: ['b'], open: 'other.ipynb' }, /open names other\.ipynb, which is not one of its files/],
    ];
    for (const [request, message] of refused) await expect(lib.save(request, 'anna', false)).rejects.toMatchObject({ message: expect.stringMatching(message) });
    expect((await lib.list()).map((t) => t.name)).toEqual(['month-end-close', 'one']);

    await expect(lib.remove('one', 'ben', false)).rejects.toMatchObject({ code: 'forbidden', message: 'Cannot delete template one: anna saved it (an engineer or admin may delete it)' });
    await expect(lib.remove('month-end-close', 'carl', true)).rejects.toMatchObject({ code: 'forbidden' });
    await lib.remove('one', 'carl', true);
    await expect(lib.get('one')).rejects.toMatchObject({ code: 'not_found' });
    await expect(lib.remove('one', 'anna', false)).rejects.toMatchObject({ code: 'not_found' });
  });

  test('history: every save and restore is a version; old versions read, install and compare; deleting drops the history', async () => {
    let now = 1_800_000_000_000;
    lib = new TemplateLibrary({ shippedDir: SHIPPED, store, workspace: ws, now: () => now });
    await ws.writeText('v1/recon/bank.ipynb', notebook('threshold = 10\n', [{ source: 'print("v1")' }]), 'anna');
    await ws.writeText('v1/recon/load.sql', 'SELECT 1\n', 'anna');
    await lib.save({ name: 'recon', title: 'Recon', paths: ['v1/recon'], parameters: [{ name: 'month', type: 'month', default: '2026-01' }] as never }, 'anna', false);
    now += 60_000;
    await ws.writeText('v2/recon/bank.ipynb', notebook('threshold = 25\n', [{ source: 'print("v2")' }, { type: 'markdown', source: '# Notes' }]), 'anna');
    await ws.writeText('v2/recon/checks.sql', 'SELECT 2\n', 'anna');
    await lib.save({ name: 'recon', title: 'Bank recon', paths: ['v2/recon'], replace: 1, parameters: [{ name: 'month', type: 'month', default: '2026-02' }] as never }, 'ben', true);

    const history = await lib.history('recon');
    expect(history.map((v) => [v.version, v.title, v.saved_by, v.saved_at, v.current, v.files])).toEqual([
      [2, 'Bank recon', 'ben', now, true, ['bank.ipynb', 'checks.sql']],
      [1, 'Recon', 'anna', now - 60_000, false, ['bank.ipynb', 'load.sql']],
    ]);
    expect(await lib.history('month-end-close')).toEqual([]);
    await expect(lib.history('nope')).rejects.toMatchObject({ code: 'not_found' });

    // Version 1 as it was: manifest, files, one file's text.
    expect(await lib.get('recon', 1)).toMatchObject({ title: 'Recon', version: 1, files: ['bank.ipynb', 'load.sql'], updated_by: 'anna', created_by: 'anna' });
    expect(await lib.file('recon', 'load.sql', 1)).toBe('SELECT 1\n');
    await expect(lib.file('recon', 'load.sql')).rejects.toMatchObject({ code: 'not_found', message: 'Cannot find "load.sql" in template recon' });
    await expect(lib.get('recon', 9)).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('its versions are 1 to 2') });
    await expect(lib.get('month-end-close', 1)).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('shipped with Workbench') });

    // Installing version 1 installs its files, with its parameter default.
    const installed = await lib.install('recon', { folder: 'old', version: 1 }, 'carl');
    expect(installed).toMatchObject({ version: 1, files: ['old/bank.ipynb', 'old/load.sql'] });
    expect(cellSource((await ws.readText('old/bank.ipynb'))!, 'c0')).toBe('print("v1")');
    expect((await lib.install('recon', { folder: 'new' }, 'carl')).version).toBe(2);

    // What changed from 1 to 2 (the current one).
    const diff = await lib.diff('recon', 1);
    expect(diff).toMatchObject({ template: 'recon', from: 1, to: 2 });
    expect(diff.manifest).toEqual([
      { field: 'title', old: 'Recon', new: 'Bank recon' },
      { field: 'parameters.month', old: { name: 'month', type: 'month', label: 'month', description: '', default: '2026-01', required: true }, new: { name: 'month', type: 'month', label: 'month', description: '', default: '2026-02', required: true } },
    ]);
    expect(diff.files.map((f) => [f.path, f.status, 'type' in f ? f.type : null])).toEqual([
      ['bank.ipynb', 'modified', 'notebook'],
      ['checks.sql', 'added', 'file'],
      ['load.sql', 'removed', 'file'],
    ]);
    const nb = diff.files[0] as Extract<(typeof diff.files)[number], { type: 'notebook' }>;
    expect(nb.diff.summary).toMatchObject({ added: 1, modified: 2 });
    const removed = diff.files[2] as Extract<(typeof diff.files)[number], { type: 'file' }>;
    expect(removed.diff.filter((l) => l.text !== '')).toEqual([{ op: 'delete', text: 'SELECT 1', oldLine: 1, newLine: null }]);
    expect(removed.diff.every((l) => l.op === 'delete')).toBe(true);
    expect((await lib.diff('recon', 2, 1)).files.map((f) => f.status)).toEqual(['modified', 'removed', 'added']);
    expect((await lib.diff('recon', 2)).files.every((f) => f.status === 'unchanged')).toBe(true);

    // Restoring 1: a new version 3 with version 1's content; only the author or a curator, over the current version.
    await expect(lib.restore('recon', { version: 1, replace: 2 }, 'dora', false)).rejects.toMatchObject({ code: 'forbidden', message: 'Cannot restore template recon: anna saved it (an engineer or admin may restore it)' });
    await expect(lib.restore('recon', { version: 1, replace: 1 }, 'anna', false)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('it changed since version 1') });
    await expect(lib.restore('recon', { version: 2, replace: 2 }, 'anna', false)).rejects.toMatchObject({ code: 'bad_request', message: 'Cannot restore template recon: version 2 is the current one' });
    await expect(lib.restore('recon', { version: 7, replace: 2 }, 'anna', false)).rejects.toMatchObject({ code: 'not_found' });
    await expect(lib.restore('recon', { version: '1', replace: 2 }, 'anna', false)).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('version must be') });
    await expect(lib.restore('month-end-close', { version: 1, replace: 1 }, 'carl', true)).rejects.toMatchObject({ code: 'forbidden' });
    now += 60_000;
    const restored = await lib.restore('recon', { version: 1, replace: 2 }, 'anna', false);
    expect(restored).toMatchObject({ version: 3, title: 'Recon', files: ['bank.ipynb', 'load.sql'], updated_by: 'anna', created_by: 'anna' });
    expect(await lib.file('recon', 'load.sql')).toBe('SELECT 1\n');
    expect((await lib.history('recon')).map((v) => [v.version, v.restored_from ?? null, v.current])).toEqual([
      [3, 1, true],
      [2, null, false],
      [1, null, false],
    ]);
    expect((await lib.diff('recon', 1, 3)).files.every((f) => f.status === 'unchanged')).toBe(true);

    // Deleting drops the history; the same name saved again starts at version 1.
    await lib.remove('recon', 'anna', false);
    expect(await store.db.selectFrom('template_versions').selectAll().execute()).toEqual([]);
    expect(await store.db.selectFrom('template_version_files').selectAll().execute()).toEqual([]);
    await lib.save({ name: 'recon', paths: ['v2/recon'] }, 'ben', false);
    expect((await lib.history('recon')).map((v) => [v.version, v.saved_by])).toEqual([[1, 'ben']]);
  });

  test('a notebook that cannot be prepared (the analyzer failed) is installed as rendered, and the failure logged', async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (fields: object, msg: string) => void warnings.push(`${msg} ${JSON.stringify(fields)}`), child: () => logger };
    const prepared = new TemplateLibrary({ shippedDir: SHIPPED, store, workspace: ws, prepareNotebook: async (path, text) => (path.endsWith('02_checks.ipynb') ? Promise.reject(new Error('analyzer gone')) : `${text.trimEnd()} `), logger });
    const r = await prepared.install('month-end-close', { folder: 'close' }, 'ben');
    expect(r.files.filter((f) => f.endsWith('.ipynb')).length).toBeGreaterThan(1);
    for (const f of r.files.filter((p) => p.endsWith('.ipynb'))) {
      const text = (await ws.readText(f))!;
      expect({ f, prepared: text.endsWith('} ') }).toEqual({ f, prepared: !f.endsWith('02_checks.ipynb') });
    }
    expect(warnings).toEqual([expect.stringMatching(/^could not prepare an installed notebook \(installed as rendered\) .*02_checks\.ipynb.*analyzer gone/)]);
  });
});
