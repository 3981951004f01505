/**
 * An error Odoo answered, in the one taxonomy (AppError) with Odoo's own
 * exception name kept: `odoo.exceptions.UserError`, `ValidationError`,
 * `AccessError`, `AccessDenied`, `MissingError`, or a Python builtin such
 * as `builtins.ValueError` (a bad domain). Never match on the message.
 *
 * JSON-RPC carries the name (`error.data.name`). XML-RPC carries a fault
 * code only (odoo/addons/base/controllers/rpc.py): 4 AccessError,
 * 3 AccessDenied, 2 UserError and its kin (ValidationError, MissingError
 * and RedirectWarning are indistinguishable there and read as UserError),
 * 1 anything else with the traceback as the string, whose last line names
 * the exception.
 */
import { AppError, type ErrorCode } from '@workbench/core';

export class OdooError extends AppError {
  constructor(
    /** Odoo's exception, module-qualified: `odoo.exceptions.UserError`, `builtins.ValueError`. */
    readonly exception: string,
    /** Odoo's message, as Odoo wrote it. */
    readonly odooMessage: string,
    action: string,
    readonly extra: { faultCode?: number | string; debug?: string; arguments?: unknown[] } = {},
  ) {
    super(codeFor(exception), `Cannot ${action}: ${exception.replace(/^(odoo\.exceptions|builtins)\./, '')}: ${odooMessage}`);
  }

  /** The exception's class name without its module: `UserError`, `ValueError`. */
  get exceptionClass(): string {
    return this.exception.slice(this.exception.lastIndexOf('.') + 1);
  }
}

function codeFor(exception: string): ErrorCode {
  switch (exception) {
    case 'odoo.exceptions.AccessDenied':
      return 'unauthenticated';
    case 'odoo.exceptions.AccessError':
      return 'forbidden';
    case 'odoo.exceptions.MissingError':
      return 'not_found';
    case 'odoo.exceptions.UserError':
    case 'odoo.exceptions.RedirectWarning':
      return 'conflict';
    case 'odoo.exceptions.ValidationError':
      return 'bad_request';
    default:
      return exception.startsWith('builtins.') ? 'bad_request' : 'internal';
  }
}

/** The exception an XML-RPC fault stands for (see the header). */
export function exceptionOfFault(faultCode: number | string, faultString: string): { exception: string; message: string } {
  if (faultCode === 4) return { exception: 'odoo.exceptions.AccessError', message: faultString };
  if (faultCode === 3) return { exception: 'odoo.exceptions.AccessDenied', message: faultString };
  if (faultCode === 2) return { exception: 'odoo.exceptions.UserError', message: faultString };
  // A traceback: after the (last) "Traceback (most recent call last):" and its indented frames comes
  // "<qualified name>: <message>" (builtins have no module prefix), the message possibly on several lines.
  const lines = faultString.trimEnd().split('\n');
  const start = lines.map((l) => l.startsWith('Traceback')).lastIndexOf(true);
  if (start >= 0) {
    let k = start + 1;
    while (k < lines.length && /^\s/.test(lines[k]!)) k++;
    const m = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/.exec(lines[k] ?? '');
    if (m) return { exception: m[1]!.includes('.') ? m[1]! : `builtins.${m[1]!}`, message: [m[2] ?? '', ...lines.slice(k + 1)].join('\n').trim() };
  }
  return { exception: 'builtins.Exception', message: faultString.trim() };
}
