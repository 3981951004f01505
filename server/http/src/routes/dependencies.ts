/**
 * Dependency tracking across cells (server/dependencies): the names each
 * Python, SQL and TypeScript cell defines and reads, and the graph of
 * stale cells and run plans over them. Parsing only: no cell is run.
 */
import type { DependencyAnalyzer } from '@workbench/dependencies';
import { parseAnalyzeRequest } from '@workbench/dependencies';
import type { RouteDef } from '../route-table';

export function dependencyRoutes(analyzer: DependencyAnalyzer): RouteDef[] {
  return [
    {
      method: 'post',
      path: '/api/dependencies/analyze',
      auth: 'user',
      permission: { resource: 'contents', action: 'read' },
      tag: 'dependencies',
      summary: 'Analyse notebook cells {cells: [{id, language: python|sql|typescript, source, execution?}], kernelSession?, path? (the notebook\'s, for %build_models folders)} -> {cells: [{id, sourceHash, defines, reads, errors?}], graph: {edges, cells (fresh|stale|never_run), stale, warnings}}',
      handler: async (req, res) => {
        const ac = new AbortController();
        res.on('close', () => ac.abort());
        res.json(await analyzer.analyze(parseAnalyzeRequest(req.body), { signal: ac.signal }));
      },
    },
  ];
}
