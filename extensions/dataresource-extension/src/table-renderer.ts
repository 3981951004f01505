/**
 * The renderer: an HTML table built from DOM nodes (every name and value goes
 * in as textContent, never as HTML). Rows are drawn in chunks: the first
 * INITIAL_ROWS, then more on "Show more rows", so a payload with many
 * thousands of rows does not freeze the notebook.
 *
 * DOM hooks: `.wb-dataresource`, `table.wb-dataresource-table`,
 * `th[data-type]`, `td.wb-dataresource-null`, `.wb-dataresource-footer`,
 * `button.wb-dataresource-more`, `.wb-dataresource-error`.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { readDataResource, readKernelNote, rowCells, tableModel, TableError, type TableModel } from './table-model';

/** Rows drawn at first and per "Show more rows". */
export const INITIAL_ROWS = 500;
export const MORE_ROWS = 1000;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class DataResourceRenderer extends Widget implements IRenderMime.IRenderer {
  private readonly mimeType: string;

  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this.mimeType = options.mimeType;
    this.addClass('wb-dataresource');
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.node.replaceChildren();
    let table: TableModel;
    try {
      table = tableModel(readDataResource(model.data[this.mimeType]), readKernelNote(model.metadata));
    } catch (err) {
      this.renderError(err, model.data['text/plain']);
      return Promise.resolve();
    }
    this.renderTable(table);
    return Promise.resolve();
  }

  private renderTable(model: TableModel): void {
    const table = el('table', 'wb-dataresource-table');
    // Header row + data rows, so assistive technology announces the real size when not every row is drawn.
    table.setAttribute('aria-rowcount', String(model.totalRows + 1));
    const caption = el('caption', 'wb-dataresource-caption', model.footer);
    const headRow = el('tr');
    headRow.setAttribute('aria-rowindex', '1');
    for (const c of model.columns) {
      const th = el('th', c.numeric ? 'wb-dataresource-numeric' : undefined);
      th.scope = 'col';
      th.dataset.type = c.type;
      th.title = `${c.name} (${c.type})${c.primaryKey ? ', primary key' : ''}`;
      const name = el('span', 'wb-dataresource-name', c.name);
      const type = el('span', 'wb-dataresource-type', c.type);
      th.append(name, type);
      if (c.primaryKey) th.classList.add('wb-dataresource-key');
      headRow.appendChild(th);
    }
    const thead = el('thead');
    thead.appendChild(headRow);
    const tbody = el('tbody');
    table.append(caption, thead, tbody);

    const scroller = el('div', 'wb-dataresource-scroll');
    scroller.tabIndex = 0; // keyboard users can scroll a wide table
    scroller.setAttribute('role', 'region');
    scroller.setAttribute('aria-label', `Table, ${model.footer}`);
    scroller.appendChild(table);

    const footer = el('div', 'wb-dataresource-footer');
    const summary = el('span', 'wb-dataresource-summary', model.footer);
    footer.appendChild(summary);
    const more = el('button', 'jp-Button jp-mod-minimal wb-dataresource-more');
    more.type = 'button';
    const drawn = el('span', 'wb-dataresource-drawn');
    footer.append(drawn, more);

    let next = 0;
    const draw = (count: number) => {
      const end = Math.min(model.rows.length, next + count);
      tbody.appendChild(this.rows(model, next, end));
      next = end;
      const left = model.rows.length - next;
      drawn.hidden = more.hidden = left === 0;
      drawn.textContent = left ? `Displaying ${next.toLocaleString('en-US')} of ${model.rows.length.toLocaleString('en-US')} rows.` : '';
      more.textContent = `Show ${Math.min(left, MORE_ROWS).toLocaleString('en-US')} more rows`;
    };
    more.addEventListener('click', () => draw(MORE_ROWS));
    draw(INITIAL_ROWS);
    this.node.append(scroller, footer);
  }

  private rows(model: TableModel, start: number, end: number): DocumentFragment {
    const fragment = document.createDocumentFragment();
    const numeric = model.columns.map((c) => c.numeric);
    rowCells(model, start, end).forEach((cells, i) => {
      const tr = el('tr');
      tr.setAttribute('aria-rowindex', String(start + i + 2));
      cells.forEach((cell, k) => {
        const td = el('td', `wb-dataresource-${cell.kind}${numeric[k] ? ' wb-dataresource-numeric' : ''}`, cell.text);
        if (cell.full !== undefined) td.title = cell.full;
        tr.appendChild(td);
      });
      fragment.appendChild(tr);
    });
    return fragment;
  }

  private renderError(err: unknown, plain: unknown): void {
    const message = err instanceof TableError ? err.message : `Cannot show the table: ${err instanceof Error ? err.message : String(err)}`;
    const box = el('div', 'wb-dataresource-error', message);
    box.setAttribute('role', 'alert');
    this.node.appendChild(box);
    const text = typeof plain === 'string' ? plain : Array.isArray(plain) ? plain.join('') : undefined;
    if (text !== undefined) this.node.appendChild(el('pre', 'wb-dataresource-plain', text));
  }
}
