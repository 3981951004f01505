/**
 * Problems of a pipeline file as YAML, before its content is looked at:
 * the yaml library's errors and warnings (with its positions), duplicate
 * keys, a YAML version other than 1.2, and tabs used for indentation (YAML forbids them, and the library
 * does not always say so: a tab after spaces reads as a bad indent).
 */
import { visit, type Document } from 'yaml';
import { formatPath, type SourceMap } from './source-map';
import type { IssueList } from './spec-issue';

export const TAB_MESSAGE = 'tabs are not allowed for indentation';

/** Reports the file's YAML issues; true when its content cannot be trusted (a syntax error). */
export function checkYaml(text: string, doc: Document, map: SourceMap, issues: IssueList): boolean {
  const tabLines = checkTabs(text, doc, map, issues);
  let fatal = false;
  // YAML 1.1 would read 2026-12-24 as a timestamp and 07:00 as the number 420.
  if (doc.directives?.yaml.explicit && doc.directives.yaml.version !== '1.2') {
    fatal = true;
    issues.add({ path: '', line: 1, column: 1, message: `only YAML 1.2 is supported: remove the %YAML ${doc.directives.yaml.version} directive` });
  }
  for (const e of doc.errors) {
    const offset = e.pos[0];
    const { line, column } = map.positionOf(offset);
    if (e.code === 'DUPLICATE_KEY') {
      const path = map.pathAt(offset);
      issues.add({ path: formatPath(path), line, column, message: `duplicate key '${String(path[path.length - 1] ?? '?')}'` });
      continue;
    }
    fatal = true;
    if ((e.code === 'TAB_AS_INDENT' || e.code === 'BAD_INDENT') && tabLines.has(line)) continue;
    // After a syntax error the tree is a guess, so no data path is given.
    issues.add({ path: '', line, column, message: e.code === 'TAB_AS_INDENT' ? TAB_MESSAGE : e.message });
  }
  for (const w of doc.warnings) {
    const { line, column } = map.positionOf(w.pos[0]);
    issues.add({ path: formatPath(map.pathAt(w.pos[0])), line, column, message: w.message });
  }
  return fatal;
}

/** One issue per line indented with a tab, outside block scalars and comments; returns those lines. */
function checkTabs(text: string, doc: Document, map: SourceMap, issues: IssueList): Set<number> {
  const literal = new Set<number>();
  visit(doc, {
    Scalar(_key, node) {
      if ((node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') && node.range) {
        const first = map.positionOf(node.range[0]).line;
        const last = map.positionOf(Math.max(node.range[0], node.range[1] - 1)).line;
        for (let l = first + 1; l <= last; l++) literal.add(l);
      }
    },
  });
  const lines = new Set<number>();
  text.split('\n').forEach((content, i) => {
    const line = i + 1;
    const indent = /^[ \t]*/.exec(content)![0];
    const tab = indent.indexOf('\t');
    const rest = content.slice(indent.length).trim();
    if (tab >= 0 && rest !== '' && !rest.startsWith('#') && !literal.has(line)) {
      lines.add(line);
      issues.add({ path: '', line, column: tab + 1, message: TAB_MESSAGE });
    }
  });
  return lines;
}
