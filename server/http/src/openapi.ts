/** Our own OpenAPI description, generated from the route table (served at /api/spec.yaml). */
import { stringify } from 'yaml';
import type { RouteDef, SocketRouteDef } from './route-table';

/** Express path -> OpenAPI path: ":id" and "*path" become "{id}"/"{path}", "{/*path}" becomes "/{path}". */
export function toOpenApiPath(path: string): string {
  return path
    .replace(/\{\/\*([A-Za-z_]+)\}/g, '/{$1}')
    .replace(/:([A-Za-z_]+)/g, '{$1}')
    .replace(/\*([A-Za-z_]+)/g, '{$1}');
}

export function openApiYaml(routes: readonly RouteDef[], version: string, baseUrl: string, sockets: readonly SocketRouteDef[] = []): string {
  const paths: Record<string, Record<string, unknown>> = {};
  // WebSocket endpoints are GETs that upgrade (as jupyter_server's api.yaml lists /api/kernels/{id}/channels).
  const asGet: RouteDef[] = sockets.map((s) => ({
    method: 'get',
    path: s.path,
    auth: s.auth,
    summary: `WebSocket: ${s.summary}`,
    tag: s.tag,
    responses: { '101': 'Switching protocols', '403': 'Not authenticated or not allowed', '404': 'No such endpoint or object' },
    handler: () => undefined,
  }));
  routes = [...routes, ...asGet];
  for (const r of routes) {
    const oaPath = toOpenApiPath(r.path);
    const params = [...r.path.matchAll(/[:*]([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    paths[oaPath] ??= {};
    paths[oaPath][r.method] = {
      summary: r.summary,
      tags: [r.tag],
      ...(params.length ? { parameters: params } : {}),
      ...(r.auth === 'public' ? { security: [] } : {}),
      responses: Object.fromEntries(Object.entries(r.responses ?? { '200': 'OK' }).map(([k, v]) => [k, { description: v }])),
    };
  }
  const doc = {
    openapi: '3.0.3',
    info: { title: 'Workbench server API', version, description: 'Jupyter Server-compatible REST API of Workbench.' },
    servers: [{ url: baseUrl }],
    components: {
      securitySchemes: {
        token: { type: 'apiKey', in: 'header', name: 'Authorization', description: '"token <TOKEN>" or "bearer <TOKEN>"' },
        tokenQuery: { type: 'apiKey', in: 'query', name: 'token' },
      },
    },
    security: [{ token: [] }, { tokenQuery: [] }],
    paths,
  };
  return stringify(doc);
}
