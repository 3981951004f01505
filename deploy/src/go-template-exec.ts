/**
 * Executes parsed Go templates over the value model of go-format.ts, with
 * text/template's semantics where charts can observe them: truthiness,
 * missing map keys (missingkey=zero: printed as "<no value>"; a field of
 * one is the "nil pointer evaluating interface {}.x" error), variable
 * scopes, range order (maps by sorted key), lazy `and` / `or`, and the
 * comparison rules of eq / lt (int and float64 do not mix).
 */
import { formatValue, goTypeName, GoValue, isMap, sprint, sprintf } from './go-format';
import { TemplateSyntaxError } from './go-template-lexer';
import { Command, ControlNode, Node, Operand, parseTemplate, Pipeline } from './go-template-parser';

export type TemplateFunction = (...args: GoValue[]) => GoValue;

export class TemplateExecError extends Error {}

class LoopSignal {
  constructor(readonly kind: 'break' | 'continue') {}
}

type Vars = Array<[string, GoValue]>;

const MAX_DEPTH = 1000;

/** A set of named templates sharing one function map, as one Helm chart's files do. */
export class TemplateSet {
  private readonly templates = new Map<string, Node[]>();
  private readonly funcs = new Map<string, TemplateFunction>();
  private depth = 0;

  constructor(funcs: Record<string, TemplateFunction> = {}) {
    const builtins: Record<string, TemplateFunction> = {
      not: (v) => !isTrue(v),
      len: (v) => {
        if (typeof v === 'string') return BigInt(Buffer.byteLength(v));
        if (Array.isArray(v)) return BigInt(v.length);
        if (isMap(v)) return BigInt(Object.keys(v).length);
        throw new Error(`len of type ${goTypeName(v)}`);
      },
      index: (item, ...keys) => keys.reduce<GoValue>((acc, k) => indexOne(acc, k), item),
      print: (...a) => sprint(a),
      println: (...a) => a.map(formatValue).join(' ') + '\n',
      printf: (f, ...a) => {
        if (typeof f !== 'string') throw new Error(`wrong type for value; expected string; got ${goTypeName(f)}`);
        return sprintf(f, a);
      },
      eq: (a, ...b) => {
        if (b.length === 0) throw new Error('missing argument for comparison');
        return b.some((x) => equal(a, x));
      },
      ne: (a, b) => !equal(a, b),
      lt: (a, b) => compare(a, b) < 0,
      le: (a, b) => compare(a, b) <= 0,
      gt: (a, b) => compare(a, b) > 0,
      ge: (a, b) => compare(a, b) >= 0,
    };
    for (const [k, f] of Object.entries({ ...builtins, ...funcs })) this.funcs.set(k, f);
  }

  /** Parses `src` as template `name` (its `define`s join the set); functions must exist. */
  add(name: string, src: string): void {
    const parsed = parseTemplate(name, src);
    const check = (nodes: Node[]) => nodes.forEach((n) => this.checkNode(name, n));
    check(parsed.root);
    for (const body of parsed.defines.values()) check(body);
    this.templates.set(name, parsed.root);
    for (const [k, body] of parsed.defines) this.templates.set(k, body);
  }

  has(name: string): boolean {
    return this.templates.has(name);
  }

  /** Output of template `name` run with `data` as both `.` and `$`. */
  execute(name: string, data: GoValue): string {
    const nodes = this.templates.get(name);
    if (!nodes) throw new TemplateExecError(`template: no template "${name}" associated with template set`);
    if (this.depth >= MAX_DEPTH) throw new TemplateExecError(`template: exceeded max template depth (${MAX_DEPTH}) running "${name}"`);
    this.depth++;
    try {
      const out: string[] = [];
      this.walk(name, nodes, data, [['$', data]], out);
      return out.join('');
    } finally {
      this.depth--;
    }
  }

  private checkNode(name: string, n: Node): void {
    const pipes: Pipeline[] = [];
    if (n.type === 'action') pipes.push(n.pipe);
    if (n.type === 'if' || n.type === 'with' || n.type === 'range') {
      pipes.push(n.pipe);
      [...n.list, ...n.elseList].forEach((c) => this.checkNode(name, c));
    }
    if (n.type === 'template' && n.pipe) pipes.push(n.pipe);
    const visit = (p: Pipeline) =>
      p.cmds.forEach((c) =>
        c.args.forEach((a) => {
          if (a.type === 'function' && !this.funcs.has(a.name) && a.name !== 'and' && a.name !== 'or') {
            throw new TemplateSyntaxError(`template: ${name}:${p.line}: function "${a.name}" not defined`);
          }
          if (a.type === 'pipeline') visit(a.pipe);
        }),
      );
    pipes.forEach(visit);
  }

