/**
 * The install dialog: one template (from its launcher card) or a choice of
 * several ("New Pipeline from Template…"), with what it is (shipped, or
 * saved by whom), its description and files, the destination folder (the
 * template's own until the user types another) and a field per parameter
 * (parameter-field.ts). Install sends folder and values; the server never
 * overwrites and checks every value, and any refusal stays in the dialog
 * with what was typed. A user's template can be deleted from here by its
 * author or a curator (after a confirmation in place), and its history
 * looked into and a version restored (template-history.ts).
 *
 * DOM hooks: `.jp-Dialog .wb-templates-install-form[data-template]`, the
 * choice list `li.wb-templates-choice[data-name]` (`input[type=radio]`),
 * `.wb-templates-title`, `.wb-templates-source`, `.wb-templates-description`,
 * `ul.wb-templates-files li`, `input.wb-templates-folder`,
 * `.wb-templates-fields` (parameter-field.ts), `.wb-templates-pipeline-note`,
 * `details.wb-templates-history` (template-history.ts),
 * `.wb-templates-version-note[data-version]` with `button.wb-templates-version-back`
 * (an older version chosen in the history),
 * `button.wb-templates-delete` (then `.wb-templates-delete-ask` with
 * `button.wb-templates-delete-confirm` / `-cancel`), `.wb-templates-form-error`; accept
 * `button.wb-templates-install`.
 */
import { Widget } from '@lumino/widgets';
import { h, replaceChildren } from '@workbench/lab-common';
import { showSubmitDialog } from '@workbench/lab-common/submit-dialog';
import { ParameterField } from './parameter-field';
import { TemplateHistory } from './template-history';
import { errorText } from './templates-api';
import type { TemplatesClient } from './templates-client';
import type { ConnectionChoice, InstallResult, ParameterValue, TemplateAbilities, TemplateInfo } from './types';

export interface InstallDialogOptions {
  client: TemplatesClient;
  /** At least one; the first is chosen unless `chosen` names another. */
  templates: readonly TemplateInfo[];
  chosen?: string;
  connections: readonly ConnectionChoice[];
  abilities: TemplateAbilities;
  /** Told after a template was deleted from the dialog (the launcher drops its card). */
  onDeleted?: (name: string) => void;
  /** Told after a version was restored (the launcher's card shows the template as it now is). */
  onRestored?: (template: TemplateInfo) => void;
}

let nextId = 0;

/** "Saved by anna", "Shipped with Workbench". */
export function sourceText(t: TemplateInfo): string {
  if (t.source === 'shipped') return 'Shipped with Workbench';
  return t.updated_by && t.updated_by !== t.created_by ? `Saved by ${t.created_by}, updated by ${t.updated_by}` : `Saved by ${t.created_by ?? 'a user'}`;
}

/** Whether the signed-in user may delete `t` (the server decides again). */
export function mayDelete(t: TemplateInfo, abilities: TemplateAbilities): boolean {
  return t.source === 'user' && abilities.save && (abilities.curate || t.created_by === abilities.username);
}

class InstallBody extends Widget {
  installed: InstallResult | null = null;
  private readonly uid = `wb-templates-install-${++nextId}`;
  private readonly templates: TemplateInfo[];
  private readonly form: HTMLFormElement;
  private readonly details: HTMLElement;
  private readonly folder: HTMLInputElement;
  private readonly errorNode: HTMLElement;
  private fields: ParameterField[] = [];
  private chosen: TemplateInfo;
  private folderTyped = false;
  private history: TemplateHistory | null = null;
  /** An older version chosen in the history (undefined: the current one). */
  private version: number | undefined;
  /** The template as it is now, while an older version is shown. */
  private current: TemplateInfo | null = null;

  constructor(private readonly options: InstallDialogOptions) {
    super();
    this.templates = [...options.templates];
    this.chosen = this.templates.find((t) => t.name === options.chosen) ?? this.templates[0]!;
    this.addClass('wb-themed');
    this.addClass('wb-templates-body');
    this.folder = h('input', { className: 'jp-mod-styled wb-input wb-templates-folder', attrs: { id: `${this.uid}-folder`, type: 'text', spellcheck: 'false', autocomplete: 'off', maxlength: '800', 'aria-describedby': `${this.uid}-folder-hint` } });
    this.errorNode = h('div', { className: 'wb-error-box wb-templates-form-error', attrs: { role: 'alert' } });
    this.errorNode.hidden = true;
    this.details = h('div', { className: 'wb-templates-details' });
    const choices =
      this.templates.length > 1
        ? h(
            'ul',
            { className: 'wb-templates-choices', attrs: { role: 'radiogroup', 'aria-label': 'Templates' } },
            this.templates.map((t, i) =>
              h('li', { className: 'wb-templates-choice', attrs: { 'data-name': t.name } }, [
                h('label', { attrs: { for: `${this.uid}-t${i}` } }, [
                  h('input', { attrs: { id: `${this.uid}-t${i}`, type: 'radio', name: `${this.uid}-choice`, value: t.name, ...(t === this.chosen && { checked: '' }) } }),
                  h('span', {}, [t.title]),
                ]),
              ]),
            ),
          )
        : null;
    this.form = h('form', { className: 'wb-templates-form wb-templates-install-form', attrs: { novalidate: '', 'data-template': this.chosen.name } }, [choices, this.details, this.errorNode]);
    this.node.append(this.form);
    this.form.addEventListener('change', this.onChange);
    this.form.addEventListener('click', this.onClick);
    this.folder.addEventListener('input', this.onFolder);
    this.showTemplate(this.chosen);
  }

