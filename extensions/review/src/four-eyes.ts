/**
 * The four-eyes rule as the page says it before anyone clicks Approve: at
 * or over the limit for the document's currency, whoever uploaded or
 * corrected it may not approve it (`DocumentView.fourEyes`, computed by
 * the server from the same rule it enforces on `POST .../approve`). The
 * page then keeps Approve from that person, saying why beside it; the
 * server still decides (its 403 shows in the banner if the page was
 * wrong, e.g. an older server that does not say). Pure.
 */
import { formatAmount } from './format';
import type { DocumentView } from './types';

export interface FourEyesHint {
  /** "At or over 100.00 EUR: another reviewer must approve (you uploaded and corrected it)". */
  text: string;
  /** What the user did that keeps them from approving. */
  uploaded: boolean;
  corrected: boolean;
}

/** The hint for `username`, or null when the rule does not keep them from approving (or the server did not say). */
export function fourEyesHint(doc: Pick<DocumentView, 'fourEyes' | 'currency' | 'uploadedBy' | 'correctedBy'>, username: string | null, locale?: string): FourEyesHint | null {
  const rule = doc.fourEyes;
  if (!rule || !rule.applies || username === null || !rule.excluded.includes(username)) return null;
  const uploaded = doc.uploadedBy === username;
  const corrected = doc.correctedBy.includes(username);
  const did = uploaded && corrected ? 'uploaded and corrected' : uploaded ? 'uploaded' : corrected ? 'corrected' : 'uploaded or corrected';
  return { text: `At or over ${formatAmount(rule.limit, doc.currency, locale)}: another reviewer must approve (you ${did} it)`, uploaded, corrected };
}