  private walk(name: string, nodes: Node[], dot: GoValue, vars: Vars, out: string[]): void {
    for (const n of nodes) {
      switch (n.type) {
        case 'text':
          out.push(n.text);
          break;
        case 'action': {
          const v = this.pipeline(name, n.pipe, dot, vars);
          if (n.pipe.vars.length === 0) out.push(v === undefined || v === null ? '<no value>' : formatValue(v));
          break;
        }
        case 'if':
        case 'with': {
          const mark = vars.length;
          const v = this.pipeline(name, n.pipe, dot, vars);
          if (isTrue(v)) this.walk(name, n.list, n.type === 'with' ? v : dot, vars, out);
          else this.walk(name, n.elseList, dot, vars, out);
          vars.length = mark;
          break;
        }
        case 'range':
          this.range(name, n, dot, vars, out);
          break;
        case 'template': {
          const data = n.pipe ? this.pipeline(name, n.pipe, dot, vars) : null;
          out.push(this.wrap(name, n.line, () => this.execute(n.name, data)));
          break;
        }
        case 'break':
        case 'continue':
          throw new LoopSignal(n.type);
      }
    }
  }

  private range(name: string, n: ControlNode, dot: GoValue, vars: Vars, out: string[]): void {
    const mark = vars.length;
    const subject = this.pipeline(name, { ...n.pipe, vars: [] }, dot, vars);
    let entries: Array<[GoValue, GoValue]>;
    if (Array.isArray(subject)) entries = subject.map((v, i) => [BigInt(i), v]);
    else if (isMap(subject)) entries = Object.keys(subject).sort().map((k) => [k, subject[k]]);
    else if (subject === undefined || subject === null) entries = [];
    else throw new TemplateExecError(`template: ${name}:${n.pipe.line}: range can't iterate over ${formatValue(subject)}`);
    if (entries.length === 0) {
      this.walk(name, n.elseList, dot, vars, out);
      return;
    }
    for (const [key, value] of entries) {
      vars.length = mark;
      if (n.pipe.vars.length === 1) vars.push([n.pipe.vars[0]!, value]);
      if (n.pipe.vars.length === 2) vars.push([n.pipe.vars[0]!, key], [n.pipe.vars[1]!, value]);
      try {
        this.walk(name, n.list, value, vars, out);
      } catch (e) {
        if (!(e instanceof LoopSignal)) throw e;
        if (e.kind === 'break') break;
      }
    }
    vars.length = mark;
  }

  private pipeline(name: string, p: Pipeline, dot: GoValue, vars: Vars): GoValue {
    let value: GoValue = undefined;
    p.cmds.forEach((cmd, i) => {
      value = this.command(name, p.line, cmd, dot, vars, i === 0 ? [] : [value]);
    });
    if (p.vars.length === 1) {
      const v = p.vars[0]!;
      if (p.assign) {
        const slot = [...vars].reverse().find(([k]) => k === v);
        if (!slot) throw new TemplateExecError(`template: ${name}:${p.line}: undefined variable: ${v}`);
        slot[1] = value;
      } else {
        vars.push([v, value]);
      }
    }
    return value;
  }

  private command(name: string, line: number, cmd: Command, dot: GoValue, vars: Vars, piped: GoValue[]): GoValue {
    const [first, ...rest] = cmd.args as [Operand, ...Operand[]];
    if (first.type === 'function') {
      if (first.name === 'and' || first.name === 'or') {
        const thunks = [...rest.map((a) => () => this.operand(name, line, a, dot, vars)), ...piped.map((v) => () => v)];
        if (thunks.length === 0) throw new TemplateExecError(`template: ${name}:${line}: wrong number of args for ${first.name}: want at least 1 got 0`);
        let v: GoValue = undefined;
        for (const t of thunks) {
          v = t();
          if (first.name === 'and' ? !isTrue(v) : isTrue(v)) return v;
        }
        return v;
      }
      const fn = this.funcs.get(first.name)!;
      const args = [...rest.map((a) => this.operand(name, line, a, dot, vars)), ...piped];
      return this.wrap(name, line, () => fn(...args), `error calling ${first.name}: `);
    }
    if (rest.length > 0 || piped.length > 0) {
      throw new TemplateExecError(`template: ${name}:${line}: can't give argument to non-function ${describe(first)}`);
    }
    return this.operand(name, line, first, dot, vars);
  }