  /** The history section of a user's template; kept while the same template stays chosen (a restore re-shows it). */
  private historyOf(t: TemplateInfo): TemplateHistory | null {
    if (this.history?.name === t.name) return this.history;
    this.history?.dispose();
    this.history = null;
    if (t.source !== 'user') return null;
    this.history = new TemplateHistory({
      client: this.options.client,
      template: t,
      mayRestore: mayDelete(t, this.options.abilities),
      onRestored: this.onRestored,
      mayInstall: this.options.abilities.install,
      onInstallVersion: (v) => void this.showVersion(t.name, v),
    });
    return this.history;
  }

  private readonly onRestored = (t: TemplateInfo): void => {
    const i = this.templates.findIndex((x) => x.name === t.name);
    if (i >= 0) this.templates[i] = t;
    this.options.onRestored?.(t);
    if (this.chosen.name === t.name) this.showTemplate(t);
  };

  /** Shows, and will install, an older version of the chosen template. */
  private async showVersion(name: string, version: number): Promise<void> {
    let old: TemplateInfo;
    try {
      old = await this.options.client.get(name, { version });
    } catch (err) {
      this.fail(errorText(err, `load version ${version} of template ${name}`));
      return;
    }
    if (this.chosen.name !== name) return; // another template was chosen meanwhile
    const current = this.current ?? this.chosen;
    this.showTemplate(old, version);
    this.current = current;
  }

  private showTemplate(t: TemplateInfo, version?: number): void {
    this.version = version;
    this.current = null;
    this.chosen = t;
    this.form.dataset.template = t.name;
    if (!this.folderTyped) this.folder.value = t.folder;
    this.fields = t.parameters.map((p) => new ParameterField(p, this.options.connections, this.uid));
    const pipelineNote =
      t.pipelines.length > 0
        ? h('p', { className: 'wb-templates-pipeline-note', attrs: { 'data-allowed': String(this.options.abilities.pipelines) } }, [
            this.options.abilities.pipelines ? `Holds ${t.pipelines.length === 1 ? 'a pipeline' : `${t.pipelines.length} pipelines`}: registered to run as you, schedules included.` : 'Holds a pipeline: installing it needs the engineer role or higher (registering pipelines).',
          ])
        : null;
    const versionNote =
      version === undefined
        ? null
        : h('div', { className: 'wb-templates-version-note', attrs: { role: 'status', 'data-version': String(version) } }, [
            h('span', {}, [`Installing version ${version}, not the current one: its files, folder and parameters as they were then.`]),
            h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-templates-version-back', attrs: { type: 'button' } }, ['Use the current version']),
          ]);
    replaceChildren(this.details, [
      versionNote,
      h('div', { className: 'wb-templates-head' }, [
        h('h3', { className: 'wb-templates-title' }, [t.title]),
        h('span', { className: `wb-badge wb-templates-source`, attrs: { 'data-source': t.source } }, [sourceText(t)]),
        mayDelete(t, this.options.abilities) ? h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-templates-delete', attrs: { type: 'button' } }, ['Delete template']) : null,
      ]),
      t.description ? h('p', { className: 'wb-templates-description' }, [t.description]) : null,
      h('details', { className: 'wb-templates-files-details' }, [
        h('summary', {}, [t.files.length === 1 ? '1 file' : `${t.files.length} files`]),
        h('ul', { className: 'wb-templates-files' }, t.files.map((f) => h('li', {}, [h('code', {}, [f])]))),
      ]),
      this.historyOf(t)?.node ?? null,
      pipelineNote,
      h('div', { className: 'wb-field', attrs: { 'data-field': 'folder' } }, [
        h('label', { className: 'wb-label', attrs: { for: this.folder.id } }, ['Destination folder']),
        this.folder,
        h('span', { className: 'wb-templates-hint', attrs: { id: `${this.uid}-folder-hint` } }, ['A workspace folder; nothing is overwritten: if one of the files exists there, nothing is written.']),
      ]),
      this.fields.length > 0
        ? h('fieldset', { className: 'wb-templates-fields' }, [h('legend', {}, ['Parameters']), ...this.fields.map((f) => f.node)])
        : h('p', { className: 'wb-templates-hint' }, ['This template has no parameters.']),
    ]);
    this.errorNode.hidden = true;
  }

