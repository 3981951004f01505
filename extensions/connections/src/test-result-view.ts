/**
 * A connection test's answer, inline: the verdict, where it stopped (the
 * stage as a label), the server's message, the server version and the
 * schema checks. Used by the list rows, the form's "Test" and the rotate
 * dialog.
 *
 * DOM hooks: `.wb-connections-result[data-state=testing|ok|failed|error]`
 * (`data-stage` once answered), `.wb-connections-result-verdict`,
 * `.wb-connections-stage[data-stage]`, `.wb-connections-result-elapsed`,
 * `.wb-connections-result-message`, `.wb-connections-result-server` (full
 * version in `title`), `li.wb-connections-schema[data-schema][data-exists][data-usage]`.
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { formatElapsed, shortServerVersion, stageLabel, verdictText } from './format';
import type { SchemaCheck, TestResult } from './types';

export type ResultState = 'testing' | 'ok' | 'failed' | 'error';

function schemaItem(s: SchemaCheck): HTMLLIElement {
  const text = !s.exists ? 'missing' : s.usage ? 'usable' : 'no USAGE';
  return h('li', { className: 'wb-connections-schema', attrs: { 'data-schema': s.name, 'data-exists': String(s.exists), 'data-usage': String(s.usage) } }, [
    h('span', { className: 'wb-connections-schema-mark', attrs: { 'aria-hidden': 'true' } }, [s.exists && s.usage ? '✓' : '✗']),
    h('code', { className: 'wb-connections-schema-name' }, [s.name]),
    h('span', { className: 'wb-connections-schema-state' }, [text]),
  ]);
}

/** A box that shows nothing, "Testing…", a result, or a request's failure. */
export class TestResultView {
  readonly node: HTMLElement;

  constructor(extraClass = '') {
    this.node = h('div', { className: `wb-connections-result ${extraClass}`.trim(), attrs: { role: 'status', 'aria-live': 'polite' } });
    this.clear();
  }

  clear(): void {
    delete this.node.dataset.state;
    delete this.node.dataset.stage;
    replaceChildren(this.node, []);
    this.node.hidden = true;
  }

  testing(text = 'Testing…'): void {
    this.set('testing', [h('span', { className: 'wb-connections-result-verdict' }, [text])]);
    delete this.node.dataset.stage;
  }

  /** The request failed (not the connection): the client's message. */
  error(message: string): void {
    this.set('error', [h('p', { className: 'wb-connections-result-message' }, [message])]);
    delete this.node.dataset.stage;
  }

  show(result: TestResult): void {
    this.set(result.ok ? 'ok' : 'failed', [
      h('div', { className: 'wb-connections-result-head' }, [
        h('span', { className: 'wb-connections-result-verdict' }, [verdictText(result)]),
        h('span', { className: 'wb-badge wb-connections-stage', attrs: { 'data-stage': result.stage }, title: `Stage: ${result.stage}` }, [stageLabel(result.stage)]),
        h('span', { className: 'wb-connections-result-elapsed' }, [formatElapsed(result.elapsed_ms)]),
      ]),
      h('p', { className: 'wb-connections-result-message' }, [result.message]),
      result.server ? h('p', { className: 'wb-connections-result-server', title: result.server }, [shortServerVersion(result.server)]) : null,
      result.schemas && result.schemas.length > 0 ? h('ul', { className: 'wb-connections-schemas', attrs: { 'aria-label': 'Schemas' } }, result.schemas.map(schemaItem)) : null,
    ]);
    this.node.dataset.stage = result.stage;
  }

  get state(): ResultState | undefined {
    return this.node.dataset.state as ResultState | undefined;
  }

  private set(state: ResultState, children: (Node | null)[]): void {
    this.node.dataset.state = state;
    replaceChildren(this.node, children);
    this.node.hidden = false;
  }
}
