/**
 * "Save as template": workspace files or a folder saved as a user's
 * template (`POST api/templates`, server/templates template-library.ts
 * save()). The dialog shows what is saved and asks for the name (a slug,
 * from the first path), title, description, default folder (a single
 * folder's own name, else the slug, following the name until typed) and
 * the parameters (`ParametersEditor`, starting from those guessed from the
 * notebook's parameters cell).
 *
 * A name in the current list: a shipped template's cannot be used; a
 * user's template the user may replace (theirs, or any when they curate)
 * offers "Replace version N saved by X", which must be ticked (the request
 * then says `replace: N`, and the server refuses if it changed since);
 * anyone else's says whose it is. Client-side problems (the server's rules,
 * save-form.ts and parameter-rows.ts) are shown before anything is sent;
 * the server's refusal stays in the dialog with what was typed.
 *
 * Paths are workspace paths; one ending in "/", or whose last segment has
 * no extension, is taken as a folder.
 *
 * DOM hooks: `.jp-Dialog.wb-templates-dialog .wb-templates-save-form[data-clash=none|shipped|replaceable|foreign]`
 * with `.wb-templates-save-paths code`, `input.wb-templates-save-name`, `.wb-templates-save-clash`,
 * `input.wb-templates-save-replace`, `input.wb-templates-save-title`, `textarea.wb-templates-save-description`,
 * `input.wb-templates-save-folder`, the parameters editor (`.wb-templates-params`, parameters-editor.ts),
 * `.wb-templates-save-note`, `.wb-templates-form-error`; accept `button.wb-templates-save-submit`.
 */
import { Widget } from '@lumino/widgets';
import { h, replaceChildren } from '@workbench/lab-common';
import { showSubmitDialog, type SubmitBody } from '@workbench/lab-common/submit-dialog';
import type { GuessedParameter } from './detect-parameters';
import { ParametersEditor } from './parameters-editor';
import { folderProblem, nameClash, nameProblem, saveFormStart, type NameClash } from './save-form';
import { errorText } from './templates-api';
import type { TemplatesClient } from './templates-client';
import type { SaveRequest, TemplateAbilities, TemplateInfo } from './types';

export interface SaveTemplateOptions {
  client: TemplatesClient;
  /** Workspace files and folders to save (1 to 50). */
  paths: readonly string[];
  /** The current list, to tell a name clash. */
  templates: readonly TemplateInfo[];
  abilities: TemplateAbilities;
  /** Parameters to start with (guessParameters of the notebook). */
  guessed?: readonly GuessedParameter[];
}

let nextId = 0;

class SaveBody extends Widget implements SubmitBody {
  saved: TemplateInfo | null = null;
  private readonly options: SaveTemplateOptions;
  private readonly uid = `wb-templates-save-${++nextId}`;
  private readonly form: HTMLFormElement;
  private readonly nameInput: HTMLInputElement;
  private readonly titleInput: HTMLInputElement;
  private readonly descriptionInput: HTMLTextAreaElement;
  private readonly folderInput: HTMLInputElement;
  private readonly clashNode: HTMLElement;
  private readonly errorNode: HTMLElement;
  private readonly editor: ParametersEditor;
  private replaceBox: HTMLInputElement | null = null;
  private clashKey = '';
  private folderFollowsName: boolean;

