/**
 * XML-RPC, the small part Odoo speaks (http://xmlrpc.com/spec.md, plus
 * the `<nil/>` extension Python's xmlrpc.client writes with allow_none
 * and `<i8>`): method calls, responses and faults, with values
 *
 *   int/i4/i8 <-> integer number      double <-> number (or XmlRpcDouble)
 *   boolean   <-> boolean             string (or untyped) <-> string
 *   nil       <-> null                array <-> array       struct <-> object
 *   dateTime.iso8601 <-> Date (UTC)   base64 -> Buffer
 *
 * Pure: no sockets. The parser is a small XML reader for exactly these
 * documents, bounded in depth, that rejects anything else (DTDs included),
 * since its input comes from the network.
 */

export type XmlRpcValue = number | boolean | string | null | Date | Buffer | XmlRpcDouble | XmlRpcValue[] | { [key: string]: XmlRpcValue };

/** A number to be sent as `<double>` even when it is integral (e.g. a price of 100.0). */
export class XmlRpcDouble {
  constructor(readonly value: number) {}
  /** In JSON it is just the number. */
  toJSON(): number {
    return this.value;
  }
}

export class XmlRpcParseError extends Error {
  override readonly name = 'XmlRpcParseError';
}

export interface XmlRpcFault {
  faultCode: number | string;
  faultString: string;
}

const MAX_DEPTH = 64;

// --- encoding -----------------------------------------------------------------

// XML 1.0 allows no control characters but tab, newline and carriage return (Odoo strips them too).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

export function escapeXml(s: string): string {
  return s.replace(CONTROL, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function iso8601(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export function encodeValue(v: XmlRpcValue, depth = 0): string {
  if (depth > MAX_DEPTH) throw new RangeError('XML-RPC value nested too deeply');
  if (v === null || v === undefined) return '<value><nil/></value>';
  if (typeof v === 'boolean') return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  if (typeof v === 'string') return `<value><string>${escapeXml(v)}</string></value>`;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`cannot send ${v} over XML-RPC`);
    if (Number.isInteger(v)) return Math.abs(v) <= 0x7fffffff ? `<value><int>${v}</int></value>` : `<value><i8>${v}</i8></value>`;
    return `<value><double>${v}</double></value>`;
  }
  if (v instanceof XmlRpcDouble) return `<value><double>${Number.isInteger(v.value) ? v.value.toFixed(1) : v.value}</double></value>`;
  if (v instanceof Date) return `<value><dateTime.iso8601>${iso8601(v)}</dateTime.iso8601></value>`;
  if (Buffer.isBuffer(v)) return `<value><base64>${v.toString('base64')}</base64></value>`;
  if (Array.isArray(v)) return `<value><array><data>${v.map((x) => encodeValue(x, depth + 1)).join('')}</data></array></value>`;
  const members = Object.entries(v)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => `<member><name>${escapeXml(k)}</name>${encodeValue(x, depth + 1)}</member>`);
  return `<value><struct>${members.join('')}</struct></value>`;
}

export function encodeMethodCall(method: string, params: readonly XmlRpcValue[]): string {
  return `<?xml version="1.0"?>\n<methodCall><methodName>${escapeXml(method)}</methodName><params>${params.map((p) => `<param>${encodeValue(p)}</param>`).join('')}</params></methodCall>\n`;
}

export function encodeMethodResponse(value: XmlRpcValue): string {
  return `<?xml version="1.0"?>\n<methodResponse><params><param>${encodeValue(value)}</param></params></methodResponse>\n`;
}

export function encodeFault(fault: XmlRpcFault): string {
  return `<?xml version="1.0"?>\n<methodResponse><fault>${encodeValue({ faultCode: fault.faultCode, faultString: fault.faultString })}</fault></methodResponse>\n`;
}

// --- a minimal XML reader -----------------------------------------------------

interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      if (code > 0x10ffff) throw new XmlRpcParseError(`bad character reference ${m}`);
      return String.fromCodePoint(code);
    }
    const r = ENTITIES[e];
    if (r === undefined) throw new XmlRpcParseError(`unknown entity ${m}`);
    return r;
  });
}

const OPEN = /<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
const CLOSE = /<\/([A-Za-z_][\w.:-]*)\s*>/y;

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const n = xml.length;
  const skipMisc = () => {
    for (;;) {
      while (i < n && /\s/.test(xml[i]!)) i++;
      if (xml.startsWith('<?', i)) {
        const end = xml.indexOf('?>', i);
        if (end < 0) throw new XmlRpcParseError('unterminated processing instruction');
        i = end + 2;
      } else if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i);
        if (end < 0) throw new XmlRpcParseError('unterminated comment');
        i = end + 3;
      } else if (xml.startsWith('<!', i)) {
        throw new XmlRpcParseError('DTDs are not accepted');
      } else return;
    }
  };
  const element = (depth: number): XmlElement => {
    if (depth > MAX_DEPTH * 3) throw new XmlRpcParseError('document nested too deeply');
    OPEN.lastIndex = i;
    const m = OPEN.exec(xml);
    if (!m) throw new XmlRpcParseError(`expected an element at offset ${i}`);
    i += m[0].length;
    const el: XmlElement = { name: m[1]!, children: [], text: '' };
    if (m[3]) return el;
    let text = '';
    for (;;) {
      if (i >= n) throw new XmlRpcParseError(`unterminated <${el.name}>`);
      if (xml.startsWith('</', i)) {
        CLOSE.lastIndex = i;
        const close = CLOSE.exec(xml);
        if (!close || close[1] !== el.name) throw new XmlRpcParseError(`mismatched closing tag for <${el.name}> at offset ${i}`);
        i += close[0].length;
        el.text = text;
        return el;
      }
      if (xml.startsWith('<![CDATA[', i)) {
        const end = xml.indexOf(']]>', i);
        if (end < 0) throw new XmlRpcParseError('unterminated CDATA');
        text += xml.slice(i + 9, end);
        i = end + 3;
      } else if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i);
        if (end < 0) throw new XmlRpcParseError('unterminated comment');
        i = end + 3;
      } else if (xml[i] === '<') {
        el.children.push(element(depth + 1));
      } else {
        const next = xml.indexOf('<', i);
        const end = next < 0 ? n : next;
        text += decodeEntities(xml.slice(i, end));
        i = end;
      }
    }
  };
  skipMisc();
  const root = element(0);
  skipMisc();
  if (i !== n) throw new XmlRpcParseError('content after the document element');
  return root;
}

