/**
 * The read-only parts of a document's page, each drawn from the document
 * (and its history): the facts and how it ended, the matched Odoo vendor, why it waits and the rule
 * issues, possible duplicates, the posting (the Odoo record, the
 * idempotency key, attempts, the last error), and the history (who did
 * what when: the lineage from the file to the Odoo record). Everything
 * goes into the DOM as text.
 *
 * DOM hooks: `.wb-review-odoo-record[data-model][data-id]`, `.wb-review-doc-key`, `.wb-review-doc-error`,
 * `.wb-review-vendor[data-method|data-match=none]` (`.wb-review-vendor-name`, `-method`, `-partner`;
 * `.wb-review-vendor-none`, the search's label when it is there, `.wb-review-vendor-why`),
 * `ul.wb-review-reasons li`, `ul.wb-review-issues li[data-severity][data-field]`,
 * `ul.wb-review-duplicates li[data-reason]`, `.wb-review-posting` (`.wb-review-odoo-record[data-model][data-id]`,
 * `.wb-review-posting-key`, `-attempts`, `-error`), `ol.wb-review-history li[data-action][data-seq]`
 * (`.wb-review-history-actor`, `-time`, `-text`).
 */
import { h } from '@workbench/lab-common';
import { eventText, fieldLabel, formatBytes, formatConfidence, formatTime, matchText, vendorChooser } from './format';
import type { DocumentEvent, DocumentView } from './types';

/** Who uploaded it and when, its size, how it was read, who corrected and decided. */
export function factsLine(doc: DocumentView, me: string | null): (string | Node)[] {
  return [
    `Uploaded by ${doc.uploadedBy}${doc.uploadedBy === me ? ' (you)' : ''} `,
    h('time', { attrs: { datetime: doc.receivedAt } }, [formatTime(doc.receivedAt)]),
    ` · ${doc.pages} page${doc.pages === 1 ? '' : 's'} · ${formatBytes(doc.sizeBytes)}`,
    doc.engine ? ` · read by ${doc.engine}${doc.extractedMs !== null ? ` in ${(doc.extractedMs / 1000).toFixed(1)} s` : ''}` : '',
    doc.confidence !== null ? ` · confidence ${formatConfidence(doc.confidence)}` : '',
    doc.correctedBy.length > 0 ? ` · corrected by ${doc.correctedBy.join(', ')}` : '',
    doc.decidedBy ? ` · ${doc.status === 'rejected' ? 'rejected' : 'approved'} by ${doc.decidedBy}` : '',
  ];
}

/** How it ended, under the facts: the Odoo record and posting key, the reason it was rejected, or why it failed; [] while it goes on. */
export function outcomeLine(doc: DocumentView): (string | Node)[] {
  if (doc.odoo) {
    return [
      'Posted to Odoo as ',
      h('span', { className: 'wb-review-odoo-record', attrs: { 'data-model': doc.odoo.model, 'data-id': String(doc.odoo.id) } }, [`${doc.odoo.model} ${doc.odoo.id}`]),
      ...(doc.posting?.key ? [h('span', { className: 'wb-review-doc-key' }, [' · key ', h('code', {}, [doc.posting.key])])] : []),
    ];
  }
  if (doc.rejectReason !== null) return [`Rejected: ${doc.rejectReason}`];
  if (doc.status === 'failed' && doc.error) return [h('span', { className: 'wb-review-doc-error' }, [doc.error])];
  return [];
}

export function section(title: string, cls: string, children: (Node | null)[]): HTMLElement {
  return h('section', { className: `wb-review-section ${cls}`, attrs: { 'aria-label': title } }, [h('h3', { className: 'wb-review-section-title' }, [title]), ...children]);
}

/** Why no Odoo vendor is matched: "No Odoo vendor matches “X” or VAT Y." */
export function noMatchText(doc: Pick<DocumentView, 'fields' | 'vendor'>): string {
  return doc.fields === null ? 'Not read yet.' : `No Odoo vendor matches${doc.vendor ? ` “${doc.vendor}”` : ''}${doc.fields.vendor_vat.value ? ` or VAT ${doc.fields.vendor_vat.value}` : ''}.`;
}

/**
 * The Odoo vendor the bill goes to, or why there is none; who chose it,
 * from `events`, when a reviewer did. `choose` (the id of the vendor
 * picker's search field) makes "No match" its label: "No match — choose
 * the Odoo vendor".
 */