  private operand(name: string, line: number, a: Operand, dot: GoValue, vars: Vars): GoValue {
    const chain = (base: GoValue, fields: string[]) => this.wrap(name, line, () => fields.reduce(field, base));
    switch (a.type) {
      case 'field':
        return chain(dot, a.chain);
      case 'variable': {
        const slot = [...vars].reverse().find(([k]) => k === a.name);
        if (!slot) throw new TemplateExecError(`template: ${name}:${line}: undefined variable: ${a.name}`);
        return chain(slot[1], a.chain);
      }
      case 'pipeline':
        return chain(this.pipeline(name, a.pipe, dot, vars), a.chain);
      case 'function':
        return this.command(name, line, { args: [a] }, dot, vars, []);
      case 'string':
        return a.value;
      case 'number':
        return parseNumber(a.text);
      case 'bool':
        return a.value;
      case 'nil':
        throw new TemplateExecError(`template: ${name}:${line}: nil is not a command`);
    }
  }

  private wrap<T>(name: string, line: number, f: () => T, prefix = ''): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof TemplateExecError || e instanceof TemplateSyntaxError || e instanceof LoopSignal) throw e;
      throw new TemplateExecError(`template: ${name}:${line}: ${prefix}${(e as Error).message}`);
    }
  }
}

/** text/template's truth: false, 0, nil and empty strings, slices and maps are false. */
export function isTrue(v: GoValue): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v).length > 0;
}

function field(receiver: GoValue, name: string): GoValue {
  if (receiver === undefined || receiver === null) throw new Error(`nil pointer evaluating interface {}.${name}`);
  if (!isMap(receiver)) throw new Error(`can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  return Object.prototype.hasOwnProperty.call(receiver, name) ? receiver[name] : undefined;
}

function indexOne(item: GoValue, key: GoValue): GoValue {
  if (item === undefined || item === null) throw new Error('index of untyped nil');
  if (isMap(item)) {
    if (typeof key !== 'string') throw new Error(`value has type ${goTypeName(key)}; should be string`);
    return Object.prototype.hasOwnProperty.call(item, key) ? item[key] : undefined;
  }
  if (Array.isArray(item) || typeof item === 'string') {
    if (typeof key !== 'bigint') throw new Error(`cannot index slice/array with type ${goTypeName(key)}`);
    if (key < 0n || key >= BigInt(item.length)) throw new Error(`index out of range: ${key}`);
    return typeof item === 'string' ? BigInt(Buffer.from(item)[Number(key)]!) : item[Number(key)];
  }
  throw new Error(`can't index item of type ${goTypeName(item)}`);
}

function basicKind(v: GoValue): string {
  if (v === undefined || v === null) return 'invalid';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string' || typeof v === 'boolean') return typeof v;
  return 'other';
}

function equal(a: GoValue, b: GoValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) {
    if (ka === 'invalid' || kb === 'invalid') return false;
    throw new Error('incompatible types for comparison');
  }
  if (ka === 'other') throw new Error(`non-comparable type ${goTypeName(a)}`);
  return a === b || (ka === 'invalid' && kb === 'invalid');
}

function compare(a: GoValue, b: GoValue): number {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'invalid' || ka === 'other' || ka === 'boolean' || kb === 'invalid' || kb === 'other' || kb === 'boolean') {
    throw new Error('invalid type for comparison');
  }
  if (ka !== kb) throw new Error('incompatible types for comparison');
  const x = a as string | number | bigint;
  const y = b as string | number | bigint;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A template number literal: int unless written with a fraction or an exponent. */
export function parseNumber(text: string): GoValue {
  const t = text.replace(/_/g, '');
  if (/^[-+]?0[xXbBoO]/.test(t)) {
    const neg = t.startsWith('-');
    const v = BigInt(t.replace(/^[-+]/, ''));
    return neg ? -v : v;
  }
  if (/[.eE]/.test(t)) return Number(t);
  return BigInt(t.replace(/^\+/, ''));
}

function describe(a: Operand): string {
  switch (a.type) {
    case 'field':
      return a.chain.length === 0 ? '.' : '.' + a.chain.join('.');
    case 'variable':
      return [a.name, ...a.chain].join('.');
    case 'string':
      return JSON.stringify(a.value);
    case 'number':
      return a.text;
    default:
      return a.type;
  }
}
