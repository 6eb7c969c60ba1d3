"""Small AT-SPI commands for end-to-end tests: find a control the way a screen reader user would, act on it.

Run with Debian's python3 (it has pyatspi), with DISPLAY and DBUS_SESSION_BUS_ADDRESS of the app's session:

    /usr/bin/python3 atspi_driver.py COMMAND --app Bridewell [locator] [options]

Locators (all given must match; KDE's rule: controls are found only by name, id or description, so an
unnamed control cannot be driven):
    --name TEXT      accessible name, ignoring '&', a trailing ':' and case
    --name-re RE     accessible name matches this regular expression (search, case-insensitive)
    --id OBJPATH     accessible id ends with this objectName path (e.g. detaineeLogDock or dock.saveButton)
    --role ROLE      AT-SPI role name ("push button", "text", "table", "panel", ...)
    --description T  accessible description contains T (case-insensitive)
    --within-id ID / --within-name NAME   search only under the (single) node matching this
    --showing        only nodes that are on screen (state "showing")
    --focusable      only nodes that can take keyboard focus (a field, not the label that names it)

Commands (each prints one JSON object; failures print {"error": ...} and exit 2):
    apps                       names of the applications on the bus
    find [--all]               matching node(s)
    wait [--gone]              poll until a match exists (or none does); --timeout seconds
    action [--action NAME]     doAction on the single match (default: its first action, e.g. Press)
    focus                      grabFocus on the single match
    set-text --text T          EditableText.setTextContents on the single match
    text                       the Text interface contents of the single match
    table [--max-rows N]       headers, counts, cell names, selected rows of the single (table) match
    select-row --row N         select row N of the single (table) match
    focused                    the showing nodes that have the "focused" state
"""

import argparse
import re
import time

import pyatspi

from atspi_common import (CELL_ROLES, DriverError, describe, emit, find_app, norm_name, safe, states_of,
                          table_info, text_of, walk)


def add_locator(p, prefix=""):
    p.add_argument(f"--{prefix}name")
    p.add_argument(f"--{prefix}name-re")
    p.add_argument(f"--{prefix}id")
    if not prefix:
        p.add_argument("--role")
        p.add_argument("--description")


def matches(acc, name=None, name_re=None, acc_id=None, role=None, description=None, showing=False,
            focusable=False):
    if name is not None and norm_name(safe(lambda: acc.name, "")) != norm_name(name):
        return False
    if name_re is not None and not re.search(name_re, safe(lambda: acc.name, "") or "", re.IGNORECASE):
        return False
    if acc_id is not None:
        full = safe(lambda: acc.accessibleId, "") or ""
        if not (full == acc_id or full.endswith("." + acc_id)):
            return False
    if role is not None and safe(acc.getRoleName, "") != role:
        return False
    if description is not None and description.casefold() not in (safe(lambda: acc.description, "") or "").casefold():
        return False
    if showing or focusable:
        states = states_of(acc)
        if showing and "showing" not in states:
            return False
        if focusable and "focusable" not in states:
            return False
    return True


def search(app, args):
    root, root_path = app, ()
    if args.within_name or args.within_id or args.within_name_re:
        outer = [(a, p) for a, p in walk(app)
                 if matches(a, args.within_name, args.within_name_re, args.within_id)]
        if len(outer) != 1:
            raise DriverError(f"--within matched {len(outer)} nodes: "
                              f"{[describe(a, p)['id'] or describe(a, p)['name'] for a, p in outer][:10]}")
        root, root_path = outer[0]
    into_tables = args.role in CELL_ROLES
    found = []
    for acc, path in walk(root, root_path, into_tables=into_tables):
        if matches(acc, args.name, args.name_re, args.id, args.role, args.description, args.showing,
                   args.focusable):
            found.append((acc, path))
    return found


def locator_text(args):
    parts = [f"{k}={v!r}" for k, v in vars(args).items()
             if k in ("name", "name_re", "id", "role", "description", "within_id", "within_name") and v]
    return ", ".join(parts) or "(no locator)"


def one(app, args):
    found = search(app, args)
    if len(found) != 1:
        raise DriverError(f"{locator_text(args)} matched {len(found)} nodes: "
                          f"{[describe(a, p) for a, p in found][:5]}")
    return found[0]


def cmd_apps(args):
    desktop = pyatspi.Registry.getDesktop(0)
    return {"apps": [safe(lambda i=i: desktop.getChildAtIndex(i).name, None) for i in range(desktop.childCount)]}