export function vendorView(doc: DocumentView, events: readonly DocumentEvent[] = [], choose?: string): HTMLElement {
  const m = doc.vendorMatch;
  if (!m) {
    const none = choose ? h('label', { className: 'wb-review-vendor-none', attrs: { for: choose } }, ['No match — choose the Odoo vendor']) : h('span', { className: 'wb-review-vendor-none' }, ['No match']);
    return h('div', { className: 'wb-review-vendor', attrs: { 'data-match': 'none' } }, [none, ' ', h('span', { className: 'wb-review-vendor-why' }, [noMatchText(doc)])]);
  }
  return h('div', { className: 'wb-review-vendor', attrs: { 'data-method': m.method, 'data-match': 'matched' } }, [
    h('span', { className: 'wb-review-vendor-name' }, [m.name]),
    h('span', { className: 'wb-review-vendor-method wb-badge', attrs: { 'data-method': m.method } }, [matchText(m, m.method === 'chosen' ? vendorChooser(events) : null)]),
    h('span', { className: 'wb-review-vendor-partner' }, [`Odoo partner ${m.partnerId}`]),
  ]);
}

/** Why the document waits for a person, then the rule issues (errors block approval, warnings do not). */
export function reasonsView(doc: DocumentView): (HTMLElement | null)[] {
  const reasons = doc.status === 'needs_review' && doc.reviewReasons.length > 0 ? h('ul', { className: 'wb-review-reasons' }, doc.reviewReasons.map((r) => h('li', {}, [r]))) : null;
  const issues =
    doc.issues.length > 0
      ? h(
          'ul',
          { className: 'wb-review-issues', attrs: { 'aria-label': 'Rule issues' } },
          doc.issues.map((i) =>
            h('li', { attrs: { 'data-severity': i.severity, 'data-field': i.field } }, [
              h('span', { className: 'wb-badge wb-review-severity', attrs: { 'data-severity': i.severity } }, [i.severity === 'error' ? 'Error' : 'Warning']),
              ' ',
              i.field ? h('span', { className: 'wb-review-issue-field' }, [`${fieldLabel(i.field)}: `]) : null,
              i.message,
            ]),
          ),
        )
      : null;
  const none = !reasons && !issues ? h('p', { className: 'wb-review-none' }, [doc.status === 'needs_review' ? 'No rule issues.' : 'Nothing waits: no rule issues.']) : null;
  return [reasons, issues, none];
}

export function duplicatesView(doc: DocumentView, onOpenDocument: (id: string) => void): HTMLElement | null {
  if (doc.duplicates.length === 0) return null;
  return h(
    'ul',
    { className: 'wb-review-duplicates' },
    doc.duplicates.map((d) => {
      const open = d.documentId ? h('button', { className: 'wb-review-link wb-review-open-duplicate', attrs: { type: 'button', 'data-document-id': d.documentId } }, ['Open it']) : null;
      if (open && d.documentId) {
        const id = d.documentId;
        open.addEventListener('click', () => onOpenDocument(id));
      }
      return h('li', { attrs: { 'data-reason': d.reason } }, [d.message, d.odooId !== undefined ? ` (Odoo account.move ${d.odooId})` : null, open ? ' ' : null, open]);
    }),
  );
}

/** Once posting started: the Odoo record (model and id), the posting key, attempts and the last error. */
export function postingView(doc: DocumentView): HTMLElement | null {
  const p = doc.posting;
  if (!p && !doc.odoo) return null;
  const row = (label: string, value: Node | string, cls: string) => h('div', { className: `wb-review-fact ${cls}` }, [h('span', { className: 'wb-review-fact-label' }, [label]), h('span', { className: 'wb-review-fact-value' }, [value])]);
  return h('div', { className: 'wb-review-posting' }, [
    doc.odoo ? row('Odoo record', h('span', { className: 'wb-review-odoo-record', attrs: { 'data-model': doc.odoo.model, 'data-id': String(doc.odoo.id) } }, [`${doc.odoo.model} ${doc.odoo.id}`]), 'wb-review-posting-record') : null,
    p?.postedAt ? row('Posted', h('time', { attrs: { datetime: p.postedAt } }, [formatTime(p.postedAt)]), 'wb-review-posting-at') : null,
    p?.key ? row('Posting key', h('code', { className: 'wb-review-posting-key' }, [p.key]), 'wb-review-posting-key-row') : null,
    p ? row('Attempts', String(p.attempts), 'wb-review-posting-attempts') : null,
    p?.error ? row('Last error', h('span', { className: 'wb-review-posting-error' }, [p.error]), 'wb-review-posting-error-row') : null,
  ]);
}

/** Who did what when, oldest first. */
export function historyView(events: readonly DocumentEvent[]): HTMLElement {
  if (events.length === 0) return h('p', { className: 'wb-review-none' }, ['No history yet.']);
  return h(
    'ol',
    { className: 'wb-review-history' },
    events.map((e) =>
      h('li', { attrs: { 'data-action': e.action, 'data-seq': String(e.seq) } }, [
        h('time', { className: 'wb-review-history-time', attrs: { datetime: e.at }, title: e.at }, [formatTime(e.at)]),
        h('span', { className: 'wb-review-history-actor' }, [e.actor]),
        h('span', { className: 'wb-review-history-text' }, [eventText(e)]),
      ]),
    ),
  );
}
