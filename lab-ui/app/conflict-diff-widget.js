/**
 * Stands in for @jupyter/docprovider-extension's `./conflictDiffWidget`
 * (webpack.config.js swaps the import): the same `ConflictDiffWidget` API,
 * but nbdime (about 200 KB minified, plus its CSS) is loaded only when a user
 * asks for the diff of a save conflict, not with every page.
 */
import { Panel } from '@lumino/widgets';

export class ConflictDiffWidget extends Panel {
  /** @param {{ translator?: unknown, editorFactory: unknown, rendermime: unknown }} options */
  constructor(options) {
    super();
    this._options = options;
    this.node.style.height = '100%';
  }

  /** @param {{ base: unknown, remote: unknown }} notebooks */
  async create(notebooks) {
    // Not './conflictDiffWidget': that request is the one replaced by this file.
    const { ConflictDiffWidget: Real } = await import(
      /* webpackChunkName: "conflict-diff" */ '@jupyter/docprovider-extension/lib/conflictDiffWidget.js'
    );
    const widget = new Real(this._options);
    await widget.create(notebooks);
    if (this.isDisposed) widget.dispose();
    else this.addWidget(widget);
  }
}