// --- decoding -----------------------------------------------------------------

const only = (el: XmlElement, name: string): XmlElement => {
  const c = el.children.filter((x) => x.name === name);
  if (c.length !== 1) throw new XmlRpcParseError(`<${el.name}> needs exactly one <${name}>`);
  return c[0]!;
};

function parseDateTime(s: string): Date {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(s.trim());
  if (!m) throw new XmlRpcParseError(`bad dateTime.iso8601 ${JSON.stringify(s)}`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

export function decodeValue(value: XmlElement, depth = 0): XmlRpcValue {
  if (depth > MAX_DEPTH) throw new XmlRpcParseError('value nested too deeply');
  if (value.name !== 'value') throw new XmlRpcParseError(`expected <value>, got <${value.name}>`);
  if (value.children.length === 0) return value.text; // untyped: a string
  if (value.children.length > 1) throw new XmlRpcParseError('<value> holds more than one value');
  const t = value.children[0]!;
  const text = t.text;
  switch (t.name) {
    case 'int':
    case 'i4':
    case 'i8': {
      if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new XmlRpcParseError(`bad <${t.name}> ${JSON.stringify(text)}`);
      const v = Number(text);
      if (!Number.isSafeInteger(v)) throw new XmlRpcParseError(`<${t.name}> out of range`);
      return v;
    }
    case 'double': {
      const v = Number(text.trim());
      if (text.trim() === '' || Number.isNaN(v)) throw new XmlRpcParseError(`bad <double> ${JSON.stringify(text)}`);
      return v;
    }
    case 'boolean':
      if (text.trim() === '1') return true;
      if (text.trim() === '0') return false;
      throw new XmlRpcParseError(`bad <boolean> ${JSON.stringify(text)}`);
    case 'string':
      return text;
    case 'nil':
      return null;
    case 'dateTime.iso8601':
      return parseDateTime(text);
    case 'base64':
      return Buffer.from(text.replace(/\s+/g, ''), 'base64');
    case 'array':
      return only(t, 'data').children.map((v) => decodeValue(v, depth + 1));
    case 'struct': {
      const out: { [k: string]: XmlRpcValue } = Object.create(null) as { [k: string]: XmlRpcValue };
      for (const m of t.children) {
        if (m.name !== 'member') throw new XmlRpcParseError(`<struct> holds <${m.name}>`);
        out[only(m, 'name').text] = decodeValue(only(m, 'value'), depth + 1);
      }
      return { ...out };
    }
    default:
      throw new XmlRpcParseError(`unknown type <${t.name}>`);
  }
}

export function decodeMethodCall(xml: string): { method: string; params: XmlRpcValue[] } {
  const root = parseXml(xml);
  if (root.name !== 'methodCall') throw new XmlRpcParseError(`expected <methodCall>, got <${root.name}>`);
  const method = only(root, 'methodName').text.trim();
  const params = root.children.find((c) => c.name === 'params');
  return { method, params: params ? params.children.map((p) => (p.name === 'param' ? decodeValue(only(p, 'value')) : fail(`<params> holds <${p.name}>`))) : [] };
}

export function decodeMethodResponse(xml: string): { value: XmlRpcValue } | { fault: XmlRpcFault } {
  const root = parseXml(xml);
  if (root.name !== 'methodResponse') throw new XmlRpcParseError(`expected <methodResponse>, got <${root.name}>`);
  const fault = root.children.find((c) => c.name === 'fault');
  if (fault) {
    const v = decodeValue(only(fault, 'value'));
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date || Buffer.isBuffer(v)) throw new XmlRpcParseError('a fault must be a struct');
    const f = v as Record<string, XmlRpcValue>;
    const code = f.faultCode;
    if ((typeof code !== 'number' && typeof code !== 'string') || typeof f.faultString !== 'string') throw new XmlRpcParseError('a fault needs faultCode and faultString');
    return { fault: { faultCode: code, faultString: f.faultString } };
  }
  const params = only(root, 'params');
  if (params.children.length !== 1) throw new XmlRpcParseError('a response carries exactly one value');
  return { value: decodeValue(only(params.children[0]!, 'value')) };
}

function fail(message: string): never {
  throw new XmlRpcParseError(message);
}
