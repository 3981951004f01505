/**
 * A server killed (SIGKILL) after Odoo created a bill and before the server
 * marked the document posted: after a restart and a replay there is still
 * exactly one bill, the one the first attempt made (found by the posting
 * key it carries), and the document points at it.
 *
 * Odoo cannot run here: it is the project's API simulator
 * (connectors/odoo/src/testing) over a PostgreSQL demo ledger; its
 * afterCommit hook holds the answer to the create until the server is
 * dead, so the kill lands exactly between "Odoo did it" and "the server
 * heard".
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { deferred } from '@workbench/core';
import { generateOdooDemo } from '@workbench/odoo';
import { createTestDatabase, OdooApiSimulator, type TestDatabase } from '@workbench/odoo/testing';
import { encodePngGray } from '@workbench/documents/testing';
import { killLeftovers, startServerProcess, type ServerProcess } from './testing/server-process';

const TOKEN = 'crash-token-0123456789abcdef';

async function call<T = any>(s: ServerProcess, method: string, path: string, body?: unknown, raw?: Buffer): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { authorization: `token ${TOKEN}` };
  if (raw) headers['content-type'] = 'image/png';
  else if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${s.url}${path}`, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  return { status: res.status, body: (await res.json()) as T };
}

describe('a server killed while posting a document', () => {
  let database: TestDatabase;
  let sim: OdooApiSimulator;
  let db: Client;
  let dir: string;
  const created = deferred<number>();
  const hold = deferred<void>();
  let armed = false;

  beforeAll(async () => {
    database = await createTestDatabase('wb_docs_crash');
    await generateOdooDemo({ connection: database.config, lines: 1000, seed: 3, year: 2025 });
    sim = await OdooApiSimulator.start({
      connection: database.config,
      users: [{ login: 'ap-robot', password: 'robot-key-0123456789', adviser: false }],
      afterCommit: async ({ model, method, result }) => {
        if (!armed || model !== 'account.move' || method !== 'create') return;
        armed = false;
        created.resolve(result as number);
        await hold.promise;
      },
    });
    db = new Client(database.config);
    await db.connect();
    dir = await mkdtemp(join(tmpdir(), 'wb-docscrash-'));
  }, 120_000);
  afterAll(async () => {
    hold.resolve();
    killLeftovers(dir);
    await db?.end();
    await sim?.[Symbol.asyncDispose]();
    await database?.[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves exactly one Odoo bill after a restart and a replay', async () => {
    const root = join(dir, 'ws');
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ sandbox: { mode: 'none' }, documents: { odoo_connection: 'erp', auto_approve: false, four_eyes: { '*': '1000000' } } }));
    const opts = { dir, root, config, token: TOKEN, runtime: join(dir, 'rt') };
    const vendor = (await db.query(`SELECT id FROM res_partner WHERE supplier_rank > 0 AND (company_id IS NULL OR company_id = 1) ORDER BY id LIMIT 1`)).rows[0].id as number;
    const currency = (await db.query(`SELECT c.name FROM res_company co JOIN res_currency c ON c.id = co.currency_id WHERE co.id = 1`)).rows[0].name as string;
    const rate = Number((await db.query(`SELECT amount FROM account_tax WHERE type_tax_use = 'purchase' AND company_id = 1 ORDER BY id LIMIT 1`)).rows[0].amount);
    const tax = (rate).toFixed(2);
    const total = (100 + rate).toFixed(2);

    const first = await startServerProcess(opts);
    let id: string;
    let key: string;
    try {
      expect((await call(first, 'POST', 'api/connections', { name: 'erp', kind: 'odoo', settings: { url: sim.url, database: sim.db, login: 'ap-robot', company_id: 1 }, credential: { api_key: 'robot-key-0123456789' } })).status).toBe(201);
      const up = await call(first, 'POST', 'api/documents?filename=scan.png', undefined, encodePngGray({ width: 64, height: 32, data: new Uint8Array(64 * 32).fill(255) }));
      id = up.body.document.id;
      const read = (await call(first, 'GET', `api/documents/${id}?wait=read&timeout_s=60`)).body.document;
      expect(read.status).toBe('needs_review');
      const fields = { vendor: 'Any Vendor', invoice_number: 'CRASH-1', invoice_date: '2026-01-10', currency, subtotal: '100.00', tax, total };
      const lines = [{ description: 'Services', quantity: '1', unit_price: '100.00', amount: '100.00' }];
      expect((await call(first, 'POST', `api/documents/${id}/correct`, { fields, lines, partner_id: vendor })).status).toBe(200);
      armed = true;
      expect((await call(first, 'POST', `api/documents/${id}/approve`, {})).status).toBe(200);
      // Odoo has committed the bill; its answer is held: kill the server now.
      const moveId = await created.promise;
      await first.kill();
      hold.resolve();
      key = (await db.query(`SELECT narration FROM account_move WHERE id = $1`, [moveId])).rows[0].narration.match(/workbench-document-key: ([\w-]+)/)[1];
      expect((await db.query(`SELECT count(*)::int AS n FROM account_move WHERE narration LIKE $1`, [`%${key}%`])).rows[0].n).toBe(1);
    } finally {
      await first.kill();
    }
    killLeftovers(opts.runtime);

    const second = await startServerProcess(opts);
    try {
      const stuck = (await call(second, 'GET', `api/documents/${id}`)).body.document;
      expect(stuck).toMatchObject({ status: 'posting', posting: { key, attempts: 1 } });
      expect((await call(second, 'POST', `api/documents/${id}/replay`, {})).body).toEqual({ replayed: [id], skipped: [] });
      const done = (await call(second, 'GET', `api/documents/${id}?wait=settled&timeout_s=60`)).body;
      expect(done.document).toMatchObject({ status: 'posted', posting: { key, attempts: 2 } });
      const { rows } = await db.query(`SELECT id FROM account_move WHERE narration LIKE $1`, [`%${key}%`]);
      expect(rows).toEqual([{ id: done.document.odoo.id }]);
      expect(done.events.find((e: { action: string }) => e.action === 'posted').detail).toMatchObject({ adopted: true });
    } finally {
      await second.kill();
    }
  }, 180_000);
});
