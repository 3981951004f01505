"""Workbench from Python kernels: the server's named connections, without their credentials.

    import workbench
    odoo = workbench.connect("odoo")
    df = odoo.query("select name, vat from res_partner where is_company and create_date >= $1", ["2026-01-01"])

The query runs in the Workbench server, on the connection's pool, as the
kernel's owner (with that user's role), and is audited there; the credential
never reaches this process. Requests are signed with this kernel's own
Jupyter key (the ``key`` of its connection file):

    Authorization: WorkbenchKernel <kernel_id>:<unix_seconds>:<hex>
    hex = HMAC-SHA256(key, "<kernel_id>\\n<unix_seconds>\\n<METHOD>\\n<path?query>\\n<sha256 hex of the body>")

They go to the server's Unix socket (``WORKBENCH_API_SOCKET``, bound into the
kernel's sandbox, which has no network) or else its loopback URL
(``WORKBENCH_API_URL``).

In a pipeline task, a notebook hands values to the tasks after it:

    workbench.task_value("invoice_count", 42)
    workbench.task_value("period", {"start": "2026-10-01", "end": "2026-10-31"})

Each call shows a display output of type
``application/vnd.workbench.task-values+json`` (``{name: value}``, with a
plain-text line for people reading the notebook); the headless executor
collects them, a later call with the same name wins. Values must be JSON
(str, int, float, bool, None, lists and dicts of them).
"""
import hashlib
import hmac
import http.client
import json
import os
import re
import socket
import time
import urllib.parse

__all__ = ["connect", "connections", "Connection", "Result", "QueryError", "task_value", "TASK_VALUES_MIME"]

#: The mime type of a task-values display output (kernels/executor/src/task-values.ts).
TASK_VALUES_MIME = "application/vnd.workbench.task-values+json"


class QueryError(Exception):
    """The server or the database refused the query; ``sqlstate`` and ``position`` when the database said."""

    def __init__(self, message, status=None, sqlstate=None, position=None):
        super().__init__(message)
        self.status = status
        self.sqlstate = sqlstate
        self.position = position


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


def _kernel_identity():
    try:
        from ipykernel.connect import get_connection_file
    except ImportError as err:  # not in an IPython kernel
        raise QueryError("Cannot reach Workbench: this is not running in a Workbench kernel") from err
    path = get_connection_file()
    m = re.match(r"^kernel-(.+)\.json$", os.path.basename(path))
    kernel_id = os.environ.get("KERNEL_ID") or (m and m.group(1))
    with open(path, encoding="utf-8") as f:
        key = json.load(f).get("key", "")
    if not kernel_id or not key:
        raise QueryError("Cannot reach Workbench: this kernel has no id or signing key")
    return kernel_id, key


