import type { ServerConnection } from '@jupyterlab/services';
import { hashSource } from '@workbench/dependencies/metadata';
import { DependenciesClient } from './dependencies-client';
import { DependenciesError } from './dependencies-error';

const settings = { baseUrl: 'http://wb.test/base/' } as ServerConnection.ISettings;

function client(answer: (body: unknown) => { status: number; body: unknown }) {
  const requests: { url: string; method?: string; body: unknown }[] = [];
  const send = async (url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body));
    requests.push({ url, method: init.method, body });
    const a = answer(body);
    return new Response(typeof a.body === 'string' ? a.body : JSON.stringify(a.body), { status: a.status });
  };
  return { requests, client: new DependenciesClient({ serverSettings: settings, send }) };
}

describe('DependenciesClient.analyze', () => {
  it('posts the cells to api/dependencies/analyze and reads back their names', async () => {
    const hash = await hashSource('a = 1');
    const { requests, client: c } = client(() => ({ status: 200, body: { cells: [{ id: 'c1', sourceHash: hash, defines: ['a'], reads: [] }], graph: { edges: [] } } }));
    await expect(c.analyze([{ id: 'c1', language: 'python', source: 'a = 1' }])).resolves.toEqual([{ id: 'c1', sourceHash: hash, defines: ['a'], reads: [] }]);
    expect(requests).toEqual([{ url: 'http://wb.test/base/api/dependencies/analyze', method: 'POST', body: { cells: [{ id: 'c1', language: 'python', source: 'a = 1' }] } }]);
  });

  it('sends the notebook’s path, which the server reads %build_models folders relative to', async () => {
    const hash = await hashSource('%build_models models');
    const { requests, client: c } = client(() => ({ status: 200, body: { cells: [{ id: 'b', sourceHash: hash, defines: ['table:orders'], reads: [] }] } }));
    await c.analyze([{ id: 'b', language: 'sql', source: '%build_models models' }], { path: 'proj/analysis.ipynb' });
    expect(requests[0]!.body).toEqual({ cells: [{ id: 'b', language: 'sql', source: '%build_models models' }], path: 'proj/analysis.ipynb' });
  });

  it('the server’s refusal and an unexpected answer are DependenciesErrors fit to show', async () => {
    const refused = client(() => ({ status: 400, body: { message: 'Cannot analyse dependencies: cells[0].id "x" is not unique', code: 'bad_request' } }));
    await expect(refused.client.analyze([{ id: 'x', language: 'python', source: '' }])).rejects.toMatchObject({ name: 'DependenciesError', kind: 'bad_request', message: 'Cannot analyse dependencies: cells[0].id "x" is not unique' });
    const wrong = client(() => ({ status: 200, body: { cells: [{ id: 'other', sourceHash: 'f'.repeat(64), defines: [], reads: [] }] } }));
    const err = await wrong.client.analyze([{ id: 'c1', language: 'python', source: '' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependenciesError);
    expect(err).toMatchObject({ kind: 'invalid_response', message: 'Cannot read the cell dependencies: the server answered with unexpected JSON (cells[0].id is not "c1")' });
    const short = client(() => ({ status: 200, body: { cells: [] } }));
    await expect(short.client.analyze([{ id: 'c1', language: 'python', source: '' }])).rejects.toMatchObject({ kind: 'invalid_response' });
  });
});
