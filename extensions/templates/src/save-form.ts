/**
 * What the Save as Template dialog works out without the DOM: the fields
 * it starts with (from the paths being saved), whether the typed name
 * clashes with a template in the list and what the user may then do, and
 * the server's rules for the name and the folder (server/templates
 * manifest.ts TEMPLATE_NAME, isFolder). Pure.
 */
import type { TemplateAbilities, TemplateInfo } from './types';

/** A template's name, also its id in URLs. */
export const TEMPLATE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const FOLDER = /^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,99}(\/[A-Za-z0-9_][A-Za-z0-9_ .-]{0,99}){0,7}$/;

export interface SaveFormStart {
  name: string;
  title: string;
  folder: string;
  /** The folder is the name's slug: it follows the name until the user types one. */
  folderFollowsName: boolean;
}

/** The last segment of a workspace path ("a/b/c.ipynb" -> "c.ipynb", "a/b/" -> "b"). */
export function baseName(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() ?? '';
}

/** A folder path: ends with "/", or its last segment has no extension. */
export function isFolderPath(path: string): boolean {
  return /\/$/.test(path.trim()) || !/.\.[A-Za-z0-9]+$/.test(baseName(path));
}

/** The last segment without its extension (`.pipeline.yaml` as one); a folder's whole. */
export function stemOf(path: string): string {
  const base = baseName(path);
  return isFolderPath(path) ? base : base.replace(/\.pipeline\.ya?ml$/i, '').replace(/(.)\.[A-Za-z0-9]+$/, '$1');
}

/** "Month-End Clôture (v2)" -> "month-end-cloture-v2": lowercase, accents off, other runs -> "-", at most 64. */
export function slugFrom(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

/** "month_end-close" -> "Month end close". */
export function titleFrom(stem: string): string {
  const words = stem.replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim();
  return (words.charAt(0).toUpperCase() + words.slice(1)).slice(0, 120);
}

export function saveFormStart(paths: readonly string[]): SaveFormStart {
  const first = paths[0] ?? '';
  const stem = stemOf(first);
  const name = slugFrom(stem);
  const oneFolder = paths.length === 1 && isFolderPath(first) && baseName(first) !== '';
  return { name, title: titleFrom(stem), folder: oneFolder ? baseName(first) : name, folderFollowsName: !oneFolder };
}

/** What a typed name runs into in the current list. */
export type NameClash =
  | { kind: 'none' }
  /** A template shipped with Workbench: the name cannot be used. */
  | { kind: 'shipped'; template: TemplateInfo }
  /** A user's template the signed-in user may replace (theirs, or they curate). */
  | { kind: 'replaceable'; template: TemplateInfo; version: number; savedBy: string }
  /** Someone else's, and the user may not replace it. */
  | { kind: 'foreign'; template: TemplateInfo; owner: string };

export function nameClash(name: string, templates: readonly TemplateInfo[], abilities: TemplateAbilities): NameClash {
  const template = templates.find((t) => t.name === name);
  if (!template) return { kind: 'none' };
  if (template.source === 'shipped') return { kind: 'shipped', template };
  const owner = template.created_by ?? 'someone else';
  // The server lets the author, or a curator, replace (template-library.ts save()).
  const mine = abilities.username !== '' && template.created_by === abilities.username;
  if ((mine || abilities.curate) && template.version !== undefined) return { kind: 'replaceable', template, version: template.version, savedBy: template.updated_by ?? owner };
  return { kind: 'foreign', template, owner };
}

/** The name's problem in words, or null. */
export function nameProblem(name: string): string | null {
  if (name === '') return 'Give the template a name.';
  if (!TEMPLATE_NAME.test(name)) return 'The name must be 1 to 64 lowercase letters, digits and - (starting with a letter or a digit).';
  return null;
}

/** The folder's problem in words, or null (empty: the server picks one). */
export function folderProblem(folder: string): string | null {
  if (folder === '') return null;
  const ok = FOLDER.test(folder) && !folder.split('/').some((s) => s === '..' || s === '.' || s.startsWith('.'));
  return ok ? null : 'The default folder must be a relative workspace path of letters, digits, _ - . and spaces (no segment starting with a dot).';
}
