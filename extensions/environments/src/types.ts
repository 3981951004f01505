/** `GET api/environments` as the screen uses it (server/environments: EnvironmentInfo), checked by validate.ts. */
export interface EnvironmentInfo {
  id: string;
  /** The project folder relative to the workspace root ('' for the root). */
  project: string;
  /** Its requirements file, relative to the workspace root. */
  file: string;
  /** Epoch milliseconds. */
  builtAt: number;
  lastUsedAt: number;
  sizeBytes: number;
  /** The project's requirements name it now (false: superseded, or the project is gone). */
  current: boolean;
  /** A running kernel uses it. */
  inUse: boolean;
}

export interface EnvironmentsAbilities {
  read: boolean;
  /** Delete and prune (engineers). */
  write: boolean;
}
