/** The contents model, as jupyter_server's REST API returns it. */
export type ContentType = 'notebook' | 'file' | 'directory';
export type ContentFormat = 'json' | 'text' | 'base64' | null;

export interface ContentsModel {
  name: string;
  path: string;
  type: ContentType;
  writable: boolean;
  created: string;
  last_modified: string;
  size: number | null;
  mimetype: string | null;
  content: unknown;
  format: ContentFormat;
  hash?: string;
  hash_algorithm?: string;
  /** Validation message for notebooks that do not validate (jupyter_server's "message"). */
  message?: string;
}

export interface Checkpoint {
  id: string;
  last_modified: string;
}

export interface Author {
  name: string;
  email: string;
}

export type ContentsEvent =
  | { type: 'saved'; path: string; user: Author }
  | { type: 'created'; path: string; user: Author }
  | { type: 'renamed'; path: string; oldPath: string; user: Author }
  | { type: 'deleted'; path: string; user: Author };

/**
 * Versioning behind checkpoints and history (git in production). The
 * contents manager calls it after every change; it decides when to commit.
 */
export interface VersionStore {
  recordSave(path: string, user: Author): void;
  /** Commit the path now (if changed) and return the checkpoint for its latest version. */
  checkpoint(path: string, user: Author): Promise<Checkpoint>;
  /** Oldest first (JupyterLab restores the last one). */
  listCheckpoints(path: string): Promise<Checkpoint[]>;
  /** The file's bytes at a version. */
  contentAt(path: string, version: string): Promise<Buffer>;
  /** Commit a restore that the contents manager has written to disk. */
  /** Commit what is pending for the path (autosaves) now, before the file is overwritten. */
  settle(path: string): Promise<void>;
  recordRestore(path: string, version: string, user: Author): Promise<void>;
  recordRename(from: string, to: string, user: Author): Promise<void>;
  recordDelete(path: string, user: Author): Promise<void>;
  /** Drop a checkpoint: versions in git are permanent, so this only hides nothing and succeeds. */
  deleteCheckpoint(path: string, id: string): Promise<void>;
}
