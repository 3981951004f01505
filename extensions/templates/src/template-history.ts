/**
 * A user's template's history, inside the install dialog: a collapsed
 * "History" section that loads the versions when opened (newest first:
 * who saved each and when, which one is current, which restored which),
 * shows what any version changed from the one before it (the manifest's
 * fields and parameters, then each file: a notebook cell by cell and any
 * other file line by line, drawn by the version history's `diffBody`),
 * offers an older version for install (the dialog then shows and installs
 * that version), and restores an older version after a confirmation in
 * place. A restore is
 * saved by the server as a new version over the current one; the dialog is
 * told the new current template.
 *
 * DOM hooks: `details.wb-templates-history[data-state=idle|loading|ready|error]`,
 * `li.wb-templates-version[data-version][data-current]`,
 * `button.wb-templates-version-changes`, `button.wb-templates-version-use`
 * (install that version), `button.wb-templates-version-restore`,
 * `.wb-templates-diff[data-from][data-to]` with
 * `li.wb-templates-manifest-change[data-field]` and
 * `section.wb-templates-file-change[data-path][data-status]`,
 * `.wb-templates-restore-ask` with `button.wb-templates-restore-confirm` /
 * `-cancel`, `.wb-templates-history-status`, `.wb-templates-history-error`.
 */
import { diffBody, diffModel, formatAbsoluteTime } from '@workbench/history';
import { h, replaceChildren } from '@workbench/lab-common';
import { errorText } from './templates-api';
import type { TemplatesClient } from './templates-client';
import { manifestChangeText } from './template-changes';
import type { TemplateDiff, TemplateInfo, TemplateVersion } from './types';

export interface TemplateHistoryOptions {
  client: TemplatesClient;
  /** The template as it is now (a user's template). */
  template: TemplateInfo;
  /** Whether the signed-in user may restore (its author, or a curator; the server decides again). */
  mayRestore: boolean;
  /** Told the template at its new version after a restore. */
  onRestored: (template: TemplateInfo) => void;
  /** Whether the signed-in user may install; with `onInstallVersion`, non-current versions offer "Install this version". */
  mayInstall?: boolean;
  onInstallVersion?: (version: number) => void;
}

export class TemplateHistory {
  readonly node: HTMLDetailsElement;
  private readonly body: HTMLElement;
  private template: TemplateInfo;
  private versions: TemplateVersion[] = [];
  private loaded = false;
  private busy = false;
  private controller = new AbortController();

  constructor(private readonly options: TemplateHistoryOptions) {
    this.template = options.template;
    this.body = h('div', { className: 'wb-templates-history-body' });
    this.node = h('details', { className: 'wb-templates-history', attrs: { 'data-state': 'idle' } }, [h('summary', {}, [this.summaryText()]), this.body]);
    this.node.addEventListener('toggle', this.onToggle);
    this.node.addEventListener('click', this.onClick);
  }

  get name(): string {
    return this.template.name;
  }

  private summaryText(): string {
    return `History: version ${this.template.version ?? 1}`;
  }

  private readonly onToggle = (): void => {
    if (this.node.open && !this.loaded) void this.load();
  };

  private async load(status?: string): Promise<void> {
    this.loaded = true;
    this.node.dataset.state = 'loading';
    replaceChildren(this.body, [h('div', { className: 'wb-templates-history-status', attrs: { role: 'status' } }, ['Loading versions…'])]);
    try {
      this.versions = await this.options.client.versions(this.template.name, { signal: this.controller.signal });
    } catch (err) {
      if (this.controller.signal.aborted) return;
      this.loaded = false;
      this.node.dataset.state = 'error';
      replaceChildren(this.body, [h('div', { className: 'wb-error-box wb-templates-history-error', attrs: { role: 'alert' } }, [errorText(err, `load the versions of template ${this.template.name}`)])]);
      return;
    }
    this.node.dataset.state = 'ready';
    replaceChildren(this.body, [
      status ? h('div', { className: 'wb-templates-history-status', attrs: { role: 'status' } }, [status]) : null,
      h('ul', { className: 'wb-templates-versions', attrs: { 'aria-label': `Versions of ${this.template.title}` } }, this.versions.map((v, i) => this.row(v, this.versions[i + 1]))),
    ]);
  }

  private row(v: TemplateVersion, older: TemplateVersion | undefined): HTMLElement {
    const meta = [`Saved by ${v.saved_by}`, formatAbsoluteTime(new Date(v.saved_at))];
    if (v.restored_from !== undefined) meta.push(`restored from version ${v.restored_from}`);
    return h('li', { className: 'wb-templates-version', attrs: { 'data-version': String(v.version), 'data-current': String(v.current) } }, [
      h('div', { className: 'wb-templates-version-row' }, [
        h('span', { className: 'wb-templates-version-name' }, [`Version ${v.version}`]),
        v.current ? h('span', { className: 'wb-badge wb-templates-version-current' }, ['current']) : null,
        h('span', { className: 'wb-templates-version-meta' }, [meta.join(' · ')]),
        older
          ? h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-templates-version-changes', attrs: { type: 'button', 'data-from': String(older.version), 'aria-expanded': 'false' } }, ['Changes'])
          : h('span', { className: 'wb-templates-version-first' }, ['first kept version']),
        !v.current && this.options.mayInstall && this.options.onInstallVersion
          ? h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-templates-version-use', attrs: { type: 'button' } }, ['Install this version'])
          : null,
        !v.current && this.options.mayRestore ? h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-templates-version-restore', attrs: { type: 'button' } }, ['Restore']) : null,
      ]),
      h('div', { className: 'wb-templates-version-detail' }),
    ]);
  }