def _request(method, path, body=None, timeout=600):
    api_url = os.environ.get("WORKBENCH_API_URL", "")
    api_socket = os.environ.get("WORKBENCH_API_SOCKET", "")
    if not api_url and not api_socket:
        raise QueryError("Cannot reach Workbench: WORKBENCH_API_URL is not set (is this a Workbench kernel?)")
    base = urllib.parse.urlparse(api_url).path if api_url else "/"
    if not base.endswith("/"):
        base += "/"
    target = base + path
    data = b"" if body is None else json.dumps(body).encode("utf-8")
    kernel_id, key = _kernel_identity()
    now = int(time.time())
    message = "\n".join([kernel_id, str(now), method, target, hashlib.sha256(data).hexdigest()])
    signature = hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()
    headers = {"Authorization": "WorkbenchKernel %s:%d:%s" % (kernel_id, now, signature)}
    if body is not None:
        headers["Content-Type"] = "application/json"
    if api_socket and os.path.exists(api_socket):
        conn = _UnixConnection(api_socket, timeout)
    else:
        u = urllib.parse.urlparse(api_url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.request(method, target, body=data if body is not None else None, headers=headers)
        res = conn.getresponse()
        text = res.read().decode("utf-8")
    finally:
        conn.close()
    try:
        answer = json.loads(text) if text else {}
    except ValueError:
        answer = {"message": text}
    if res.status >= 300:
        raise QueryError(answer.get("message") or "HTTP %d" % res.status, res.status, answer.get("sqlstate"), answer.get("position"))
    return answer


class Result:
    """A query's result when pandas is not installed: ``columns``, ``rows``, ``truncated``; ``records()`` as dicts."""

    def __init__(self, answer):
        self.columns = [c["name"] for c in answer.get("columns", [])]
        self.types = [c["type"] for c in answer.get("columns", [])]
        self.rows = answer.get("rows", [])
        self.truncated = bool(answer.get("truncated"))
        self.command = answer.get("command")

    def records(self):
        return [dict(zip(self.columns, r)) for r in self.rows]

    def __len__(self):
        return len(self.rows)

    def __repr__(self):
        more = " (truncated)" if self.truncated else ""
        return "<workbench.Result %d rows x %d columns%s: %s>" % (len(self.rows), len(self.columns), more, ", ".join(self.columns))


class Connection:
    """A named connection of the Workbench server. ``query`` returns a pandas DataFrame when pandas is installed, else a Result."""

    def __init__(self, name):
        self.name = name

    def query(self, sql, params=None, max_rows=10000):
        body = {"sql": sql, "max_rows": max_rows}
        if params is not None:
            body["params"] = list(params)
        answer = _request("POST", "api/connections/%s/query" % urllib.parse.quote(self.name, safe=""), body)
        try:
            import pandas
        except ImportError:
            return Result(answer)
        frame = pandas.DataFrame(answer.get("rows", []), columns=[c["name"] for c in answer.get("columns", [])])
        frame.attrs["truncated"] = bool(answer.get("truncated"))
        return frame

    sql = query

    def extract(self, sql, path, params=None):
        """Write the whole result of one SELECT to the Parquet file ``path`` (relative to the workspace root).

        The server runs it with the connection's credential in one read-only snapshot, keeps
        the declared types (numerics stay decimals), and replaces the file whole or not at
        all. Returns a dict: ``rows``, ``bytes``, ``sha256``, ``columns``, ``path``.
        """
        body = {"sql": sql, "path": path}
        if params is not None:
            body["params"] = list(params)
        return _request("POST", "api/connections/%s/extract" % urllib.parse.quote(self.name, safe=""), body)

    def load(self, path, table, schema="public"):
        """Load the Parquet file ``path`` (relative to the workspace root) into ``schema.table``.

        The connection must be a PostgreSQL one. The server creates the schema if missing,
        creates the table with the file's types (decimals stay numeric), and replaces the
        previous table in one transaction: readers see the old or the new table, and a
        failed load leaves the old one. Returns a dict: ``rows``, ``columns``, ``sha256``,
        ``schema``, ``table``, ``path``.
        """
        body = {"path": path, "table": table, "schema": schema}
        return _request("POST", "api/connections/%s/load" % urllib.parse.quote(self.name, safe=""), body)

    def publish_datasets(self, schema, tables):
        """Create or refresh the Superset datasets of ``schema``'s ``tables`` (a superset connection).

        The tables are those of the Superset database named in the connection's settings.
        Returns a list of dicts, one per table: ``schema``, ``table``, ``outcome``
        ("created", "refreshed" or "failed"), ``dataset_id`` or ``message``.
        """
        body = {"schema": schema, "tables": list(tables)}
        return _request("POST", "api/connections/%s/datasets" % urllib.parse.quote(self.name, safe=""), body)["datasets"]

    def __repr__(self):
        return "<workbench.Connection %s>" % self.name


def connect(name):
    """The server's connection ``name`` (it must exist: listed by ``connections()``)."""
    if name not in connections():
        raise QueryError("Cannot use connection %r: the Workbench server has no such connection (have %s)" % (name, ", ".join(connections()) or "none"))
    return Connection(name)


def connections():
    """Names of the Workbench server's connections."""
    return [c["name"] for c in _request("GET", "api/connections")]


def task_value(name, value):
    """Hand ``value`` (JSON: str, int, float, bool, None, lists and dicts) to later pipeline tasks as ``name``."""
    if not isinstance(name, str) or not name:
        raise TypeError("Cannot set task value: the name must be a non-empty string")
    try:
        # allow_nan=False: the executor reads this as JSON, which has no NaN or Infinity.
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise TypeError("Cannot set task value %r: %s (use JSON values: str, int, float, bool, None, lists and dicts)" % (name, err)) from err
    from IPython.display import display

    display({TASK_VALUES_MIME: {name: json.loads(text)}, "text/plain": "task value %s = %s" % (name, text)}, raw=True)
