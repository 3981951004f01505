/** What every review screen is given by the plugin. */
import type { ReviewClient } from './review-client';
import type { ReviewAbilities } from './types';

export interface ReviewScreenOptions {
  client: ReviewClient;
  /** What the user may do (asked once by the plugin); default: read only. */
  abilities?: () => Promise<ReviewAbilities>;
  onOpenDocument: (id: string) => void;
  now?: () => number;
  /** Reload period while shown (default per screen). */
  pollMs?: number;
}

export const READ_ONLY: ReviewAbilities = { write: false, username: null };

/** The user's abilities, read-only when they cannot be read (the server decides anyway). */
export function abilitiesOf(options: Pick<ReviewScreenOptions, 'abilities'>): Promise<ReviewAbilities> {
  return (options.abilities?.() ?? Promise.resolve(READ_ONLY)).catch(() => READ_ONLY);
}
