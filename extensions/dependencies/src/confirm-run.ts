/**
 * The question before running a cell that reads a name only a later cell
 * defines (`reads_later`): the cell would see the name's value from an
 * earlier run, or none. "Cancel" is the default button: Enter does not run.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import { h } from '@workbench/lab-common';
import { readsLaterLines, type CellLabel } from './describe';
import type { ReadsLater } from './plan';
import type { DependencyGraph } from './types';

/** Asks; true to run anyway. */
export async function confirmReadsLater(graph: DependencyGraph, warnings: readonly ReadsLater[], label: CellLabel): Promise<boolean> {
  const body = h('div', { className: 'wb-deps-confirm wb-themed' }, [
    h(
      'ul',
      { className: 'wb-deps-confirm-list' },
      readsLaterLines(graph, warnings, label).map((line) => h('li', {}, [line])),
    ),
    h('p', {}, ['Run in notebook order (or use “Run what this cell needs”) to give it the current value.']),
  ]);
  const result = await showDialog({
    title: 'Run a cell that reads a name defined below it?',
    body: new Widget({ node: body }),
    buttons: [Dialog.cancelButton({ label: 'Cancel', className: 'wb-deps-run-cancel' }), Dialog.warnButton({ label: 'Run anyway', className: 'wb-deps-run-anyway' })],
    defaultButton: 0,
  });
  return result.button.accept;
}
