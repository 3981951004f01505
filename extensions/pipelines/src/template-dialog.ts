/**
 * "New pipeline from template…": the templates shipped with Workbench
 * (`GET api/templates`), each with its title, description and files, one
 * chosen; the destination folder (the chosen template's own folder until
 * the user types another). Install copies the files and registers the
 * pipelines (`POST api/templates/{name}/install`); the server never
 * overwrites, so a file that exists is refused before anything is
 * written, and that refusal (or any other) stays in the dialog with what
 * was typed.
 *
 * DOM hooks: `.jp-Dialog .wb-pipelines-template-form[data-template]` with
 * `li.wb-pipelines-template[data-name]` (`input.wb-pipelines-template-choice`, `.wb-pipelines-template-title`,
 * `.wb-pipelines-template-description`, `ul.wb-pipelines-template-files li`), `input.wb-pipelines-template-folder`,
 * `.wb-pipelines-form-error`; accept `button.wb-pipelines-template-install`.
 */
import { Widget } from '@lumino/widgets';
import { h } from '@workbench/lab-common';
import { plural } from './format';
import { errorText } from './pipelines-api';
import type { PipelinesClient } from './pipelines-client';
import { showSubmitDialog } from './submit-dialog';
import type { TemplateInfo, TemplateInstall } from './types';

export interface TemplateDialogOptions {
  client: PipelinesClient;
  /** As `GET api/templates` answered; at least one. */
  templates: readonly TemplateInfo[];
}

let nextId = 0;

class TemplateBody extends Widget {
  installed: TemplateInstall | null = null;
  private readonly options: TemplateDialogOptions;
  private readonly uid = `wb-pipelines-template-${++nextId}`;
  private readonly form: HTMLFormElement;
  private readonly folder: HTMLInputElement;
  private readonly errorNode: HTMLElement;
  private chosen: TemplateInfo;
  /** The user typed a folder: choosing another template keeps it. */
  private folderTyped = false;

  constructor(options: TemplateDialogOptions) {
    super();
    this.options = options;
    this.chosen = options.templates[0]!;
    this.addClass('wb-themed');
    this.addClass('wb-pipelines-dialog-body');
    this.addClass('wb-pipelines-template-body');
    this.folder = h('input', {
      className: 'jp-mod-styled wb-input wb-pipelines-template-folder',
      attrs: { id: `${this.uid}-folder`, type: 'text', spellcheck: 'false', autocomplete: 'off', maxlength: '800', 'aria-describedby': `${this.uid}-folder-hint` },
    });
    this.folder.value = this.chosen.folder;
    this.errorNode = h('div', { className: 'wb-error-box wb-pipelines-form-error', attrs: { role: 'alert' } });
    this.errorNode.hidden = true;
    const list = h(
      'ul',
      { className: 'wb-pipelines-templates', attrs: { role: 'radiogroup', 'aria-label': 'Templates' } },
      options.templates.map((t, i) =>
        h('li', { className: 'wb-pipelines-template', attrs: { 'data-name': t.name } }, [
          h('label', { className: 'wb-pipelines-template-head', attrs: { for: `${this.uid}-t${i}` } }, [
            h('input', { className: 'wb-pipelines-template-choice', attrs: { id: `${this.uid}-t${i}`, type: 'radio', name: `${this.uid}-choice`, value: t.name, ...(i === 0 && { checked: '' }) } }),
            h('span', { className: 'wb-pipelines-template-title' }, [t.title]),
          ]),
          t.description ? h('p', { className: 'wb-pipelines-template-description' }, [t.description]) : null,
          h('details', { className: 'wb-pipelines-template-details' }, [
            h('summary', {}, [plural(t.files.length, 'file')]),
            h('ul', { className: 'wb-pipelines-template-files' }, t.files.map((f) => h('li', {}, [h('code', {}, [f])]))),
          ]),
        ]),
      ),
    );
    this.form = h('form', { className: 'wb-pipelines-form wb-pipelines-template-form', attrs: { novalidate: '', 'data-template': this.chosen.name } }, [
      list,
      h('div', { className: 'wb-field wb-pipelines-field', attrs: { 'data-field': 'folder' } }, [
        h('label', { className: 'wb-label', attrs: { for: this.folder.id } }, ['Destination folder']),
        this.folder,
        h('span', { className: 'wb-pipelines-hint', attrs: { id: `${this.uid}-folder-hint` } }, ['A workspace folder; nothing is overwritten: if a file exists there, nothing is written.']),
      ]),
      this.errorNode,
    ]);
    this.node.append(this.form);
    this.form.addEventListener('change', this.onChange);
    this.folder.addEventListener('input', this.onFolder);
  }

  private readonly onChange = (event: Event): void => {
    const input = event.target as HTMLInputElement;
    if (!input.classList.contains('wb-pipelines-template-choice')) return;
    const t = this.options.templates.find((x) => x.name === input.value);
    if (!t) return;
    this.chosen = t;
    this.form.dataset.template = t.name;
    if (!this.folderTyped) this.folder.value = t.folder;
    this.errorNode.hidden = true;
  };

  private readonly onFolder = (): void => {
    this.folderTyped = true;
  };

  async submit(signal: AbortSignal): Promise<boolean> {
    this.errorNode.hidden = true;
    const folder = this.folder.value.trim().replace(/^\/+|\/+$/g, '');
    if (folder === '') return this.fail('Give a destination folder.');
    try {
      this.installed = await this.options.client.installTemplate(this.chosen.name, folder, { signal });
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      return this.fail(errorText(err, `install template ${this.chosen.name}`));
    }
  }

  private fail(text: string): false {
    this.errorNode.textContent = text;
    this.errorNode.hidden = false;
    this.errorNode.scrollIntoView({ block: 'nearest' });
    this.folder.focus();
    return false;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.form.removeEventListener('change', this.onChange);
    this.folder.removeEventListener('input', this.onFolder);
    super.dispose();
  }
}

/** The dialog; resolves with what was installed, or null when it was closed. */
export async function showTemplateDialog(options: TemplateDialogOptions): Promise<TemplateInstall | null> {
  if (options.templates.length === 0) return null;
  const body = new TemplateBody(options);
  const ok = await showSubmitDialog({ title: 'New pipeline from template', body, acceptLabel: 'Install', acceptClass: 'wb-pipelines-template-install', focusNodeSelector: '.wb-pipelines-template-choice' });
  return ok ? body.installed : null;
}
