/** What every pipelines screen is given by the plugin. */
import type { PipelinesClient } from './pipelines-client';
import type { PipelinesAbilities } from './types';

export interface ScreenOptions {
  client: PipelinesClient;
  /** What the user may do (asked once by the plugin); default: read only. */
  abilities?: () => Promise<PipelinesAbilities>;
  onOpenPipeline: (id: string) => void;
  onOpenRun: (runId: string) => void;
  /** Opens a workspace file (a notebook, the YAML) in its editor. */
  onOpenFile: (path: string) => void;
  /** "New pipeline from template…" (the list offers it to users who may write pipelines when given). */
  onNewFromTemplate?: () => void;
  now?: () => number;
  /** Reload period while shown (default per screen). */
  pollMs?: number;
}

export const READ_ONLY: PipelinesAbilities = { execute: false, write: false, schedule: false };

/** The user's abilities, read-only when they cannot be read (the server decides anyway). */
export function abilitiesOf(options: Pick<ScreenOptions, 'abilities'>): Promise<PipelinesAbilities> {
  return (options.abilities?.() ?? Promise.resolve(READ_ONLY)).catch(() => READ_ONLY);
}
