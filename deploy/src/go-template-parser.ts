/**
 * Parse tree of Go's text/template: the control structures (if / else if /
 * else, range, with, define, template, break, continue) and pipelines of
 * commands, each a function call or an operand with its field chain.
 *
 * `block` is refused (Helm charts use define + include). `define`d templates
 * go into the set the parse returns beside the file's own tree.
 */
import { KEYWORDS, lex, TemplateSyntaxError, Token } from './go-template-lexer';

export type Operand =
  | { type: 'field'; chain: string[] } // .a.b (chain [] is dot)
  | { type: 'variable'; name: string; chain: string[] } // $x.a
  | { type: 'function'; name: string }
  | { type: 'string'; value: string }
  | { type: 'number'; text: string }
  | { type: 'bool'; value: boolean }
  | { type: 'nil' }
  | { type: 'pipeline'; pipe: Pipeline; chain: string[] }; // (...).a

export interface Command {
  args: Operand[];
}

export interface Pipeline {
  line: number;
  /** Variables declared (`:=`) or assigned (`=`) by the pipeline. */
  vars: string[];
  assign: boolean;
  cmds: Command[];
}

export interface ControlNode {
  type: 'if' | 'with' | 'range';
  pipe: Pipeline;
  list: Node[];
  elseList: Node[];
}

export type Node =
  | { type: 'text'; text: string }
  | { type: 'action'; pipe: Pipeline }
  | ControlNode
  | { type: 'template'; name: string; pipe: Pipeline | undefined; line: number }
  | { type: 'break' | 'continue'; line: number };

export interface ParsedTemplate {
  /** The file's own tree. */
  root: Node[];
  /** Templates it defines (`{{ define "name" }}`). */
  defines: Map<string, Node[]>;
}

