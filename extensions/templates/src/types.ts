/**
 * The templates API's shapes as the screens use them (server/templates:
 * manifest.ts, template-library.ts, template-diff.ts), checked by
 * `validate.ts`.
 */
import type { DiffResponse } from '@workbench/history';

export const PARAMETER_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'month', 'choice', 'connection'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export type ParameterValue = string | number | boolean;

export interface TemplateParameter {
  name: string;
  type: ParameterType;
  label: string;
  description: string;
  default?: ParameterValue;
  required: boolean;
  choices?: string[];
  /** Type connection: the kind of connection it must be (postgres, superset, ...). */
  connection_kind?: string;
}

export interface TemplateInfo {
  name: string;
  source: 'shipped' | 'user';
  title: string;
  description: string;
  /** The default destination folder. */
  folder: string;
  /** The file opened after install, relative to the template. */
  open?: string;
  parameters: TemplateParameter[];
  files: string[];
  pipelines: string[];
  created_by?: string;
  updated_by?: string;
  updated_at?: number;
  version?: number;
}

/** `GET api/templates/{name}/versions`: one saved version of a user's template. */
export interface TemplateVersion {
  version: number;
  title: string;
  files: string[];
  saved_by: string;
  /** Epoch milliseconds. */
  saved_at: number;
  /** The version a restore copied into this one. */
  restored_from?: number;
  /** The version installs take now. */
  current: boolean;
}

/** A change to a template's manifest: 'title', 'description', 'folder', 'open' or 'parameters.NAME'. */
export interface ManifestChange {
  field: string;
  old: string | TemplateParameter | null;
  new: string | TemplateParameter | null;
}

export type FileStatus = 'added' | 'removed' | 'modified' | 'unchanged';

export interface TemplateFileChange {
  path: string;
  status: FileStatus;
  /** Absent for unchanged files; `from`/`to` are the version numbers. */
  diff?: DiffResponse;
}

/** `GET api/templates/{name}/diff?from=&to=`. */
export interface TemplateDiff {
  template: string;
  from: number;
  to: number;
  manifest: ManifestChange[];
  files: TemplateFileChange[];
}

export interface InstalledPipeline {
  /** Absent when the server has no pipelines service (the file is still written). */
  id?: string;
  path: string;
}

export interface InstallResult {
  template: string;
  folder: string;
  files: string[];
  pipelines: InstalledPipeline[];
  open: string | null;
  values: Record<string, ParameterValue>;
}

/** What `POST api/templates` takes. */
export interface SaveRequest {
  name: string;
  paths: string[];
  title?: string;
  description?: string;
  folder?: string;
  open?: string;
  parameters?: Array<Omit<TemplateParameter, 'label' | 'description' | 'required'> & { label?: string; description?: string; required?: boolean }>;
  /** The version replaced; absent for a new template. */
  replace?: number;
}

/** A connection as the install dialog offers it. */
export interface ConnectionChoice {
  name: string;
  kind: string;
  description: string;
}

/** Who is signed in and what the server's role policy lets them do with templates. */
export interface TemplateAbilities {
  username: string;
  /** templates:execute */
  install: boolean;
  /** templates:write (save your own, delete your own) */
  save: boolean;
  /** templates-curate:write (replace and delete anyone's) */
  curate: boolean;
  /** pipelines:write (install a template holding a pipeline) */
  pipelines: boolean;
}
