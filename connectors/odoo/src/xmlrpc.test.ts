/**
 * The XML-RPC codec: every type both ways, documents as Python's
 * xmlrpc.client writes them (whitespace, untyped strings, <nil/>, <i8>,
 * dateTime), faults, and the hostile inputs a server must refuse.
 */
import {
  decodeMethodCall,
  decodeMethodResponse,
  encodeFault,
  encodeMethodCall,
  encodeMethodResponse,
  encodeValue,
  parseXml,
  XmlRpcDouble,
  XmlRpcParseError,
  type XmlRpcValue,
} from './xmlrpc';

const roundTrip = (v: XmlRpcValue) => {
  const r = decodeMethodResponse(encodeMethodResponse(v));
  if (!('value' in r)) throw new Error('fault');
  return r.value;
};

describe('XML-RPC codec', () => {
  it('encodes each type as the spec and Odoo expect', () => {
    expect(encodeValue(42)).toBe('<value><int>42</int></value>');
    expect(encodeValue(-7)).toBe('<value><int>-7</int></value>');
    expect(encodeValue(2 ** 40)).toBe('<value><i8>1099511627776</i8></value>');
    expect(encodeValue(1.5)).toBe('<value><double>1.5</double></value>');
    expect(encodeValue(new XmlRpcDouble(100))).toBe('<value><double>100.0</double></value>');
    expect(encodeValue(true)).toBe('<value><boolean>1</boolean></value>');
    expect(encodeValue(false)).toBe('<value><boolean>0</boolean></value>');
    expect(encodeValue(null)).toBe('<value><nil/></value>');
    expect(encodeValue('a<b & c>d')).toBe('<value><string>a&lt;b &amp; c&gt;d</string></value>');
    expect(encodeValue(new Date(Date.UTC(2025, 0, 31, 13, 5, 9)))).toBe('<value><dateTime.iso8601>20250131T13:05:09</dateTime.iso8601></value>');
    expect(encodeValue([1, 'x'])).toBe('<value><array><data><value><int>1</int></value><value><string>x</string></value></data></array></value>');
    expect(encodeValue({ a: 1, 'b<': false })).toBe('<value><struct><member><name>a</name><value><int>1</int></value></member><member><name>b&lt;</name><value><boolean>0</boolean></value></member></struct></value>');
    // XML 1.0 cannot carry control characters: they are dropped, as Odoo does.
    expect(encodeValue('a\u0001b\tc')).toBe('<value><string>ab\tc</string></value>');
    expect(() => encodeValue(Number.NaN)).toThrow(RangeError);
  });

  it('round-trips nested values', () => {
    const v = { domain: [['state', '=', 'posted'], '|', ['ref', 'ilike', 'INV & "co"']], limit: 5, ratio: 0.25, none: null, ok: true, when: new Date(Date.UTC(2025, 11, 31)), list: [] };
    expect(roundTrip(v)).toEqual(v);
    expect(roundTrip(new XmlRpcDouble(3))).toBe(3);
    expect(roundTrip('ünïcødé ✓ 😀')).toBe('ünïcødé ✓ 😀');
  });

  it('reads documents the way Python xmlrpc.client writes them', () => {
    const xml = `<?xml version='1.0'?>
<methodCall>
<methodName>execute_kw</methodName>
<params>
<param>
<value><string>odoo</string></value>
</param>
<param>
<value><int>2</int></value>
</param>
<param>
<value>untyped &amp; plain</value>
</param>
<param>
<value><array><data>
<value><array><data>
<value><string>move_type</string></value>
<value><string>=</string></value>
<value><string>in_invoice</string></value>
</data></array></value>
</data></array></value>
</param>
<param>
<value><struct>
<member>
<name>limit</name>
<value><i4>3</i4></value>
</member>
<member>
<name>context</name>
<value><nil/></value>
</member>
<member>
<name>price</name>
<value><double>-12.50</double></value>
</member>
<member>
<name>when</name>
<value><dateTime.iso8601>20250115T08:30:00</dateTime.iso8601></value>
</member>
<member>
<name>flag</name>
<value><boolean>1</boolean></value>
</member>
<member>
<name>blob</name>
<value><base64>
aGVsbG8=
</base64></value>
</member>
</struct></value>
</param>
</params>
</methodCall>
`;
    expect(decodeMethodCall(xml)).toEqual({
      method: 'execute_kw',
      params: ['odoo', 2, 'untyped & plain', [['move_type', '=', 'in_invoice']], { limit: 3, context: null, price: -12.5, when: new Date(Date.UTC(2025, 0, 15, 8, 30)), flag: true, blob: Buffer.from('hello') }],
    });
    expect(decodeMethodCall('<methodCall><methodName>version</methodName></methodCall>')).toEqual({ method: 'version', params: [] });
  });

  it('encodes a method call and reads it back', () => {
    expect(decodeMethodCall(encodeMethodCall('authenticate', ['db', 'admin', 'pw', {}]))).toEqual({ method: 'authenticate', params: ['db', 'admin', 'pw', {}] });
  });

  it('faults: integer and string codes', () => {
    expect(decodeMethodResponse(encodeFault({ faultCode: 2, faultString: 'The entry is already posted.' }))).toEqual({ fault: { faultCode: 2, faultString: 'The entry is already posted.' } });
    const python = `<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>3</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>Access Denied</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n`;
    expect(decodeMethodResponse(python)).toEqual({ fault: { faultCode: 3, faultString: 'Access Denied' } });
    expect(decodeMethodResponse(encodeFault({ faultCode: 'warning -- UserError\n\nNo', faultString: '' }))).toEqual({ fault: { faultCode: 'warning -- UserError\n\nNo', faultString: '' } });
  });

  it('decodes entities, character references and CDATA', () => {
    const r = decodeMethodResponse('<methodResponse><params><param><value><string>&#65;&#x42;&lt;&apos;&quot;<![CDATA[<raw> & ]]></string></value></param></params></methodResponse>');
    expect(r).toEqual({ value: `AB<'"<raw> & ` });
  });

  it('refuses malformed and hostile documents', () => {
    const bad = [
      '<!DOCTYPE x [<!ENTITY a "b">]><methodResponse/>',
      '<methodResponse><params><param><value><int>1.5</int></value></param></params></methodResponse>',
      '<methodResponse><params><param><value><boolean>yes</boolean></value></param></params></methodResponse>',
      '<methodResponse><params><param><value><weird>1</weird></value></param></params></methodResponse>',
      '<methodResponse><params><param><value><string>&bogus;</string></value></param></params></methodResponse>',
      '<methodResponse><params><param><value><string>x</value></string></param></params></methodResponse>',
      '<methodResponse><params></params></methodResponse>',
      '<methodResponse><params><param><value><int>99999999999999999999</int></value></param></params></methodResponse>',
      '<methodCall><methodName>x</methodName></methodCall> trailing',
      `<methodResponse><params><param>${'<value><array><data>'.repeat(80)}${'</data></array></value>'.repeat(80)}</param></params></methodResponse>`,
    ];
    for (const xml of bad) expect(() => (xml.startsWith('<methodCall') ? decodeMethodCall(xml) : decodeMethodResponse(xml))).toThrow(XmlRpcParseError);
    expect(() => parseXml('<a><b></a>')).toThrow(/mismatched closing tag/);
  });

  it('keeps __proto__ a plain key in a struct', () => {
    const r = decodeMethodResponse('<methodResponse><params><param><value><struct><member><name>__proto__</name><value><int>1</int></value></member></struct></value></param></params></methodResponse>');
    const v = (r as { value: Record<string, unknown> }).value;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
