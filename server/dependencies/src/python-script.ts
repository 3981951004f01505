/**
 * The Python side of python-analyzer.ts, run by Debian's /usr/bin/python3
 * (no packages needed; IPython's input transformer is used when installed,
 * for cells with magics and shell escapes). Kept as text so the compiled
 * package carries it; it answers JSON lines on stdin/stdout:
 *
 *   request  {"id": 1, "source": "...", "aliases": {"odoo": "conn:odoo", "pd": null}}
 *   answer   {"id": 1, "defines": [...], "reads": [...], "builtins": [...], "sql": [{"sql", "connection", "line", "scan"}],
 *             "tables": [{"name", "schema", "connection", "op", "line"}], "aliases": {...}, "notes": [...]}
 *            or {"id": 1, "error": "Cannot parse the Python cell: invalid syntax (line 2, column 5)"}
 *
 * `aliases`: module-level names bound to duckdb ("duckdb": the module or a
 * connection), pandas, workbench or a Workbench connection ("conn:NAME"),
 * carried from cell to cell (null: no longer one).
 */
// prettier-ignore
export const PYTHON_ANALYZER_SCRIPT = String.raw`import ast
import builtins
import json
import re
import sys

sys.setrecursionlimit(6000)

IGNORED = frozenset(dir(builtins)) | frozenset([
    "__name__", "__file__", "__doc__", "__builtins__", "__spec__", "__loader__", "__package__", "__annotations__",
    "display", "get_ipython", "In", "Out", "_", "__", "___", "_i", "_ii", "_iii", "_ih", "_oh", "_dh", "exit", "quit",
])

# Names a notebook conventionally binds to these modules, when the cell does not say otherwise.
DEFAULT_ALIASES = {"duckdb": "duckdb", "pd": "pandas", "pandas": "pandas", "workbench": "workbench", "wb": "workbench"}
MODULE_KINDS = {"duckdb": "duckdb", "pandas": "pandas", "workbench": "workbench"}
FROM_IMPORTS = {
    ("duckdb", "sql"): "duckdb.sql", ("duckdb", "query"): "duckdb.sql", ("duckdb", "execute"): "duckdb.sql",
    ("duckdb", "connect"): "duckdb.connect", ("duckdb", "table"): "duckdb.table",
    ("pandas", "read_sql"): "pandas.read_sql", ("pandas", "read_sql_query"): "pandas.read_sql",
    ("pandas", "read_sql_table"): "pandas.read_sql_table", ("workbench", "connect"): "workbench.connect",
}
SQL_START = re.compile(r"^\s*(?:--[^\n]*\n\s*)*(select|with|from|create|insert|update|delete|drop|alter|copy|pivot|unpivot|summarize|describe|values|table)\b", re.I)
PASS_THROUGH_CELL_MAGICS = {"time", "timeit", "prun", "capture"}


class Scope:
    __slots__ = ("kind", "parent", "bound", "globals")

    def __init__(self, kind, parent, bound=frozenset(), declared_global=frozenset()):
        self.kind = kind  # module | function | class | comprehension
        self.parent = parent
        self.bound = bound
        self.globals = declared_global


def arg_names(args):
    out = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    if args.vararg:
        out.append(args.vararg.arg)
    if args.kwarg:
        out.append(args.kwarg.arg)
    return out


def bindings(body, args=None):
    """Names bound in a function or class body, outside its nested scopes; and those declared global."""
    bound, declared_global, declared_nonlocal = set(arg_names(args) if args else []), set(), set()

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
            for d in node.decorator_list:
                visit(d)
            return
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            for n in ast.walk(node):
                if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name):
                    bound.add(n.target.id)
            return
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            bound.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                if a.name != "*":
                    bound.add(a.asname or a.name.split(".")[0])
        elif isinstance(node, ast.Global):
            declared_global.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            declared_nonlocal.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for stmt in body:
        visit(stmt)
    return frozenset(bound - declared_global - declared_nonlocal), frozenset(declared_global)


class Cell:
    def __init__(self, aliases):
        self.defined = {}
        self.reads = {}
        self.deferred = {}
        self.builtins = {}
        self.deferred_builtins = {}
        self.strings = {}
        self.aliases = dict(aliases)
        self.new_aliases = {}
        self.sql = []
        self.tables = []
        self.notes = []

    # ---- names -------------------------------------------------------------

    def load(self, name, scope):
        deferred = False
        s = scope
        first = True
        while s.kind != "module":
            if s.kind == "function":
                deferred = True
            if name in s.globals:
                break
            if not (s.kind == "class" and not first) and name in s.bound:
                return
            first = False
            s = s.parent
        # A builtin (or IPython) name is a read only if some cell of the notebook rebinds it: reported apart.
        builtin = name in IGNORED
        if deferred:
            (self.deferred_builtins if builtin else self.deferred)[name] = True
        elif name not in self.defined:
            (self.builtins if builtin else self.reads)[name] = True

    def store(self, name, scope):
        while scope.kind == "comprehension":
            scope = scope.parent
        if scope.kind == "module" or name in scope.globals:
            self.defined[name] = True

    # ---- traversal ---------------------------------------------------------

    def visit(self, node, scope):
        method = getattr(self, "v_" + type(node).__name__, None)
        if method is not None:
            method(node, scope)
        else:
            for child in ast.iter_child_nodes(node):
                self.visit(child, scope)

    def visit_all(self, nodes, scope):
        for n in nodes:
            if n is not None:
                self.visit(n, scope)

    def v_Name(self, node, scope):
        if isinstance(node.ctx, ast.Store):
            self.store(node.id, scope)
        else:
            self.load(node.id, scope)

    def v_Assign(self, node, scope):
        self.visit(node.value, scope)
        if scope.kind == "module":
            self.remember(node.targets, node.value)
        for t in node.targets:
            self.target(t, scope)

    def target(self, node, scope):
        """An assignment target; 'df["x"] = ...' / 'obj.a = ...' at module level changes df / obj: read, then defined."""
        self.visit(node, scope)
        if scope.kind == "module" and isinstance(node, (ast.Subscript, ast.Attribute)):
            root = node
            while isinstance(root, (ast.Subscript, ast.Attribute)):
                root = root.value
            if isinstance(root, ast.Name) and root.id not in IGNORED:
                self.store(root.id, scope)

    def v_AugAssign(self, node, scope):
        self.visit(node.value, scope)
        if isinstance(node.target, ast.Name):
            self.load(node.target.id, scope)
            self.store(node.target.id, scope)
        else:
            self.target(node.target, scope)

    def v_AnnAssign(self, node, scope):
        if node.value is not None:
            self.visit(node.value, scope)
        self.visit(node.annotation, scope)
        if node.value is not None or not isinstance(node.target, ast.Name):
            self.target(node.target, scope)

    def v_NamedExpr(self, node, scope):
        self.visit(node.value, scope)
        self.store(node.target.id, scope)

    def v_For(self, node, scope):
        self.visit(node.iter, scope)
        self.visit(node.target, scope)
        self.visit_all(node.body, scope)
        self.visit_all(node.orelse, scope)

    v_AsyncFor = v_For

    def v_Import(self, node, scope):
        for a in node.names:
            name = a.asname or a.name.split(".")[0]
            self.store(name, scope)
            kind = MODULE_KINDS.get(a.name)
            self.alias(name, kind if (a.asname or a.name == name) else None, scope)

    def v_ImportFrom(self, node, scope):
        for a in node.names:
            if a.name == "*":
                self.note("from %s import * binds names this analysis cannot see" % (node.module or "."))
                continue
            name = a.asname or a.name
            self.store(name, scope)
            self.alias(name, FROM_IMPORTS.get((node.module, a.name)), scope)

    def v_ExceptHandler(self, node, scope):
        self.visit_all([node.type], scope)
        self.visit_all(node.body, scope)

    def function_scope(self, node, scope, body):
        b, g = bindings(body, node.args)
        return Scope("function", scope, b, g)

    def v_FunctionDef(self, node, scope):
        self.visit_all(node.decorator_list, scope)
        self.outer_arguments(node.args, scope)
        self.visit_all([node.returns], scope)
        self.store(node.name, scope)
        inner = self.function_scope(node, scope, node.body)
        self.visit_all(node.body, inner)

    v_AsyncFunctionDef = v_FunctionDef

    def v_Lambda(self, node, scope):
        self.outer_arguments(node.args, scope, annotations=False)
        bound = set(arg_names(node.args))
        for n in ast.walk(node.body):
            if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name):
                bound.add(n.target.id)
        self.visit(node.body, Scope("function", scope, frozenset(bound)))

    def outer_arguments(self, args, scope, annotations=True):
        self.visit_all(args.defaults, scope)
        self.visit_all(args.kw_defaults, scope)
        if annotations:
            for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
                if a is not None:
                    self.visit_all([a.annotation], scope)

    def v_ClassDef(self, node, scope):
        self.visit_all(node.decorator_list, scope)
        self.visit_all(node.bases, scope)
        self.visit_all(node.keywords, scope)
        b, g = bindings(node.body)
        inner = Scope("class", scope, b, g)
        self.visit_all(node.body, inner)
        self.store(node.name, scope)

    def comprehension(self, node, scope, elements):
        gens = node.generators
        self.visit(gens[0].iter, scope)
        bound = set()
        for g in gens:
            for n in ast.walk(g.target):
                if isinstance(n, ast.Name):
                    bound.add(n.id)
        inner = Scope("comprehension", scope, frozenset(bound))
        for i, g in enumerate(gens):
            if i > 0:
                self.visit(g.iter, inner)
            self.visit_all(g.ifs, inner)
        self.visit_all(elements, inner)

    def v_ListComp(self, node, scope):
        self.comprehension(node, scope, [node.elt])

    v_SetComp = v_ListComp
    v_GeneratorExp = v_ListComp

    def v_DictComp(self, node, scope):
        self.comprehension(node, scope, [node.key, node.value])

    def v_MatchAs(self, node, scope):
        self.visit_all([node.pattern], scope)
        if node.name:
            self.store(node.name, scope)

    def v_MatchStar(self, node, scope):
        if node.name:
            self.store(node.name, scope)

    def v_MatchMapping(self, node, scope):
        self.visit_all(node.keys, scope)
        self.visit_all(node.patterns, scope)
        if node.rest:
            self.store(node.rest, scope)

    def v_Call(self, node, scope):
        for child in ast.iter_child_nodes(node):
            self.visit(child, scope)
        self.sql_call(node)

    # ---- SQL through DuckDB, pandas and workbench ----------------------------

    def alias(self, name, kind, scope):
        if scope.kind != "module":
            return
        if kind is None:
            # Shadowing a known connection or module name: later cells must not take it for one.
            if self.aliases.get(name) is not None or name in DEFAULT_ALIASES:
                self.new_aliases[name] = None
            self.aliases[name] = None
        else:
            self.aliases[name] = kind
            self.new_aliases[name] = kind

    def remember(self, targets, value):
        """Module-level 'q = "SELECT ..."' and 'con = duckdb.connect()' / 'odoo = workbench.connect("odoo")'."""
        if len(targets) != 1 or not isinstance(targets[0], ast.Name):
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        self.strings.pop(n.id, None)
                        if n.id in self.aliases:
                            self.alias(n.id, None, Scope("module", None))
            return
        name = targets[0].id
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            self.strings[name] = value.value
        else:
            self.strings.pop(name, None)
        kind = self.kind_of(value)
        self.alias(name, kind if (kind == "duckdb" or (kind or "").startswith("conn:")) else None, Scope("module", None))

    def kind_of(self, expr):
        if isinstance(expr, ast.Name):
            if expr.id in self.aliases:
                return self.aliases[expr.id]
            if expr.id in self.defined or expr.id in self.new_aliases:
                return None
            return DEFAULT_ALIASES.get(expr.id)
        if isinstance(expr, ast.Attribute):
            base = self.kind_of(expr.value)
            if base in ("duckdb", "pandas", "workbench"):
                return FROM_IMPORTS.get((base, expr.attr))
            return None
        if isinstance(expr, ast.Call):
            f = self.kind_of(expr.func)
            if f == "duckdb.connect":
                return "duckdb"
            if f == "workbench.connect" and expr.args and isinstance(expr.args[0], ast.Constant) and isinstance(expr.args[0].value, str):
                return "conn:" + expr.args[0].value
        return None

    def argument(self, node, position, keywords):
        value = node.args[position] if len(node.args) > position else None
        if value is None:
            for k in node.keywords:
                if k.arg in keywords:
                    value = k.value
        return value

    def sql_text(self, node, value, quiet):
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
        if isinstance(value, ast.Name) and value.id in self.strings:
            return self.strings[value.id]
        if not quiet and value is not None:
            what = "an f-string" if isinstance(value, ast.JoinedStr) else "not a string literal"
            self.note("Cannot follow the SQL at line %d: it is %s" % (node.lineno, what))
        return None

    def add_sql(self, node, value, connection, scan, quiet=False):
        text = self.sql_text(node, value, quiet)
        if text is not None and (not quiet or SQL_START.match(text)):
            self.sql.append({"sql": text, "connection": connection, "line": node.lineno, "scan": scan})

    def add_table(self, node, value, connection, op, schema=None):
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            self.tables.append({"name": value.value, "schema": schema, "connection": connection, "op": op, "line": node.lineno})

    def sql_call(self, node):
        f = self.kind_of(node.func)
        if f == "duckdb.sql":
            self.add_sql(node, self.argument(node, 0, ("query",)), "warehouse", True)
            return
        if f == "duckdb.table":
            self.add_table(node, self.argument(node, 0, ("table_name",)), "warehouse", "read")
            return
        if f == "pandas.read_sql":
            self.add_sql(node, self.argument(node, 0, ("sql",)), "warehouse", False)
            return
        if f == "pandas.read_sql_table":
            self.add_table(node, self.argument(node, 0, ("table_name",)), "warehouse", "read")
            return
        if not isinstance(node.func, ast.Attribute):
            return
        attr = node.func.attr
        owner = self.kind_of(node.func.value)
        if owner and owner.startswith("conn:"):
            connection = owner[len("conn:"):]
            if attr in ("query", "sql", "extract"):
                self.add_sql(node, self.argument(node, 0, ("sql",)), connection, False)
            elif attr == "load":
                schema = self.argument(node, 2, ("schema",))
                schema_name = schema.value if isinstance(schema, ast.Constant) and isinstance(schema.value, str) else "public"
                self.add_table(node, self.argument(node, 1, ("table",)), connection, "create", schema_name)
            return
        if owner == "duckdb":
            if attr in ("sql", "query", "execute", "executemany"):
                self.add_sql(node, self.argument(node, 0, ("query",)), "warehouse", True)
            elif attr in ("table", "view"):
                self.add_table(node, self.argument(node, 0, ("table_name", "view_name")), "warehouse", "read")
            return
        if attr in ("sql", "execute"):
            # Any other object's .sql() / .execute(): taken for the warehouse's DuckDB (an approximation).
            self.add_sql(node, self.argument(node, 0, ("query", "sql")), "warehouse", True, quiet=True)
        elif attr == "query":
            # DataFrame.query("a > 1") is not SQL: only a literal that reads as SQL counts.
            self.add_sql(node, self.argument(node, 0, ("query", "sql")), "warehouse", True, quiet=True)

    def note(self, message):
        if message not in self.notes:
            self.notes.append(message)

    def run(self, tree):
        module = Scope("module", None)
        self.visit_all(tree.body, module)
        for name in self.deferred:
            if name not in self.defined:
                self.reads[name] = True
        for name in self.deferred_builtins:
            if name not in self.defined:
                self.builtins[name] = True
        return {
            "defines": sorted(self.defined),
            "reads": sorted(self.reads),
            "builtins": sorted(self.builtins),
            "sql": self.sql,
            "tables": self.tables,
            "aliases": self.new_aliases,
            "notes": self.notes,
        }


# ---- IPython syntax -----------------------------------------------------------

MAGIC_ASSIGN = re.compile(r"^(\s*)([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*=\s*[!%].*$")
MAGIC_LINE = re.compile(r"^(\s*)(?:[!%].*|\?\??[\w.]+.*|[\w.]+\?\??\s*)$")


def without_ipython_syntax(source):
    """Plain Python for a cell with IPython syntax: IPython's own transformer when it is installed, else line rules."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except Exception:
        out = []
        for line in source.split("\n"):
            m = MAGIC_ASSIGN.match(line)
            if m:
                out.append("%s%s = None" % (m.group(1), m.group(2)))
                continue
            m = MAGIC_LINE.match(line)
            out.append("%spass" % m.group(1) if m else line)
        return "\n".join(out)
    return TransformerManager().transform_cell(source)


def cell_body(source):
    """(python source, extra defines) of a cell; None when a cell magic makes it something other than Python."""
    stripped = source.lstrip()
    if not stripped.startswith("%%"):
        return source, []
    first, _, rest = stripped.partition("\n")
    words = first[2:].split()
    magic = words[0] if words else ""
    if magic not in PASS_THROUGH_CELL_MAGICS:
        return None, []
    extra = [w for w in words[1:] if magic == "capture" and re.match(r"^[A-Za-z_]\w*$", w)][:1]
    return rest, extra


IPYTHON_HINT = re.compile(r"^\s*[%!?]|^\s*[A-Za-z_][\w\s,]*=\s*[%!]|\?\s*$", re.M)


def parse(source):
    try:
        return ast.parse(source)
    except SyntaxError as first:
        if not IPYTHON_HINT.search(source):
            raise
        try:
            return ast.parse(without_ipython_syntax(source))
        except SyntaxError:
            raise first


def analyse(request):
    source, extra = cell_body(request["source"])
    if source is None:
        return {"defines": [], "reads": [], "builtins": [], "sql": [], "tables": [], "aliases": {}, "notes": []}
    try:
        tree = parse(source)
    except SyntaxError as err:
        where = " (line %d, column %d)" % (err.lineno, err.offset or 0) if err.lineno else ""
        return {"error": "Cannot parse the Python cell: %s%s" % (err.msg, where)}
    except (ValueError, MemoryError, RecursionError) as err:
        return {"error": "Cannot parse the Python cell: %s" % (str(err) or type(err).__name__)}
    cell = Cell(request.get("aliases") or {})
    for name in extra:
        cell.defined[name] = True
    try:
        return cell.run(tree)
    except RecursionError:
        return {"error": "Cannot analyse the Python cell: it is nested too deeply"}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError as err:
            sys.stdout.write(json.dumps({"id": None, "error": "Cannot read the request: %s" % err}) + "\n")
            sys.stdout.flush()
            continue
        try:
            answer = analyse(request)
        except Exception as err:  # a bug here must not take the process down
            answer = {"error": "Cannot analyse the Python cell: %s: %s" % (type(err).__name__, err)}
        answer["id"] = request.get("id")
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


main()
`;
