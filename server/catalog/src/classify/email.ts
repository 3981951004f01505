/**
 * E-mail addresses, the practical subset of RFC 5322 that real systems
 * store: dot-atom local part @ a domain of LDH labels with an alphabetic
 * (or punycode) top-level label; internationalised letters allowed. Odoo's
 * `email_from` style, `Name <addr>`, is accepted too. Parsed by splitting,
 * so the work is linear in the length.
 */
const ATOM = "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const LOCAL = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`, 'u');
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const TLD = /^(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/iu;
const DISPLAY_FORM = /^[^<>@]*<([^<>]+)>$/;

export function isEmailAddress(text: string): boolean {
  if (text.length > 320) return false;
  const display = DISPLAY_FORM.exec(text);
  const addr = display ? display[1]!.trim() : text;
  if (addr.length > 254) return false;
  const at = addr.lastIndexOf('@');
  if (at <= 0 || at > 64) return false;
  if (!LOCAL.test(addr.slice(0, at))) return false;
  const labels = addr.slice(at + 1).split('.');
  if (labels.length < 2) return false;
  const tld = labels.pop()!;
  return TLD.test(tld) && labels.every((l) => LABEL.test(l));
}