  constructor(options: SaveTemplateOptions) {
    super();
    this.options = options;
    this.addClass('wb-themed');
    this.addClass('wb-templates-save-body');
    const start = saveFormStart(options.paths);
    this.folderFollowsName = start.folderFollowsName;
    const input = (field: string, value: string, attrs: Record<string, string> = {}) => {
      const el = h('input', { className: `jp-mod-styled wb-input wb-templates-save-${field}`, attrs: { id: `${this.uid}-${field}`, type: 'text', autocomplete: 'off', 'aria-describedby': `${this.uid}-${field}-hint`, ...attrs } });
      el.value = value;
      return el;
    };
    this.nameInput = input('name', start.name, { maxlength: '64', spellcheck: 'false', 'aria-describedby': `${this.uid}-name-hint ${this.uid}-clash` });
    this.titleInput = input('title', start.title, { maxlength: '120' });
    this.folderInput = input('folder', start.folder, { maxlength: '300', spellcheck: 'false' });
    this.descriptionInput = h('textarea', { className: 'jp-mod-styled wb-input wb-templates-save-description', attrs: { id: `${this.uid}-description`, rows: '3', maxlength: '2000', 'aria-describedby': `${this.uid}-description-hint` } });
    this.clashNode = h('div', { className: 'wb-templates-save-clash', attrs: { id: `${this.uid}-clash`, 'aria-live': 'polite' } });
    this.errorNode = h('div', { className: 'wb-error-box wb-templates-form-error', attrs: { role: 'alert' } });
    this.errorNode.hidden = true;
    this.editor = new ParametersEditor(options.guessed ?? []);
    const field = (key: string, label: string, control: HTMLElement, hint: string, extra?: HTMLElement) =>
      h('div', { className: 'wb-field wb-templates-save-field', attrs: { 'data-field': key } }, [
        h('label', { className: 'wb-label', attrs: { for: control.id } }, [label]),
        control,
        h('span', { className: 'wb-templates-hint', attrs: { id: `${this.uid}-${key}-hint` } }, [hint]),
        extra,
      ]);
    const paths = options.paths;
    this.form = h('form', { className: 'wb-templates-save-form', attrs: { novalidate: '', 'data-clash': 'none' } }, [
      paths.length === 1
        ? h('p', { className: 'wb-dialog-text wb-templates-save-paths' }, ['Saves ', h('code', {}, [paths[0]!]), ' as a template others can install.'])
        : h('div', { className: 'wb-dialog-text wb-templates-save-paths' }, [
            h('p', {}, [`Saves these ${paths.length} files and folders as a template others can install:`]),
            h('ul', {}, paths.map((p) => h('li', {}, [h('code', {}, [p])]))),
          ]),
      h('div', { className: 'wb-templates-save-row' }, [
        field('name', 'Name', this.nameInput, 'Its id: lowercase letters, digits and -.', this.clashNode),
        field('title', 'Title', this.titleInput, 'As the templates list shows it.'),
      ]),
      field('description', 'Description', this.descriptionInput, 'What it does and when to use it (optional).'),
      field('folder', 'Default folder', this.folderInput, 'Where it installs unless the installer picks another.'),
      h('fieldset', { className: 'wb-templates-save-params' }, [
        h('legend', { className: 'wb-label' }, ['Parameters']),
        h('p', { className: 'wb-templates-hint' }, [
          (options.guessed?.length ?? 0) > 0
            ? 'Read from the notebook’s "parameters" cell: check them. Each is asked for at install.'
            : 'Values asked for at install (a notebook’s "parameters" cell gets them).',
        ]),
        this.editor.node,
      ]),
      h('p', { className: 'wb-templates-save-note' }, ['Outputs are cleared: a template carries code, not results.']),
      this.errorNode,
    ]);
    this.node.append(this.form);
    this.nameInput.addEventListener('input', this.onName);
    this.folderInput.addEventListener('input', this.onFolder);
    this.showClash();
  }

  private clash(): NameClash {
    return nameClash(this.nameInput.value.trim(), this.options.templates, this.options.abilities);
  }