export function parseTemplate(name: string, src: string): ParsedTemplate {
  const tokens = lex(name, src);
  let pos = 0;
  const defines = new Map<string, Node[]>();
  let rangeDepth = 0;
  const peek = (k = 0): Token => tokens[Math.min(pos + k, tokens.length - 1)]!;
  const next = (): Token => tokens[pos++] ?? tokens[tokens.length - 1]!;
  const fail = (t: Token, why: string): never => {
    throw new TemplateSyntaxError(`template: ${name}:${t.line}: ${why}`);
  };
  const expect = (kind: Token['kind'], context: string): Token => {
    const t = next();
    if (t.kind !== kind) fail(t, `unexpected ${describe(t)} in ${context}`);
    return t;
  };

  /** Nodes until `{{ end }}`, `{{ else ... }}` or eof; returns the keyword that stopped it. */
  function parseList(topLevel: boolean): { nodes: Node[]; stop: 'end' | 'else' | 'eof' } {
    const nodes: Node[] = [];
    for (;;) {
      const t = next();
      if (t.kind === 'eof') return { nodes, stop: 'eof' };
      if (t.kind === 'text') {
        nodes.push({ type: 'text', text: t.value });
        continue;
      }
      const k = peek();
      if (k.kind === 'ident' && KEYWORDS.has(k.value)) {
        next();
        switch (k.value) {
          case 'end':
            expect('right', 'end');
            return { nodes, stop: 'end' };
          case 'else':
            // The caller reads what follows: `}}`, or the `if` / `with` of `else if` / `else with`.
            return { nodes, stop: 'else' };
          case 'if':
          case 'with':
          case 'range':
            nodes.push(parseControl(k.value, k));
            break;
          case 'define': {
            if (!topLevel) fail(k, 'unexpected <define> in command');
            const n = expect('string', 'define clause');
            expect('right', 'define clause');
            const body = parseList(false);
            if (body.stop !== 'end') fail(k, `unexpected ${body.stop === 'eof' ? 'EOF' : '{{else}}'} in define clause`);
            defines.set(n.value, body.nodes);
            break;
          }
          case 'template': {
            const n = expect('string', 'template clause');
            const pipe = peek().kind === 'right' ? undefined : parsePipeline(false, 'template clause');
            expect('right', 'template clause');
            nodes.push({ type: 'template', name: n.value, pipe, line: k.line });
            break;
          }
          case 'break':
          case 'continue':
            if (rangeDepth === 0) fail(k, `{{${k.value}}} outside {{range}}`);
            expect('right', k.value);
            nodes.push({ type: k.value, line: k.line });
            break;
          default:
            fail(k, `{{${k.value}}} is not supported by this renderer`);
        }
        continue;
      }
      const pipe = parsePipeline(true, 'command');
      expect('right', 'command');
      nodes.push({ type: 'action', pipe });
    }
  }

  function parseControl(kind: 'if' | 'with' | 'range', at: Token): Node {
    const pipe = parsePipeline(true, `${kind} clause`, kind === 'range');
    expect('right', `${kind} clause`);
    if (kind === 'range') rangeDepth++;
    const body = parseList(false);
    if (kind === 'range') rangeDepth--;
    let elseList: Node[] = [];
    if (body.stop === 'eof') fail(at, `unexpected EOF in ${kind} clause`);
    if (body.stop === 'else') {
      const k = peek();
      if ((kind === 'if' && k.kind === 'ident' && k.value === 'if') || (kind === 'with' && k.kind === 'ident' && k.value === 'with')) {
        // `{{ else if x }}` is `{{ else }}{{ if x }}...{{ end }}` sharing the outer end.
        next();
        elseList = [parseControl(kind, k)];
      } else {
        expect('right', `${kind} clause`);
        const rest = parseList(false);
        if (rest.stop !== 'end') fail(at, `unexpected ${rest.stop === 'eof' ? 'EOF' : '{{else}}'} in ${kind} clause`);
        elseList = rest.nodes;
      }
    }
    return { type: kind, pipe, list: body.nodes, elseList };
  }

  function parsePipeline(allowDecl: boolean, context: string, twoVars = false): Pipeline {
    const line = peek().line;
    const vars: string[] = [];
    let assign = false;
    if (allowDecl && peek().kind === 'variable') {
      if (peek(1).kind === 'declare' || peek(1).kind === 'assign') {
        vars.push(next().value);
        assign = next().kind === 'assign';
      } else if (twoVars && peek(1).kind === 'comma' && peek(2).kind === 'variable' && peek(3).kind === 'declare') {
        vars.push(next().value);
        next();
        vars.push(next().value);
        next();
      }
    }
    const cmds: Command[] = [];
    for (;;) {
      const args: Operand[] = [];
      while (!['pipe', 'right', 'rparen', 'eof'].includes(peek().kind)) args.push(parseOperand(context));
      if (args.length === 0) fail(peek(), `missing value for ${context}`);
      cmds.push({ args });
      if (peek().kind !== 'pipe') break;
      next();
    }
    return { line, vars, assign, cmds };
  }

  function parseOperand(context: string): Operand {
    const t = next();
    let op: Operand;
    switch (t.kind) {
      case 'field':
        op = { type: 'field', chain: [t.value] };
        break;
      case 'dot':
        op = { type: 'field', chain: [] };
        break;
      case 'variable':
        op = { type: 'variable', name: t.value, chain: [] };
        break;
      case 'ident':
        if (KEYWORDS.has(t.value)) fail(t, `unexpected <${t.value}> in ${context}`);
        op = { type: 'function', name: t.value };
        break;
      case 'string':
        op = { type: 'string', value: t.value };
        break;
      case 'number':
        op = { type: 'number', text: t.value };
        break;
      case 'bool':
        op = { type: 'bool', value: t.value === 'true' };
        break;
      case 'nil':
        op = { type: 'nil' };
        break;
      case 'lparen': {
        const pipe = parsePipeline(false, 'parenthesized pipeline');
        expect('rparen', 'parenthesized pipeline');
        op = { type: 'pipeline', pipe, chain: [] };
        break;
      }
      default:
        return fail(t, `unexpected ${describe(t)} in ${context}`);
    }
    while (peek().kind === 'field' && !peek().spaced) {
      const f = next();
      if (op.type === 'field' || op.type === 'variable' || op.type === 'pipeline') op.chain.push(f.value);
      else fail(f, `unexpected . after term ${describe(t)}`);
    }
    return op;
  }

  const top = parseList(true);
  if (top.stop !== 'eof') fail(tokens[pos - 1]!, `unexpected {{${top.stop}}}`);
  return { root: top.nodes, defines };
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'EOF';
  if (t.kind === 'right') return '"}}"';
  if (t.kind === 'string') return `"${t.value}"`;
  return `<${t.value}>`;
}
