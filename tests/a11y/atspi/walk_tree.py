"""Dump an application's accessible tree as JSON, as a screen reader sees it over AT-SPI.

Run with Debian's python3:  /usr/bin/python3 walk_tree.py --app Bridewell [--timeout 10] [--max-rows 200]
Output: {"app": ..., "tree": {role, name, description, id, states, path, actions, children, table?}}
"""

import argparse

from atspi_common import DriverError, dump, emit, find_app


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--app", required=True, help="application name (QApplication.applicationName)")
    p.add_argument("--timeout", type=float, default=0.0, help="seconds to wait for the app to appear")
    p.add_argument("--max-rows", type=int, default=200, help="table rows to read per table")
    args = p.parse_args()
    try:
        app = find_app(args.app, args.timeout)
        emit({"app": args.app, "tree": dump(app, (), args.max_rows)})
    except DriverError as exc:
        emit({"error": str(exc)}, 2)


if __name__ == "__main__":
    main()
