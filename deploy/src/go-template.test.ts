/**
 * The template engine against the behaviour of Go's text/template: expected
 * output is what Go prints for the same template and data; error messages
 * keep Go's wording where charts' authors search for it.
 */
import { formatFloat, goQuote, sprintf } from './go-format';
import { TemplateExecError, TemplateSet } from './go-template-exec';
import { TemplateSyntaxError } from './go-template-lexer';

function run(src: string, data: unknown = {}, funcs = {}): string {
  const set = new TemplateSet(funcs);
  set.add('t', src);
  return set.execute('t', data as never);
}

describe('text and actions', () => {
  test('prints literals, fields and nested fields', () => {
    expect(run('a{{ "b" }}c{{ .x }}{{ .m.k }}', { x: 'X', m: { k: 'K' } })).toBe('abcXK');
  });

  test('trim markers remove the whitespace on their side, newlines included', () => {
    expect(run('a  \n {{- "b" -}} \n\t c')).toBe('abc');
    expect(run('a {{- "b" }} c')).toBe('ab c');
    expect(run('{{ 3 -}}  x')).toBe('3x');
  });

  test('a minus without a space is a negative number, not a trim marker', () => {
    expect(run('a {{-3}} b')).toBe('a -3 b');
  });

  test('comments print nothing and may carry trim markers', () => {
    expect(run('a {{/* note */}} b')).toBe('a  b');
    expect(run('a {{- /* note */ -}} b')).toBe('ab');
    expect(() => run('{{/* open }}')).toThrow(TemplateSyntaxError);
  });

  test('strings: escapes in "...", none in raw strings, characters are numbers', () => {
    expect(run('{{ "a\\tb\\u00e9" }}|{{ `a\\n` }}|{{ \'a\' }}')).toBe('a\tbé|a\\n|97');
  });

  test('a missing key prints <no value>; a field of it is the nil pointer error', () => {
    expect(run('{{ .nope }}', {})).toBe('<no value>');
    expect(() => run('{{ .nope.deeper }}', {})).toThrow('template: t:1: nil pointer evaluating interface {}.deeper');
    expect(() => run('{{ .s.x }}', { s: 'str' })).toThrow("can't evaluate field x in type string");
  });
});

describe('numbers print as Go prints them', () => {
  test('float64 values (everything read from YAML) use %v: exponent from 1e6 on', () => {
    expect(run('{{ .a }} {{ .b }} {{ .c }} {{ .d }} {{ .e }}', { a: 8888, b: 1000000, c: 0.5, d: 1234567, e: 0.00001 })).toBe('8888 1e+06 0.5 1.234567e+06 1e-05');
  });

  test('integer literals are ints and print in full', () => {
    expect(run('{{ 1000000 }} {{ 0x10 }} {{ 1_000 }} {{ 1.5 }} {{ 1e3 }}')).toBe('1000000 16 1000 1.5 1000');
  });

  test('formatFloat matches strconv for edge values', () => {
    expect([formatFloat(123456), formatFloat(0.0001), formatFloat(-2.5e-7), formatFloat(1e21)]).toEqual(['123456', '0.0001', '-2.5e-07', '1e+21']);
  });
});

