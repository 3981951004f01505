/**
 * An exception as the simulated Odoo server raises it: Odoo's
 * module-qualified class name and message. The simulator turns it into a
 * JSON-RPC error or an XML-RPC fault the way Odoo does (rpc.py).
 */
export class OdooException extends Error {
  constructor(
    /** `odoo.exceptions.UserError`, `builtins.ValueError`, … */
    readonly exception: string,
    message: string,
  ) {
    super(message);
  }
}

export const userError = (message: string) => new OdooException('odoo.exceptions.UserError', message);
export const validationError = (message: string) => new OdooException('odoo.exceptions.ValidationError', message);
export const accessError = (message: string) => new OdooException('odoo.exceptions.AccessError', message);
export const missingError = (message: string) => new OdooException('odoo.exceptions.MissingError', message);
export const valueError = (message: string) => new OdooException('builtins.ValueError', message);
export const typeError = (message: string) => new OdooException('builtins.TypeError', message);

/** Python's repr() of a JSON-like value, for messages that quote a leaf or a value as Odoo does. */
export function pyRepr(v: unknown, tuple = false): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'string') {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(new RegExp(q, 'g'), `\\${q}`);
    return `${q}${body}${q}`;
  }
  if (Array.isArray(v)) {
    const items = v.map((x) => pyRepr(x));
    return tuple ? `(${items.join(', ')}${items.length === 1 ? ',' : ''})` : `[${items.join(', ')}]`;
  }
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return String(v);
}
