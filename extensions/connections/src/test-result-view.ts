/**
 * A connection test's answer, inline: the verdict, where it stopped (the
 * stage as a label), a REST call's HTTP status, the server's message, the
 * server's version or software, the schema checks, and an SFTP server's
 * host key fingerprint (with "Pin this fingerprint" where the caller can
 * pin it: the form). Used by the list rows, the form's "Test" and the
 * rotate dialog.
 *
 * DOM hooks: `.wb-connections-result[data-state=testing|ok|failed|error]`
 * (`data-stage` once answered), `.wb-connections-result-verdict`,
 * `.wb-connections-stage[data-stage]`, `.wb-connections-result-status[data-status]`,
 * `.wb-connections-result-elapsed`, `.wb-connections-result-message`,
 * `.wb-connections-result-server` (full text in `title`),
 * `li.wb-connections-schema[data-schema][data-exists][data-usage]`,
 * `.wb-connections-hostkey` with `code.wb-connections-hostkey-fingerprint`
 * and `button.wb-connections-pin` (or `.wb-connections-pinned[data-pin=same|other|pinned]`).
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { formatElapsed, httpStatusLabel, shortServerVersion, stageLabel, verdictText } from './format';
import type { SchemaCheck, TestResult } from './types';

export type ResultState = 'testing' | 'ok' | 'failed' | 'error';

export interface ShowOptions {
  /** Offers "Pin this fingerprint" for a host key the test showed; called with it. */
  pin?: (fingerprint: string) => void;
  /** The fingerprint pinned in the form now ('' for none): no offer when it is the one shown or another one. */
  pinned?: string;
}

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

  show(result: TestResult, options: ShowOptions = {}): void {
    this.set(result.ok ? 'ok' : 'failed', [
      h('div', { className: 'wb-connections-result-head' }, [
        h('span', { className: 'wb-connections-result-verdict' }, [verdictText(result)]),
        h('span', { className: 'wb-badge wb-connections-stage', attrs: { 'data-stage': result.stage }, title: `Stage: ${result.stage}` }, [stageLabel(result.stage)]),
        result.status === undefined
          ? null
          : h('span', { className: 'wb-badge wb-connections-result-status', attrs: { 'data-status': String(result.status) }, title: 'The HTTP status of the health request' }, [httpStatusLabel(result.status)]),
        h('span', { className: 'wb-connections-result-elapsed' }, [formatElapsed(result.elapsed_ms)]),
      ]),
      h('p', { className: 'wb-connections-result-message' }, [result.message]),
      result.server ? h('p', { className: 'wb-connections-result-server', title: result.server }, [shortServerVersion(result.server)]) : null,
      result.schemas && result.schemas.length > 0 ? h('ul', { className: 'wb-connections-schemas', attrs: { 'aria-label': 'Schemas' } }, result.schemas.map(schemaItem)) : null,
      result.host_key_fingerprint ? this.hostKey(result.host_key_fingerprint, options) : null,
    ]);
    this.node.dataset.stage = result.stage;
  }

  /**
   * The host key, and what can be done with it: pin it when none is
   * pinned; when another one is, only say so (a changed key is checked
   * with the server's administrator first, then typed in on purpose).
   */
  private hostKey(fingerprint: string, options: ShowOptions): HTMLElement {
    const line = h('div', { className: 'wb-connections-hostkey' }, [
      h('span', { className: 'wb-connections-hostkey-label' }, ['Host key']),
      h('code', { className: 'wb-connections-hostkey-fingerprint' }, [fingerprint]),
    ]);
    const note = (text: string, state: string) => h('span', { className: 'wb-connections-pinned', attrs: { 'data-pin': state } }, [text]);
    if (options.pinned === fingerprint) line.append(note('Pinned.', 'same'));
    else if (options.pin && options.pinned) line.append(note('Not the pinned key: check it with the server’s administrator before pinning it.', 'other'));
    else if (options.pin) {
      const pin = options.pin;
      const button = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-connections-button-small wb-connections-pin', attrs: { type: 'button' } }, ['Pin this fingerprint']);
      button.addEventListener(
        'click',
        () => {
          pin(fingerprint);
          button.replaceWith(note('Pinned in the form: Add or Save keeps it.', 'pinned'));
        },
        { once: true },
      );
      line.append(button);
    }
    return line;
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
