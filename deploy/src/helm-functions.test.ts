/**
 * The Helm / Sprig functions, with the outputs and errors Helm gives.
 */
import { parse } from 'yaml';
import { TemplateSet } from './go-template-exec';
import { HelmFunctionOptions, helmFunctions, toYaml } from './helm-functions';

function run(src: string, data: unknown = {}, options: HelmFunctionOptions = {}): string {
  const set: TemplateSet = new TemplateSet(helmFunctions(() => set, options));
  set.add('t', src);
  return set.execute('t', data as never);
}

test('default takes the given value unless it is empty', () => {
  expect(run('{{ default "d" "" }} {{ default "d" false }} {{ "x" | default "d" }} {{ .missing | default "d" }} {{ 0 | default 5 }}')).toBe('d d x d 5');
});

test('quote and squote skip nil and print numbers as %v', () => {
  expect(run('[{{ quote .missing }}] {{ quote .n }} {{ .s | quote }} {{ squote "a" }}', { n: 8888, s: 'a"b' })).toBe('[] "8888" "a\\"b" \'a\'');
});

test('toYaml: sorted keys, unindented sequences, YAML 1.1 quoting, no final newline', () => {
  const out = run('{{ toYaml .v }}', { v: { b: ['x', 'y'], a: 'on', c: {}, d: null, e: '0755', f: 1.5 } });
  // go-yaml v2 resolves y / n as booleans too, so it quotes them.
  expect(out).toBe('a: "on"\nb:\n- x\n- "y"\nc: {}\nd: null\ne: "0755"\nf: 1.5');
  expect(parse(out, { version: '1.1' })).toEqual({ a: 'on', b: ['x', 'y'], c: {}, d: null, e: '0755', f: 1.5 });
  expect(toYaml(undefined)).toBe('null');
});

test('toJson / toPrettyJson: sorted keys and encoding/json HTML escapes', () => {
  expect(run('{{ toJson .v }}', { v: { b: 1, a: '<a&b>' } })).toBe('{"a":"\\u003ca\\u0026b\\u003e","b":1}');
  expect(run('{{ toPrettyJson .v }}', { v: { k: [1] } })).toBe('{\n  "k": [\n    1\n  ]\n}');
  expect(JSON.parse(run('{{ toJson .v }}', { v: { a: '<a&b>' } }))).toEqual({ a: '<a&b>' });
});

test('indent and nindent pad every line', () => {
  expect(run('x:{{ "a\\nb" | nindent 2 }}')).toBe('x:\n  a\n  b');
  expect(run('{{ indent 1 "a\\nb" }}')).toBe(' a\n b');
});

test('an int parameter refuses a float64 from the values, a string parameter refuses nil', () => {
  expect(() => run('{{ indent .n "a" }}', { n: 2 })).toThrow('error calling indent: wrong type for value; expected int; got float64');
  expect(run('{{ indent (int .n) "a" }}', { n: 2 })).toBe('  a');
  expect(() => run('{{ trimSuffix "-" .missing }}')).toThrow('error calling trimSuffix: invalid value; expected string');
});

test('string helpers', () => {
  expect(run('{{ trunc 3 "abcdef" }} {{ trunc -2 "abcdef" }} {{ trimSuffix "-" "a-" }} {{ trimPrefix "/" "/a" }} {{ replace "+" "_" "1+2" }}')).toBe('abc ef a a 1_2');
  expect(run('{{ lower "AB" }} {{ upper "ab" }} {{ trim "  x " }} {{ contains "b" "abc" }} {{ hasPrefix "a" "abc" }} {{ hasSuffix "c" "abc" }}')).toBe('ab AB x true true true');
});

test('encodings and digests', () => {
  expect(run('{{ b64enc "token" }} {{ sha256sum "abc" }}')).toBe('dG9rZW4= ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('required and fail stop the render with their message', () => {
  expect(run('{{ required "need x" .x }}', { x: 'ok' })).toBe('ok');
  expect(() => run('{{ required "need x" .x }}', { x: '' })).toThrow('error calling required: need x');
  expect(() => run('{{ fail "nope" }}')).toThrow('error calling fail: nope');
});

test('dict, list, hasKey, ternary, coalesce, empty', () => {
  expect(run('{{ $d := dict "a" 1 "b" }}{{ hasKey $d "b" }} {{ index $d "b" | quote }} {{ len (list 1 2) }} {{ ternary "y" "n" true }} {{ coalesce "" .missing "c" }} {{ empty (list) }}')).toBe('true "" 2 y c true');
});

test('randAlphaNum draws from its random source', () => {
  let i = 0;
  const out = run('{{ randAlphaNum 5 }}', {}, { randomInt: (max) => i++ % max });
  expect(out).toBe('ABCDE');
  expect(run('{{ randAlphaNum 48 }}')).toMatch(/^[A-Za-z0-9]{48}$/);
});

test('lookup answers an empty map without a cluster, or what the caller supplies', () => {
  expect(run('{{ lookup "v1" "Secret" "ns" "s" | len }}')).toBe('0');
  const lookup = (apiVersion: string, kind: string, ns: string, name: string) => ({ data: { key: `${apiVersion}/${kind}/${ns}/${name}` } });
  expect(run('{{ (lookup "v1" "Secret" "ns" "s").data.key }}', {}, { lookup })).toBe('v1/Secret/ns/s');
});

test('include renders a defined template into a string that pipes on', () => {
  expect(run('{{ define "x" }}A\nB{{ end }}{{ include "x" . | nindent 2 }}')).toBe('\n  A\n  B');
});
