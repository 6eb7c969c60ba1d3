"""Record the AT-SPI events an application sends, in order, as a screen reader receives them.

Run with Debian's python3:  /usr/bin/python3 listen_events.py --app Bridewell --out FILE KIND...
(KIND as pyatspi takes it: "object:state-changed:selected", "window", ...). One JSON object a line in FILE:
first {"ready": true} once listening, then {type, detail1, role, name} per event, until SIGTERM.
"""

import argparse
import json
import signal

import pyatspi
from gi.repository import GLib


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--app", required=True, help="application name (QApplication.applicationName)")
    p.add_argument("--out", required=True, help="file to write the events to")
    p.add_argument("kinds", nargs="+", help="event kinds to listen to")
    args = p.parse_args()
    out = open(args.out, "w", buffering=1)

    def heard(event):
        try:
            if event.host_application is None or event.host_application.name != args.app:
                return
            role, name = event.source.getRoleName(), event.source.name
        except Exception:  # the source went away before we asked: still an event that was sent
            role, name = "", ""
        out.write(json.dumps({"type": event.type, "detail1": event.detail1, "role": role, "name": name}) + "\n")

    for kind in args.kinds:
        pyatspi.Registry.registerEventListener(heard, kind)
    signal.signal(signal.SIGTERM, lambda *_a: pyatspi.Registry.stop())
    GLib.idle_add(lambda: out.write(json.dumps({"ready": True}) + "\n") and False)
    pyatspi.Registry.start()


if __name__ == "__main__":
    main()
