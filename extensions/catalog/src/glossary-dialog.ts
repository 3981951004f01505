/**
 * A glossary term, opened from a search hit: its definition, who last
 * defined it, and the tables linked to it (each opens its page).
 *
 * DOM hooks: `.jp-Dialog .wb-catalog-glossary[data-term]`, `.wb-catalog-glossary-definition`,
 * `button.wb-catalog-glossary-table[data-table-key]`, `.wb-catalog-glossary-error`.
 */
import { Dialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import { h, replaceChildren } from '@workbench/lab-common';
import { errorText } from './catalog-api';
import type { CatalogClient } from './catalog-client';
import { parseKey, qualifiedName } from './keys';
import type { TableRef } from './types';

export interface GlossaryDialogOptions {
  client: CatalogClient;
  term: string;
  onOpenTable: (table: TableRef) => void;
}

/** Shows the term; resolves when the dialog closes. */
export async function showGlossaryTerm(options: GlossaryDialogOptions): Promise<void> {
  const body = h('div', { className: 'wb-themed wb-catalog-glossary', attrs: { 'data-term': options.term } }, [h('p', { className: 'wb-status' }, ['Loading…'])]);
  const dialog = new Dialog({
    title: options.term,
    body: new Widget({ node: body }),
    buttons: [Dialog.okButton({ label: 'Close', className: 'wb-catalog-glossary-close' })],
    hasClose: true,
  });
  const shown = dialog.launch();
  try {
    const term = (await options.client.glossary()).find((g) => g.term === options.term);
    if (!term) {
      replaceChildren(body, [h('p', { className: 'wb-error-box wb-catalog-glossary-error' }, [`The glossary has no term “${options.term}” any more.`])]);
    } else {
      const tables = term.tables.map((k) => parseKey(k)).filter((t): t is NonNullable<typeof t> => t !== undefined);
      replaceChildren(body, [
        h('p', { className: 'wb-catalog-glossary-definition' }, [term.definition]),
        term.updated_by ? h('p', { className: 'wb-catalog-none' }, [`Defined by ${term.updated_by}`]) : null,
        h('h3', { className: 'wb-catalog-section-title' }, ['Linked tables']),
        tables.length
          ? h(
              'ul',
              { className: 'wb-catalog-glossary-tables' },
              tables.map((t) => h('li', {}, [h('button', { className: 'wb-catalog-link-button wb-catalog-glossary-table', attrs: { type: 'button', 'data-table-key': JSON.stringify([t.source, t.schema, t.name]) } }, [qualifiedName(t)])])),
            )
          : h('p', { className: 'wb-catalog-none' }, ['No table is linked to this term yet.']),
      ]);
      body.addEventListener('click', (event) => {
        const key = (event.target as Element).closest<HTMLButtonElement>('button.wb-catalog-glossary-table')?.dataset.tableKey;
        const t = key ? parseKey(key) : undefined;
        if (!t) return;
        dialog.resolve(0);
        options.onOpenTable({ source: t.source, schema: t.schema, name: t.name });
      });
    }
  } catch (err) {
    replaceChildren(body, [h('p', { className: 'wb-error-box wb-catalog-glossary-error' }, [errorText(err, 'load the glossary')])]);
  }
  await shown;
}
