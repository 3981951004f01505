/**
 * Tags as badges: confirmed ones solid, suggested ones dashed with their
 * confidence, the detectors' reason as text under them (and in the
 * tooltip), and Confirm / Reject buttons for those who may change the
 * catalog. Rejected tags are not shown. The buttons carry what to do in
 * data attributes; the page handles their clicks in one place.
 *
 * DOM hooks: `.wb-catalog-tags`, `.wb-catalog-tag[data-tag][data-state=confirmed|suggested]`
 * (`.wb-mod-pii` for personal data), `.wb-catalog-tag-name`, `.wb-catalog-tag-confidence`,
 * `.wb-catalog-tag-reason`, `button.wb-catalog-tag-confirm|reject[data-tag-action][data-tag]`
 * (`data-column` on a column's tags).
 */
import { h } from '@workbench/lab-common';
import { confidenceText, isPiiTag, tagTitle, visibleTags } from './format';
import type { TagInfo } from './types';

export interface TagListOptions {
  /** The column the tags are on; absent: the table's. */
  column?: string;
  /** Show Confirm / Reject on suggestions. */
  editable: boolean;
  /** What to say when there are none (nothing: an empty, hidden list). */
  empty?: string;
}

export function tagList(tags: readonly TagInfo[], options: TagListOptions): HTMLElement {
  const shown = visibleTags(tags);
  const where = options.column === undefined ? 'the table' : options.column;
  const list = h(
    'div',
    { className: 'wb-catalog-tags', attrs: { role: 'list', 'aria-label': `Tags of ${where}` } },
    shown.map((t) => {
      const suggested = t.state === 'suggested';
      const button = (action: 'confirm' | 'reject', label: string, glyph: string) =>
        h(
          'button',
          {
            className: `wb-catalog-tag-button wb-catalog-tag-${action}`,
            attrs: { type: 'button', 'data-tag-action': action, 'data-tag': t.tag, 'data-column': options.column, 'aria-label': `${label} tag ${t.tag} on ${where}` },
            title: `${label} ${t.tag}`,
          },
          [glyph],
        );
      return h('div', { className: 'wb-catalog-tag-item', attrs: { role: 'listitem' } }, [
        h('span', { className: `wb-catalog-tag${isPiiTag(t.tag) ? ' wb-mod-pii' : ''}`, attrs: { 'data-tag': t.tag, 'data-state': t.state }, title: tagTitle(t) }, [
          h('span', { className: 'wb-catalog-tag-name' }, [t.tag]),
          suggested && t.confidence !== null ? h('span', { className: 'wb-catalog-tag-confidence' }, [confidenceText(t.confidence)]) : null,
          suggested ? h('span', { className: 'wb-sr-only' }, [' (suggested)']) : null,
          suggested && options.editable ? button('confirm', 'Confirm', '✓') : null,
          suggested && options.editable ? button('reject', 'Reject', '✕') : null,
        ]),
        suggested && t.reason ? h('span', { className: 'wb-catalog-tag-reason', title: t.reason }, [t.reason]) : null,
      ]);
    }),
  );
  if (shown.length === 0) {
    if (options.empty) list.append(h('span', { className: 'wb-catalog-none' }, [options.empty]));
    else list.hidden = true;
  }
  return list;
}