def cmd_find(args):
    app = find_app(args.app, args.timeout)
    found = search(app, args)
    if not args.all and len(found) != 1:
        raise DriverError(f"{locator_text(args)} matched {len(found)} nodes: "
                          f"{[describe(a, p) for a, p in found][:5]}")
    return {"nodes": [describe(a, p) for a, p in found]}


def cmd_wait(args):
    deadline = time.monotonic() + args.timeout
    last = None
    while True:
        try:
            app = find_app(args.app, 0)
            found = search(app, args)
            if args.gone and not found:
                return {"nodes": []}
            if not args.gone and found:
                return {"nodes": [describe(a, p) for a, p in found]}
            last = f"{len(found)} match(es)"
        except DriverError as exc:  # the app may not be on the bus yet
            if args.gone and "not on the AT-SPI bus" in str(exc):
                return {"nodes": []}
            last = str(exc)
        if time.monotonic() >= deadline:
            state = "still present" if args.gone else "not found"
            raise DriverError(f"{locator_text(args)} {state} after {args.timeout}s ({last})")
        time.sleep(0.1)


def cmd_action(args):
    app = find_app(args.app, args.timeout)
    acc, path = one(app, args)
    try:
        act = acc.queryAction()
    except Exception:
        raise DriverError(f"{locator_text(args)} has no actions") from None
    names = [act.getName(i) for i in range(act.nActions)]
    if not names:
        raise DriverError(f"{locator_text(args)} has no actions")
    if args.action:
        wanted = [i for i, n in enumerate(names) if n.casefold() == args.action.casefold()]
        if not wanted:
            raise DriverError(f"{locator_text(args)} has no action {args.action!r} (has {names})")
        index = wanted[0]
    else:
        index = 0
    ok = act.doAction(index)
    return {"node": describe(acc, path), "action": names[index], "ok": bool(ok)}


def cmd_focus(args):
    app = find_app(args.app, args.timeout)
    acc, path = one(app, args)
    ok = acc.queryComponent().grabFocus()
    return {"node": describe(acc, path), "ok": bool(ok)}


def cmd_set_text(args):
    app = find_app(args.app, args.timeout)
    acc, path = one(app, args)
    try:
        ed = acc.queryEditableText()
    except Exception:
        raise DriverError(f"{locator_text(args)} is not editable text") from None
    ok = ed.setTextContents(args.text)
    return {"node": describe(acc, path), "ok": bool(ok), "text": text_of(acc)}


def cmd_text(args):
    app = find_app(args.app, args.timeout)
    acc, path = one(app, args)
    return {"node": describe(acc, path), "text": text_of(acc)}


def cmd_table(args):
    app = find_app(args.app, args.timeout)
    acc, path = one(app, args)
    return {"node": describe(acc, path), "table": table_info(acc, args.max_rows)}


def cmd_select_row(args):
    app = find_app(args.app, args.timeout)
    acc, path = one(app, args)
    t = acc.queryTable()
    ok = t.addRowSelection(args.row)
    return {"node": describe(acc, path), "ok": bool(ok), "selected_rows": list(t.getSelectedRows())}


def cmd_focused(args):
    app = find_app(args.app, args.timeout)
    return {"nodes": [describe(a, p) for a, p in walk(app, into_tables=True)
                      if {"focused", "showing"} <= set(states_of(a))]}


COMMANDS = {"focused": cmd_focused, "apps": cmd_apps, "find": cmd_find, "wait": cmd_wait, "action": cmd_action,
            "focus": cmd_focus,
            "set-text": cmd_set_text, "text": cmd_text, "table": cmd_table, "select-row": cmd_select_row}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=sorted(COMMANDS))
    p.add_argument("--app", default="Bridewell")
    p.add_argument("--timeout", type=float, default=0.0)
    add_locator(p)
    add_locator(p, "within-")
    p.add_argument("--showing", action="store_true")
    p.add_argument("--focusable", action="store_true")
    p.add_argument("--all", action="store_true")
    p.add_argument("--gone", action="store_true")
    p.add_argument("--action")
    p.add_argument("--text")
    p.add_argument("--row", type=int)
    p.add_argument("--max-rows", type=int, default=200)
    args = p.parse_args()
    try:
        emit(COMMANDS[args.command](args))
    except DriverError as exc:
        emit({"error": str(exc)}, 2)


if __name__ == "__main__":
    main()