  private readonly onClick = (event: Event): void => {
    const target = event.target as Element;
    const item = target.closest<HTMLElement>('li.wb-templates-version');
    if (!item) return;
    const version = Number(item.dataset.version);
    const detail = item.querySelector<HTMLElement>('.wb-templates-version-detail')!;
    const changes = target.closest<HTMLButtonElement>('.wb-templates-version-changes');
    if (changes) {
      event.preventDefault();
      if (changes.getAttribute('aria-expanded') === 'true') {
        changes.setAttribute('aria-expanded', 'false');
        replaceChildren(detail, []);
      } else {
        changes.setAttribute('aria-expanded', 'true');
        void this.showChanges(detail, Number(changes.dataset.from), version);
      }
    } else if (target.closest('.wb-templates-version-use')) {
      event.preventDefault();
      this.options.onInstallVersion?.(version);
    } else if (target.closest('.wb-templates-version-restore')) {
      event.preventDefault();
      this.askRestore(detail, version);
    } else if (target.closest('.wb-templates-restore-confirm')) {
      event.preventDefault();
      void this.restore(detail, version);
    } else if (target.closest('.wb-templates-restore-cancel')) {
      event.preventDefault();
      detail.querySelector('.wb-templates-restore-ask')?.remove();
      item.querySelector<HTMLButtonElement>('.wb-templates-version-restore')?.focus();
    }
  };

  private async showChanges(detail: HTMLElement, from: number, to: number): Promise<void> {
    replaceChildren(detail, [h('div', { className: 'wb-templates-history-status', attrs: { role: 'status' } }, ['Loading changes…'])]);
    let diff: TemplateDiff;
    try {
      diff = await this.options.client.diff(this.template.name, from, to, { signal: this.controller.signal });
    } catch (err) {
      if (this.controller.signal.aborted) return;
      replaceChildren(detail, [h('div', { className: 'wb-error-box wb-templates-history-error', attrs: { role: 'alert' } }, [errorText(err, `compare versions ${from} and ${to}`)])]);
      return;
    }
    replaceChildren(detail, [diffView(diff)]);
  }

  private askRestore(detail: HTMLElement, version: number): void {
    if (detail.querySelector('.wb-templates-restore-ask')) return;
    const current = this.template.version ?? 1;
    const cancel = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-templates-restore-cancel', attrs: { type: 'button' } }, ['Cancel']);
    detail.prepend(
      h('div', { className: 'wb-templates-restore-ask', attrs: { role: 'alertdialog', 'aria-label': `Restore version ${version}?` } }, [
        h('span', {}, [`Restore version ${version}? It is saved as version ${current + 1} and installs take it from then on; every version stays in the history.`]),
        h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-templates-restore-confirm', attrs: { type: 'button' } }, ['Restore']),
        cancel,
      ]),
    );
    cancel.focus();
  }

  private async restore(detail: HTMLElement, version: number): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const confirm = detail.querySelector<HTMLButtonElement>('.wb-templates-restore-confirm');
    if (confirm) confirm.disabled = true;
    let restored: TemplateInfo;
    try {
      restored = await this.options.client.restore(this.template.name, version, this.template.version ?? 1, { signal: this.controller.signal });
    } catch (err) {
      if (this.controller.signal.aborted) return;
      detail.querySelector('.wb-templates-restore-ask')?.remove();
      detail.prepend(h('div', { className: 'wb-error-box wb-templates-history-error', attrs: { role: 'alert' } }, [errorText(err, `restore version ${version}`)]));
      return;
    } finally {
      this.busy = false;
    }
    this.template = restored;
    this.node.querySelector('summary')!.textContent = this.summaryText();
    this.options.onRestored(restored);
    await this.load(`Version ${version} restored as version ${restored.version ?? '?'}.`);
  }

  dispose(): void {
    this.controller.abort();
    this.node.removeEventListener('toggle', this.onToggle);
    this.node.removeEventListener('click', this.onClick);
  }
}

/** What changed from one version to another: the manifest, then each file that changed. */
function diffView(diff: TemplateDiff): HTMLElement {
  const changed = diff.files.filter((f) => f.status !== 'unchanged');
  const unchanged = diff.files.length - changed.length;
  return h('div', { className: 'wb-templates-diff', attrs: { 'data-from': String(diff.from), 'data-to': String(diff.to) } }, [
    h('div', { className: 'wb-templates-diff-title' }, [`Changes from version ${diff.from} to version ${diff.to}`]),
    diff.manifest.length > 0
      ? h('ul', { className: 'wb-templates-manifest-changes' }, diff.manifest.map((c) => h('li', { className: 'wb-templates-manifest-change', attrs: { 'data-field': c.field } }, [manifestChangeText(c)])))
      : null,
    ...changed.map((f) =>
      h('section', { className: 'wb-templates-file-change', attrs: { 'data-path': f.path, 'data-status': f.status, 'aria-label': `${f.path} ${f.status}` } }, [
        h('div', { className: 'wb-templates-file-change-head' }, [h('code', {}, [f.path]), h('span', { className: `wb-badge wb-templates-file-status`, attrs: { 'data-status': f.status } }, [f.status])]),
        ...(f.diff ? diffBody(diffModel(f.diff)) : []),
      ]),
    ),
    unchanged > 0 ? h('div', { className: 'wb-templates-hint' }, [`${unchanged} file${unchanged === 1 ? '' : 's'} unchanged`]) : null,
    diff.manifest.length === 0 && changed.length === 0 ? h('div', { className: 'wb-templates-hint' }, ['No changes: the two versions are the same.']) : null,
  ]);
}