describe('control structures', () => {
  test('if / else if / else with Go truthiness', () => {
    const t = '{{ if .v }}T{{ else if .w }}W{{ else }}F{{ end }}';
    for (const falsy of [0, '', [], {}, null, false, undefined]) expect(run(t, { v: falsy })).toBe('F');
    for (const truthy of [1, 'x', [0], { a: 1 }, true]) expect(run(t, { v: truthy })).toBe('T');
    expect(run(t, { v: 0, w: 1 })).toBe('W');
  });

  test('range over lists, maps (sorted keys) and nothing', () => {
    expect(run('{{ range $i, $v := .l }}{{ $i }}={{ $v }},{{ end }}', { l: ['a', 'b'] })).toBe('0=a,1=b,');
    expect(run('{{ range $k, $v := .m }}{{ $k }}={{ $v }},{{ end }}', { m: { b: 2, a: 1 } })).toBe('a=1,b=2,');
    expect(run('{{ range .l }}[{{ . }}]{{ end }}', { l: ['x'] })).toBe('[x]');
    expect(run('{{ range .missing }}x{{ else }}empty{{ end }}', {})).toBe('empty');
    expect(() => run('{{ range .s }}{{ end }}', { s: 'abc' })).toThrow("range can't iterate over abc");
  });

  test('break and continue', () => {
    expect(run('{{ range .l }}{{ if eq . "b" }}{{ continue }}{{ end }}{{ if eq . "d" }}{{ break }}{{ end }}{{ . }}{{ end }}', { l: ['a', 'b', 'c', 'd', 'e'] })).toBe('ac');
    expect(() => run('{{ break }}')).toThrow('outside {{range}}');
  });

  test('with rebinds dot, else when empty', () => {
    expect(run('{{ with .m }}{{ .k }}{{ else }}none{{ end }}', { m: { k: 'v' } })).toBe('v');
    expect(run('{{ with .m }}{{ .k }}{{ else }}none{{ end }}', { m: {} })).toBe('none');
  });

  test('variables: := declares in the block, = assigns the nearest, $ is the root', () => {
    expect(run('{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}')).toBe('2');
    expect(run('{{ range .l }}{{ $.top }}{{ . }}{{ end }}', { top: '>', l: ['a', 'b'] })).toBe('>a>b');
    expect(() => run('{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}')).toThrow('undefined variable: $y');
  });

  test('define, template and recursion limits', () => {
    const set = new TemplateSet();
    set.add('lib', '{{ define "greet" }}hi {{ . }}{{ end }}{{ define "loop" }}{{ template "loop" . }}{{ end }}');
    set.add('main', '{{ template "greet" "bob" }}!');
    expect(set.execute('main', {})).toBe('hi bob!');
    set.add('bad', '{{ template "loop" . }}');
    expect(() => set.execute('bad', {})).toThrow('exceeded max template depth');
    expect(() => set.execute('nope', {})).toThrow('no template "nope"');
  });

  test('unbalanced structures are syntax errors with a line number', () => {
    expect(() => run('a\n{{ if .x }}b')).toThrow('template: t:2: unexpected EOF in if clause');
    expect(() => run('{{ end }}')).toThrow(TemplateSyntaxError);
    expect(() => run('{{ block "x" . }}{{ end }}')).toThrow('not supported');
  });
});

describe('pipelines and functions', () => {
  test('the piped value is the last argument; parentheses group; chains follow', () => {
    expect(run('{{ "x" | printf "%s-%s" "y" }}')).toBe('y-x');
    expect(run('{{ (index .m "k").sub }}', { m: { k: { sub: 'deep' } } })).toBe('deep');
  });

  test('an unknown function fails at parse time', () => {
    expect(() => run('{{ nope 1 }}')).toThrow('template: t:1: function "nope" not defined');
  });

  test('arguments cannot be given to a non-function', () => {
    expect(() => run('{{ .x 1 }}', { x: 1 })).toThrow("can't give argument to non-function .x");
  });

  test('and / or return an operand and stop early', () => {
    expect(run('{{ or "" "b" }}|{{ and 1 0 }}|{{ and .missing .missing.x }}')).toBe('b|0|<no value>');
  });

  test('eq / lt follow Go: ints and floats do not mix, nil is unequal to values', () => {
    expect(run('{{ eq "a" "b" "a" }} {{ eq .n 3.0 }} {{ ne 1 2 }} {{ lt "a" "b" }} {{ eq .missing "x" }}', { n: 3 })).toBe('true true true true false');
    expect(() => run('{{ eq .n 3 }}', { n: 3 })).toThrow('error calling eq: incompatible types for comparison');
    expect(() => run('{{ lt true false }}')).toThrow('invalid type for comparison');
  });

  test('len counts bytes of strings; index reads maps and lists', () => {
    expect(run('{{ len "héllo" }} {{ len .l }} {{ index .l 1 }} {{ index .m "k" }}', { l: ['a', 'b'], m: { k: 'v' } })).toBe('6 2 b v');
    expect(() => run('{{ index .l 5 }}', { l: [] })).toThrow('index out of range: 5');
  });

  test('errors from functions name the function and the line', () => {
    const boom = () => {
      throw new Error('bad input');
    };
    expect(() => run('\n{{ boom }}', {}, { boom })).toThrow(new TemplateExecError('template: t:2: error calling boom: bad input'));
  });
});

describe('fmt', () => {
  test('sprintf verbs and their misuse', () => {
    expect(sprintf('%s|%d|%v|%q|%t|%.2f|%%', ['a', 3n, [1, 'x'], 'q"', true, 1.234])).toBe('a|3|[1 x]|"q\\""|true|1.23|%');
    expect(sprintf('%d %s', [3.5])).toBe('%!d(float64=3.5) %!s(MISSING)');
    expect(sprintf('%s', ['a', 'b'])).toBe('a%!(EXTRA string=b)');
  });

  test('goQuote escapes like strconv.Quote', () => {
    expect(goQuote('a\nb"\\\u0001é\u00a0')).toBe('"a\\nb\\"\\\\\\x01é\\u00a0"');
  });

  test('maps and lists print as Go prints them', () => {
    expect(run('{{ .m }} {{ .l }}', { m: { b: [1], a: 'x' }, l: [] })).toBe('map[a:x b:[1]] []');
  });
});
