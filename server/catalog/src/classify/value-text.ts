/**
 * How one sampled cell becomes text the detectors can read, with the work
 * per value capped: at most MAX_VALUE_CHARS characters are looked at, and a
 * longer value is never one of the short identifiers the detectors know
 * (the longest, an e-mail address, is at most 254 characters).
 */
export const MAX_VALUES = 1000;
export const MAX_VALUE_CHARS = 1000;

export type ValueText =
  | { readonly kind: 'absent' } // null, undefined, or only whitespace: not counted as sampled
  | { readonly kind: 'opaque' } // present, but nothing a detector can match (objects, bytes, huge strings)
  | { readonly kind: 'text'; readonly text: string };

const ABSENT: ValueText = Object.freeze({ kind: 'absent' });
const OPAQUE: ValueText = Object.freeze({ kind: 'opaque' });

function tag(value: object): string {
  return Object.prototype.toString.call(value);
}

export function valueText(value: unknown): ValueText {
  let s: string;
  switch (typeof value) {
    case 'undefined':
      return ABSENT;
    case 'string':
      s = value;
      break;
    case 'number':
      if (!Number.isFinite(value)) return OPAQUE;
      s = String(value);
      break;
    case 'bigint':
    case 'boolean':
      s = String(value);
      break;
    case 'object':
      if (value === null) return ABSENT;
      // Tags, not instanceof: values may come from another realm (a driver, a worker).
      if (tag(value) === '[object Date]') {
        const t = (value as Date).getTime();
        if (Number.isNaN(t)) return OPAQUE;
        s = (value as Date).toISOString();
      } else if (tag(value) === '[object String]') {
        s = String(value);
      } else {
        return OPAQUE;
      }
      break;
    default:
      return OPAQUE;
  }
  if (s.length > MAX_VALUE_CHARS) return OPAQUE;
  const text = s.trim();
  return text === '' ? ABSENT : { kind: 'text', text };
}
