/**
 * A JupyterLab dialog whose accept button sends something to the server
 * and closes only when the server took it: a refusal is shown inside the
 * dialog (under the field it concerns, when known) with what was typed
 * kept, so it can be corrected and sent again. Escape, Cancel and the
 * close button still close it at once (aborting a request in flight).
 * Enter in a field, or a click on the accept button, goes through
 * `submit`; everything else (focus trap, keys, styles) is JupyterLab's
 * own Dialog.
 */
import { Dialog } from '@jupyterlab/apputils';
import type { Widget } from '@lumino/widgets';

/** A dialog body that sends its form: true when it is done (the dialog closes). */
export interface SubmitBody extends Widget {
  submit(signal: AbortSignal): Promise<boolean>;
}

export interface SubmitDialogOptions {
  title: string;
  body: SubmitBody;
  /** The accept button's label ("Run", "Create job"). */
  acceptLabel: string;
  /** Its class, for tests. */
  acceptClass: string;
  /** Focused first (a CSS selector inside the body). */
  focusNodeSelector?: string;
  /** A class on the dialog, for its screen's styles. */
  className?: string;
  /** 'warn' for an accept that destroys or refuses something (Reject, Delete); default 'ok'. */
  acceptKind?: 'ok' | 'warn';
}

class SubmitDialog extends Dialog<unknown> {
  private readonly buttonList: readonly Dialog.IButton[];
  private readonly submitBody: SubmitBody;
  private readonly abort = new AbortController();
  private busy = false;

  constructor(options: SubmitDialogOptions, buttons: readonly Dialog.IButton[]) {
    super({ title: options.title, body: options.body, buttons: [...buttons], defaultButton: buttons.length - 1, focusNodeSelector: options.focusNodeSelector, hasClose: true });
    this.buttonList = buttons;
    this.submitBody = options.body;
    if (options.className) this.addClass(options.className);
  }

  override resolve(index?: number): void {
    const i = index ?? this.buttonList.length - 1;
    if (!this.buttonList[i]?.accept) {
      this.abort.abort();
      return super.resolve(i);
    }
    if (this.busy) return;
    this.busy = true;
    const accept = this.node.querySelector<HTMLButtonElement>('.jp-Dialog-footer .jp-mod-accept');
    if (accept) accept.disabled = true;
    void this.submitBody
      .submit(this.abort.signal)
      .then((done) => {
        if (done && !this.isDisposed) super.resolve(i);
      })
      .finally(() => {
        this.busy = false;
        if (accept) accept.disabled = false;
      });
  }

  override reject(): void {
    this.abort.abort();
    super.reject();
  }
}

/** Shows the dialog; resolves true when the body's submit went through, false when it was closed without. */
export async function showSubmitDialog(options: SubmitDialogOptions): Promise<boolean> {
  const accept = { label: options.acceptLabel, className: options.acceptClass };
  const buttons = [Dialog.cancelButton(), options.acceptKind === 'warn' ? Dialog.warnButton(accept) : Dialog.okButton(accept)];
  const dialog = new SubmitDialog(options, buttons);
  const result = await dialog.launch();
  return result.button.accept;
}
