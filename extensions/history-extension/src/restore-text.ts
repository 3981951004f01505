/** What the restore confirmation says. Pure. */
import type { VersionInfo } from '@workbench/history';

export interface RestoreTextOptions {
  /** Relative time of the version, e.g. "3 hours ago". */
  when: string;
  /** Some open editor of the file has unsaved changes. */
  dirty: boolean;
}

export function restoreConfirmation(path: string, version: Pick<VersionInfo, 'short' | 'author' | 'message'>, options: RestoreTextOptions): string[] {
  const who = version.author.name || version.author.email || 'unknown author';
  const lines = [
    `Restore ${path} to version ${version.short} (${options.when}, ${who}: "${version.message || 'no message'}")?`,
    'The restored content is saved as a new version; no version is lost.',
  ];
  if (options.dirty) lines.push('Unsaved changes in the open editor will be discarded.');
  return lines;
}
