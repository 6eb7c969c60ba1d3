"""Shared AT-SPI helpers for the walker and driver scripts.

These scripts run in Debian's /usr/bin/python3 (which has pyatspi), never in the project venv, so they
use only the standard library and pyatspi.  They speak JSON on stdout so pytest can parse the result.
"""

import json
import re
import sys
import time

import pyatspi

# Qt exposes one child per table cell; walking them as ordinary children is slow and says less than
# queryTable(), so tables are described through the Table interface instead.
TABLE_ROLES = {"table", "tree table", "tree"}
CELL_ROLES = {"table cell", "column header", "row header", "tree item"}


class DriverError(Exception):
    """A lookup or action failed; reported as {"error": ...} with exit status 2."""


def norm_name(name):
    """Compare names the way a listener hears them: no mnemonic '&', no trailing colon, any case."""
    return re.sub(r"\s+", " ", (name or "").replace("&", "").strip().rstrip(":").strip()).casefold()


def states_of(acc):
    try:
        return sorted(pyatspi.stateToString(s) for s in acc.getState().getStates())
    except Exception:  # a node that went away between listing and reading
        return []


def safe(fn, default=None):
    try:
        return fn()
    except Exception:
        return default


def interfaces_of(acc):
    return safe(lambda: sorted(acc.get_interfaces()), []) or []


def text_of(acc):
    """The node's text through the Text interface, or None when it has none."""
    try:
        t = acc.queryText()
    except NotImplementedError:
        return None
    except Exception:
        return None
    return safe(lambda: t.getText(0, -1))


def actions_of(acc):
    try:
        a = acc.queryAction()
    except Exception:
        return []
    return [safe(lambda i=i: a.getName(i), "") for i in range(safe(lambda: a.nActions, 0))]


def describe(acc, path):
    node = {
        "role": safe(acc.getRoleName, ""),
        "name": safe(lambda: acc.name, "") or "",
        "description": safe(lambda: acc.description, "") or "",
        "id": safe(lambda: acc.accessibleId, "") or "",
        "states": states_of(acc),
        "path": list(path),
        "child_count": safe(lambda: acc.childCount, 0),
        "actions": actions_of(acc),
    }
    ifaces = interfaces_of(acc)
    node["interfaces"] = ifaces
    if "Text" in ifaces and node["role"] not in TABLE_ROLES:
        node["text"] = text_of(acc)
    return node


def table_info(acc, max_rows=200):
    """Headers, counts and cell names of a table, read through queryTable()."""
    try:
        t = acc.queryTable()
    except Exception as exc:
        raise DriverError(f"node {acc.name!r} has no Table interface: {exc}") from exc
    n_rows, n_cols = t.nRows, t.nColumns
    headers = []
    for c in range(n_cols):
        h = safe(lambda c=c: t.getColumnHeader(c))
        name = safe(lambda h=h: h.name, "") if h is not None else ""
        if not name:
            name = safe(lambda c=c: t.getColumnDescription(c), "") or ""
        headers.append(name)
    rows = []
    for r in range(min(n_rows, max_rows)):
        row = []
        for c in range(n_cols):
            cell = safe(lambda r=r, c=c: t.getAccessibleAt(r, c))
            row.append({
                "name": (safe(lambda cell=cell: cell.name, "") or "") if cell is not None else "",
                "description": (safe(lambda cell=cell: cell.description, "") or "") if cell is not None else "",
            })
        rows.append(row)
    selected = list(safe(lambda: t.getSelectedRows(), []) or [])
    return {"n_rows": n_rows, "n_columns": n_cols, "headers": headers, "rows": rows,
            "selected_rows": selected, "truncated": n_rows > max_rows}


def find_app(app_name, timeout=0.0):
    deadline = time.monotonic() + timeout
    while True:
        desktop = pyatspi.Registry.getDesktop(0)
        seen = []
        for i in range(safe(lambda desktop=desktop: desktop.childCount, 0)):
            app = safe(lambda i=i, desktop=desktop: desktop.getChildAtIndex(i))
            name = safe(lambda app=app: app.name, None) if app is not None else None
            seen.append(name)
            if app is not None and name == app_name:
                return app
        if time.monotonic() >= deadline:
            raise DriverError(f"application {app_name!r} is not on the AT-SPI bus (seen: {seen})")
        time.sleep(0.1)


def walk(acc, path=(), into_tables=False, depth=0, max_depth=60):
    """Yield (accessible, path) for acc and its descendants, depth first."""
    yield acc, path
    if depth >= max_depth:
        return
    role = safe(acc.getRoleName, "")
    if role in TABLE_ROLES and not into_tables:
        return
    for i in range(safe(lambda: acc.childCount, 0)):
        child = safe(lambda i=i: acc.getChildAtIndex(i))
        if child is not None:
            yield from walk(child, path + (i,), into_tables, depth + 1, max_depth)


def node_at(app, path):
    acc = app
    for i in path:
        acc = acc.getChildAtIndex(i)
        if acc is None:
            raise DriverError(f"no node at path {path}")
    return acc


def dump(acc, path=(), max_rows=200, depth=0):
    """The subtree as nested dicts; tables carry a "table" entry instead of their cells."""
    node = describe(acc, path)
    if node["role"] in TABLE_ROLES:
        node["table"] = safe(lambda: table_info(acc, max_rows), None)
        node["children"] = []
        return node
    kids = []
    if depth < 60:
        for i in range(node["child_count"]):
            child = safe(lambda i=i: acc.getChildAtIndex(i))
            if child is not None:
                kids.append(dump(child, path + (i,), max_rows, depth + 1))
    node["children"] = kids
    return node


def emit(obj, status=0):
    json.dump(obj, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    sys.stdout.flush()
    sys.exit(status)
