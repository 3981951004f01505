/**
 * The names a TypeScript cell (tslab) defines and reads, with the
 * TypeScript compiler API: every cell of a call is a module of one program
 * (no module resolution, ES2023 library), so the checker tells where each
 * identifier resolves:
 *
 * - defines: top-level declarations: const/let/var (with destructuring),
 *   function, class, enum, interface, type, namespace, import bindings;
 * - reads: identifiers in value or type position that resolve to nothing
 *   in the cell (`checker.resolveName` where they stand) and are not
 *   globals (ES2023's, or Node's and tslab's, listed in NODE_GLOBALS).
 *
 * The library's source files are parsed once per analyzer and shared by
 * the programs (as a language service shares them).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import type { NameAnalysis } from './types';

/** Globals of a Node kernel that ES2023's library does not declare. */
const NODE_GLOBALS = new Set([
  'process', 'require', 'module', 'exports', '__dirname', '__filename', 'Buffer', 'global', 'console',
  'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'queueMicrotask',
  'structuredClone', 'fetch', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'AbortController', 'AbortSignal',
  'performance', 'Blob', 'File', 'FormData', 'Headers', 'Request', 'Response', 'atob', 'btoa', 'crypto', 'EventTarget',
  'Event', 'WebAssembly', 'BroadcastChannel', 'MessageChannel', 'MessagePort', 'WebSocket', 'navigator', 'NodeJS',
  'DOMException', 'ReadableStream', 'WritableStream', 'TransformStream',
]);

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  lib: ['lib.es2023.d.ts'],
  moduleDetection: ts.ModuleDetectionKind.Force,
  noResolve: true,
  types: [],
  noEmit: true,
  skipLibCheck: true,
  allowJs: false,
};

const MEANING = ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace | ts.SymbolFlags.Alias;

/** Nodes whose `name` is the declared name, not a reference. */
const DECLARATIONS: ((n: ts.Node) => boolean)[] = [
  ts.isVariableDeclaration, ts.isParameter, ts.isFunctionLike, ts.isClassLike, ts.isInterfaceDeclaration, ts.isTypeAliasDeclaration,
  ts.isEnumDeclaration, ts.isEnumMember, ts.isModuleDeclaration, ts.isImportClause, ts.isNamespaceImport, ts.isImportSpecifier,
  ts.isImportEqualsDeclaration, ts.isTypeParameterDeclaration, ts.isBindingElement, ts.isPropertyDeclaration, ts.isPropertySignature,
  ts.isPropertyAssignment, ts.isNamespaceExport, ts.isNamespaceExportDeclaration,
];

/** Whether an identifier stands for a value or type it refers to (not a declaration's name, a property name, a label). */
function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isShorthandPropertyAssignment(p)) return true;
  if ((ts.isPropertyAccessExpression(p) || ts.isQualifiedName(p)) && (ts.isPropertyAccessExpression(p) ? p.name : p.right) === id) return false;
  if ((ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isBindingElement(p)) && p.propertyName === id) return ts.isExportSpecifier(p);
  if (ts.isExportSpecifier(p)) return p.propertyName === undefined;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p) || ts.isMetaProperty(p) || ts.isJsxAttribute(p) || ts.isTypePredicateNode(p)) return false;
  if ((ts.isJsxOpeningElement(p) || ts.isJsxSelfClosingElement(p) || ts.isJsxClosingElement(p)) && /^[a-z]/.test(id.text)) return false;
  const named = p as ts.Node & { name?: ts.Node };
  if (named.name === id && DECLARATIONS.some((is) => is(p))) return false;
  return true;
}

function bindingNames(name: ts.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const e of name.elements) if (!ts.isOmittedExpression(e)) bindingNames(e.name, out);
}

function topLevelDefines(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) bindingNames(d.name, out);
    } else if (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isEnumDeclaration(st)) {
      if (st.name) out.push(st.name.text);
    } else if (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name)) {
      out.push(st.name.text);
    } else if (ts.isImportDeclaration(st) && st.importClause) {
      const c = st.importClause;
      if (c.name) out.push(c.name.text);
      if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) out.push(c.namedBindings.name.text);
      else if (c.namedBindings) for (const e of c.namedBindings.elements) out.push(e.name.text);
    } else if (ts.isImportEqualsDeclaration(st)) {
      out.push(st.name.text);
    }
  }
  return out;
}

export class TypeScriptAnalyzer {
  private readonly libFiles = new Map<string, ts.SourceFile | undefined>();
  private readonly libDir = dirname(ts.getDefaultLibFilePath(OPTIONS));

  /** Every cell of one notebook at once (one program); the result is in the order of `sources`. */
  analyze(sources: readonly string[]): NameAnalysis[] {
    if (!sources.length) return [];
    const names = sources.map((_, i) => `/cell-${i}.ts`);
    // Each cell a module (its own top-level scope): `export {}` appended, after the cell's last line.
    const cells = new Map(names.map((n, i) => [n, ts.createSourceFile(n, `${sources[i]!}\n;export {};\n`, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS)]));
    const host: ts.CompilerHost = {
      getSourceFile: (fileName) => cells.get(fileName) ?? this.lib(fileName),
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      writeFile: () => undefined,
      getCurrentDirectory: () => '/',
      getCanonicalFileName: (f) => f,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => '\n',
      fileExists: (f) => cells.has(f) || this.lib(f) !== undefined,
      readFile: () => undefined,
      getDirectories: () => [],
    };
    const program = ts.createProgram({ rootNames: names, options: OPTIONS, host });
    const checker = program.getTypeChecker();
    return names.map((n) => this.cell(program, checker, cells.get(n)!));
  }

  private cell(program: ts.Program, checker: ts.TypeChecker, sf: ts.SourceFile): NameAnalysis {
    // The names are looked up where they are used, in the cell and then in the library's globals.
    const defines = [...new Set(topLevelDefines(sf))].sort();
    const reads = new Set<string>();
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && node.text !== '' && isReference(node) && !NODE_GLOBALS.has(node.text) && !checker.resolveName(node.text, node, MEANING, false)) reads.add(node.text);
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(sf, visit);
    const diagnostics = program.getSyntacticDiagnostics(sf);
    const out: NameAnalysis = { defines, reads: [...reads].sort() };
    if (diagnostics.length) {
      const d = diagnostics[0]!;
      const where = d.start !== undefined ? ` (line ${sf.getLineAndCharacterOfPosition(d.start).line + 1})` : '';
      out.errors = `Cannot parse the TypeScript cell: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}${where}`;
    }
    return out;
  }

  private lib(fileName: string): ts.SourceFile | undefined {
    if (dirname(fileName) !== this.libDir || !/^lib\.[\w.]+\.d\.ts$/.test(fileName.slice(this.libDir.length + 1))) return undefined;
    if (!this.libFiles.has(fileName)) {
      let text: string | undefined;
      try {
        text = readFileSync(join(this.libDir, fileName.slice(this.libDir.length + 1)), 'utf8');
      } catch {
        text = undefined;
      }
      this.libFiles.set(fileName, text === undefined ? undefined : ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, false));
    }
    return this.libFiles.get(fileName);
  }
}