  private readonly onChange = (event: Event): void => {
    const input = event.target as HTMLInputElement;
    if (input.type !== 'radio') return;
    const t = this.templates.find((x) => x.name === input.value);
    if (t) this.showTemplate(t);
  };

  /** Delete asks in place (a dialog over this dialog would fight it for focus and clicks), then deletes. */
  private readonly onClick = (event: Event): void => {
    const target = event.target as Element;
    if (target.closest('.wb-templates-delete')) {
      event.preventDefault();
      this.askDelete();
    } else if (target.closest('.wb-templates-delete-confirm')) {
      event.preventDefault();
      void this.deleteChosen();
    } else if (target.closest('.wb-templates-version-back')) {
      event.preventDefault();
      if (this.current) this.showTemplate(this.current);
    } else if (target.closest('.wb-templates-delete-cancel')) {
      event.preventDefault();
      this.details.querySelector('.wb-templates-delete-ask')?.remove();
      this.details.querySelector<HTMLButtonElement>('.wb-templates-delete')?.focus();
    }
  };

  private askDelete(): void {
    if (this.details.querySelector('.wb-templates-delete-ask')) return;
    const t = this.chosen;
    const keep = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-templates-delete-cancel', attrs: { type: 'button' } }, ['Keep it']);
    const ask = h('div', { className: 'wb-templates-delete-ask', attrs: { role: 'alertdialog', 'aria-label': `Delete template ${t.title}?` } }, [
      h('span', {}, [`Delete ${t.title} from the library for everyone? Files already installed from it stay.`]),
      h('button', { className: 'jp-Button jp-mod-styled jp-mod-warn wb-templates-delete-confirm', attrs: { type: 'button' } }, ['Delete']),
      keep,
    ]);
    this.details.querySelector('.wb-templates-head')!.after(ask);
    keep.focus();
  }

  private readonly onFolder = (): void => {
    this.folderTyped = true;
  };

  private async deleteChosen(): Promise<void> {
    const t = this.chosen;
    try {
      await this.options.client.remove(t.name);
    } catch (err) {
      this.fail(errorText(err, `delete template ${t.name}`));
      return;
    }
    this.options.onDeleted?.(t.name);
    this.templates.splice(this.templates.indexOf(t), 1);
    this.form.querySelector(`li.wb-templates-choice[data-name="${CSS.escape(t.name)}"]`)?.remove();
    const next = this.templates[0];
    if (next) {
      const radio = this.form.querySelector<HTMLInputElement>(`li.wb-templates-choice[data-name="${CSS.escape(next.name)}"] input`);
      if (radio) radio.checked = true;
      this.showTemplate(next);
    } else {
      this.historyOf(t)?.dispose();
      this.history = null;
      replaceChildren(this.details, [h('p', { className: 'wb-templates-deleted', attrs: { role: 'status' } }, [`Template ${t.title} was deleted.`])]);
      this.fields = [];
    }
  }

  async submit(signal: AbortSignal): Promise<boolean> {
    this.errorNode.hidden = true;
    if (this.templates.length === 0) return false;
    const folder = this.folder.value.trim().replace(/^\/+|\/+$/g, '');
    if (folder === '') return this.fail('Give a destination folder.', this.folder);
    const values: Record<string, ParameterValue> = {};
    for (const f of this.fields) {
      const v = f.value();
      if (v !== undefined) values[f.parameter.name] = v;
      else if (f.parameter.required && f.parameter.default === undefined) return this.fail(`Give a value for ${f.parameter.label}.`, f);
    }
    try {
      this.installed = await this.options.client.install(this.chosen.name, folder, values, { signal, version: this.version });
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      const text = errorText(err, `install template ${this.chosen.name}`);
      const named = this.fields.find((f) => text.includes(`parameter ${f.parameter.name} `));
      return this.fail(text, named ?? this.folder);
    }
  }

  private fail(text: string, focus?: { focus(): void }): false {
    this.errorNode.textContent = text;
    this.errorNode.hidden = false;
    this.errorNode.scrollIntoView({ block: 'nearest' });
    focus?.focus();
    return false;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.form.removeEventListener('change', this.onChange);
    this.form.removeEventListener('click', this.onClick);
    this.folder.removeEventListener('input', this.onFolder);
    this.history?.dispose();
    super.dispose();
  }
}

/** The dialog; resolves with what was installed, or null when closed without installing. */
export async function showInstallDialog(options: InstallDialogOptions, title = 'New from template'): Promise<InstallResult | null> {
  if (options.templates.length === 0) return null;
  const body = new InstallBody(options);
  const ok = await showSubmitDialog({ className: 'wb-templates-dialog', title, body, acceptLabel: 'Install', acceptClass: 'wb-templates-install', focusNodeSelector: '.wb-templates-folder' });
  return ok ? body.installed : null;
}
