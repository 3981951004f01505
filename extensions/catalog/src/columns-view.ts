/**
 * The Columns tab: every column of the table in order, with its type,
 * whether it takes nulls, the database's comment and the catalog's
 * description (editable in place by those who may change the catalog),
 * its tags (suggestions with Confirm / Reject), and a "pii" badge when a
 * personal-data tag is confirmed on it.
 *
 * DOM hooks: `table.wb-catalog-columns-table`, `tr.wb-catalog-column[data-column][data-pii]`
 * (`.wb-mod-target` on the column a search hit opened), `.wb-catalog-column-name`,
 * `.wb-catalog-pii-badge`, `.wb-catalog-column-type`, `.wb-catalog-column-nullable`,
 * `.wb-catalog-column-comment`, the description's InlineEdit and the TagList.
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { isPiiTag } from './format';
import { InlineEdit } from './inline-edit';
import { tagList } from './tag-list';
import type { ColumnInfo, TableInfo } from './types';

export interface ColumnsViewOptions {
  editable: boolean;
  onDescribe: (column: string, description: string | null) => Promise<void>;
}

export class ColumnsView {
  readonly node: HTMLElement;
  private readonly options: ColumnsViewOptions;

  constructor(options: ColumnsViewOptions) {
    this.options = options;
    this.node = h('div', { className: 'wb-catalog-table-wrap wb-catalog-columns' });
  }

  set editable(v: boolean) {
    this.options.editable = v;
  }

  render(info: TableInfo): void {
    replaceChildren(this.node, [
      h('table', { className: 'wb-catalog-data-table wb-catalog-columns-table', attrs: { 'aria-label': `Columns of ${info.qualified}` } }, [
        h('thead', {}, [
          h('tr', {}, [
            h('th', { attrs: { scope: 'col' } }, ['Column']),
            h('th', { attrs: { scope: 'col' } }, ['Type']),
            h('th', { attrs: { scope: 'col' }, title: 'Whether the column takes nulls' }, ['Null']),
            h('th', { attrs: { scope: 'col' } }, ['Description']),
            h('th', { attrs: { scope: 'col' } }, ['Tags']),
          ]),
        ]),
        h('tbody', {}, info.columns.map((c) => this.row(c))),
      ]),
    ]);
  }

  private row(c: ColumnInfo): HTMLTableRowElement {
    const pii = c.tags.filter((t) => t.state === 'confirmed' && isPiiTag(t.tag)).map((t) => t.tag);
    const edit = new InlineEdit({
      field: 'description',
      value: c.description,
      placeholder: '',
      addLabel: 'Describe',
      label: `description of ${c.name}`,
      multiline: true,
      editable: this.options.editable,
      maxLength: 20_000,
      onSave: (v) => this.options.onDescribe(c.name, v),
    });
    return h('tr', { className: 'wb-catalog-column', attrs: { 'data-column': c.name, 'data-pii': String(pii.length > 0) } }, [
      h('th', { className: 'wb-catalog-column-head', attrs: { scope: 'row' } }, [
        h('code', { className: 'wb-catalog-column-name' }, [c.name]),
        pii.length ? h('span', { className: 'wb-badge wb-catalog-pii-badge', title: `Personal data: ${pii.join(', ')}` }, ['pii']) : null,
      ]),
      h('td', {}, [h('code', { className: 'wb-catalog-column-type' }, [c.type])]),
      h('td', { className: 'wb-catalog-column-nullable' }, [c.nullable ? 'yes' : 'no']),
      h('td', { className: 'wb-catalog-column-notes' }, [c.comment ? h('div', { className: 'wb-catalog-column-comment', title: 'The database’s comment' }, [c.comment]) : null, edit.node]),
      h('td', { className: 'wb-catalog-column-tags' }, [tagList(c.tags, { column: c.name, editable: this.options.editable })]),
    ]);
  }

  /** Scrolls `column`'s row into view and marks it. */
  reveal(column: string): void {
    for (const tr of this.node.querySelectorAll<HTMLTableRowElement>('tr.wb-catalog-column')) {
      const hit = tr.dataset.column === column;
      tr.classList.toggle('wb-mod-target', hit);
      if (hit) tr.scrollIntoView({ block: 'center' });
    }
  }
}