  /** The message or checkbox for the typed name; rebuilt only when the clash changes (a ticked box stays ticked). */
  private showClash(): void {
    const clash = this.clash();
    const key = clash.kind === 'none' ? 'none' : `${clash.kind}:${clash.template.name}:${clash.template.version ?? ''}`;
    if (key === this.clashKey) return;
    this.clashKey = key;
    this.form.dataset.clash = clash.kind;
    this.replaceBox = null;
    const name = clash.kind === 'none' ? '' : clash.template.name;
    let content: HTMLElement | null = null;
    if (clash.kind === 'shipped') content = h('p', { className: 'wb-templates-save-taken' }, [`The name ${name} is taken by a template shipped with Workbench: choose another.`]);
    else if (clash.kind === 'foreign') content = h('p', { className: 'wb-templates-save-taken' }, [`A template named ${name} exists and belongs to ${clash.owner}: choose another name.`]);
    else if (clash.kind === 'replaceable') {
      this.replaceBox = h('input', { className: 'wb-templates-save-replace', attrs: { id: `${this.uid}-replace`, type: 'checkbox' } });
      content = h('div', { className: 'wb-templates-save-replace-field' }, [
        this.replaceBox,
        h('label', { attrs: { for: this.replaceBox.id } }, [`Replace version ${clash.version} saved by ${clash.savedBy}`]),
      ]);
    }
    replaceChildren(this.clashNode, [content]);
    this.clashNode.hidden = content === null;
  }

  private readonly onName = (): void => {
    if (this.folderFollowsName) this.folderInput.value = this.nameInput.value.trim();
    this.showClash();
  };

  private readonly onFolder = (): void => {
    this.folderFollowsName = false;
  };

  async submit(signal: AbortSignal): Promise<boolean> {
    this.errorNode.hidden = true;
    this.showClash();
    for (const el of [this.nameInput, this.titleInput, this.descriptionInput, this.folderInput, this.replaceBox]) el?.removeAttribute('aria-invalid');
    const name = this.nameInput.value.trim();
    const problem = nameProblem(name);
    if (problem) return this.fail(problem, this.nameInput);
    const clash = this.clash();
    if (clash.kind === 'shipped') return this.fail(`The name ${name} is taken by a template shipped with Workbench: choose another.`, this.nameInput);
    if (clash.kind === 'foreign') return this.fail(`A template named ${name} belongs to ${clash.owner}: choose another name.`, this.nameInput);
    if (clash.kind === 'replaceable' && !this.replaceBox?.checked) {
      return this.fail(`A template named ${name} exists: tick "Replace version ${clash.version}" to replace it, or choose another name.`, this.replaceBox ?? this.nameInput);
    }
    const title = this.titleInput.value.trim();
    if (title === '') return this.fail('Give the template a title.', this.titleInput);
    const folder = this.folderInput.value.trim().replace(/\/+$/, '');
    const badFolder = folderProblem(folder);
    if (badFolder) return this.fail(badFolder, this.folderInput);
    const badParameter = this.editor.problem();
    if (badParameter) return this.fail(badParameter, this.editor.node.querySelector<HTMLElement>('[aria-invalid="true"]'));
    const request: SaveRequest = { name, paths: [...this.options.paths], title, parameters: this.editor.value() };
    const description = this.descriptionInput.value.trim();
    if (description !== '') request.description = description;
    if (folder !== '') request.folder = folder;
    if (clash.kind === 'replaceable') request.replace = clash.version;
    try {
      this.saved = await this.options.client.save(request, { signal });
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      return this.fail(errorText(err, `save template ${name}`));
    }
  }

  /** Shows `text` under the form, marks and focuses `control` when given. */
  private fail(text: string, control?: HTMLElement | null): false {
    this.errorNode.textContent = text;
    this.errorNode.hidden = false;
    control?.setAttribute('aria-invalid', 'true');
    this.errorNode.scrollIntoView({ block: 'nearest' });
    control?.focus();
    return false;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.nameInput.removeEventListener('input', this.onName);
    this.folderInput.removeEventListener('input', this.onFolder);
    this.editor.dispose();
    super.dispose();
  }
}

/** The Save as template dialog; resolves with the saved template, or null when it was closed (or there is nothing to save). */
export async function showSaveTemplateDialog(options: SaveTemplateOptions): Promise<TemplateInfo | null> {
  if (options.paths.length === 0) return null;
  const body = new SaveBody(options);
  const ok = await showSubmitDialog({
    title: 'Save as template',
    body,
    acceptLabel: 'Save template',
    acceptClass: 'wb-templates-save-submit',
    className: 'wb-templates-dialog',
    focusNodeSelector: '.wb-templates-save-name',
  });
  return ok ? body.saved : null;
}
