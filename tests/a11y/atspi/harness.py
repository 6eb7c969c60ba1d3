"""Process side of the screen-reader (AT-SPI) tests, used from pytest in the project venv.

A private X server (Xvfb), a private D-Bus session bus and the AT-SPI bus launcher are started per test
module; the real client is launched into them; AT-SPI queries run in Debian's /usr/bin/python3 (which has
pyatspi) through the scripts beside this file, and keystrokes go through xdotool.

Every process started here is ended by PID and reaped: this machine's PID 1 does not reap orphans, so the
harness makes itself a child subreaper while it runs and waits for grandchildren (the AT-SPI registry, the
accessibility bus) as well.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"
AT_SPI_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
PR_SET_CHILD_SUBREAPER = 36
# Qt's AT-SPI bridge logs these under any bus; they say nothing about the client (recipes.md)
HARMLESS_OUTPUT = ("does not implement \"GetApplicationBusAddress\"", "Failed to set fd limit")


def missing_tools() -> list[str]:
    """What this machine lacks for the AT-SPI tests (empty when they can run)."""
    missing = [tool for tool in ("Xvfb", "dbus-daemon", "xdotool") if shutil.which(tool) is None]
    if not os.access(AT_SPI_LAUNCHER, os.X_OK):
        missing.append(AT_SPI_LAUNCHER + " (at-spi2-core)")
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        missing.append(SYSTEM_PYTHON)
    elif subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True,
                        env=_clean_env({})).returncode != 0:
        missing.append("pyatspi for /usr/bin/python3 (python3-pyatspi)")
    return missing


def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    """A minimal environment for system tools: never leak the venv (PYTHONPATH, VIRTUAL_ENV) into them."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER") if k in os.environ}
    env["PATH"] = ":".join(p for p in env.get("PATH", "/usr/bin:/bin").split(":")
                           if not p.startswith(sys.prefix)) or "/usr/bin:/bin"
    env.update(extra)
    return env


def _set_subreaper(on: bool) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1 if on else 0, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: orphans go to init as usual
        pass


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # the command may contain spaces and parentheses; the fields after the last ')' are fixed
        fields = stat.rsplit(")", 1)[1].split()
        kids.setdefault(int(fields[1]), []).append(int(entry))
    return kids


def descendants(pid: int) -> list[int]:
    kids = _children_map()
    out, todo = [], [pid]
    while todo:
        for child in kids.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def own_children() -> set[int]:
    return set(_children_map().get(os.getpid(), []))


def end_pids(pids: list[int], timeout: float = 5.0) -> None:
    """End processes that are (or will become, as subreaper) our children but have no Popen: the AT-SPI
    registry, for one, is started by the accessibility bus through a double fork and lands on us."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                done, _status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
            except ChildProcessError:
                if not Path(f"/proc/{pid}").exists():
                    break
            time.sleep(0.02)
        else:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def end_tree(proc: subprocess.Popen, timeout: float = 5.0) -> None:
    """SIGTERM a process and all its descendants, SIGKILL what is left after `timeout`, reap them all."""
    pids = [proc.pid, *descendants(proc.pid)]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    for pid in pids:
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    for pid in pids[1:]:
        # Grandchildren are re-parented to us (subreaper) once their parent dies; reap them so no zombie is
        # left behind. Until then waitpid says "not your child", so keep polling while the PID exists.
        reap_deadline = time.monotonic() + timeout
        while time.monotonic() < reap_deadline:
            try:
                done, _status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
            except ChildProcessError:
                if not Path(f"/proc/{pid}").exists():
                    break  # reaped by its own parent
            time.sleep(0.02)


class DesktopSession:
    """Xvfb + private session bus + AT-SPI bus launcher. Use as a context manager."""

    def __init__(self, screen: str = "1280x800x24"):
        self.screen = screen
        self.tmp = Path(tempfile.mkdtemp(prefix="bridewell-atspi-"))
        self.procs: list[subprocess.Popen] = []
        self.env: dict[str, str] = {}

    def __enter__(self) -> "DesktopSession":
        _set_subreaper(True)
        self.children_before = own_children()
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _spawn(self, argv, log_name, **kw) -> subprocess.Popen:
        log = open(self.tmp / log_name, "wb")
        proc = subprocess.Popen(argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL, **kw)
        log.close()
        self.procs.append(proc)
        return proc

    def _read_line(self, fd: int, what: str, proc: subprocess.Popen, timeout: float = 60.0) -> str:
        """Read one line from a pipe the child writes its address/display to; fail clearly if it dies."""
        import selectors
        buf = b""
        sel = selectors.DefaultSelector()
        sel.register(fd, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        try:
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0 or proc.poll() is not None:
                    raise RuntimeError(f"{what} did not start (exit {proc.poll()}); see {self.tmp}")
                if sel.select(min(left, 0.2)):
                    chunk = os.read(fd, 4096)
                    if not chunk:
                        raise RuntimeError(f"{what} closed its pipe (exit {proc.poll()}); see {self.tmp}")
                    buf += chunk
        finally:
            sel.close()
            os.close(fd)
        return buf.decode().strip()

    def _start(self) -> None:
        base = _clean_env({"XDG_RUNTIME_DIR": str(self.tmp)})
        os.chmod(self.tmp, 0o700)
        # Xvfb picks a free display itself and writes its number to the fd we give it.
        r, w = os.pipe()
        xvfb = self._spawn(["Xvfb", "-displayfd", str(w), "-screen", "0", self.screen, "-nolisten", "tcp",
                            "-noreset"], "xvfb.log", pass_fds=(w,), env=base)
        os.close(w)
        display = ":" + self._read_line(r, "Xvfb", xvfb)
        # A session bus with no service directories, so nothing (a keyring daemon, a portal) is activated
        # behind our back and left running; the AT-SPI bus launcher is started by us, by PID.
        conf = self.tmp / "session.conf"
        conf.write_text(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={self.tmp}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
""")
        r, w = os.pipe()
        bus = self._spawn(["dbus-daemon", f"--config-file={conf}", "--nofork", f"--print-address={w}"],
                          "dbus.log", pass_fds=(w,), env=base)
        os.close(w)
        address = self._read_line(r, "dbus-daemon", bus)
        self.env = {"DISPLAY": display, "DBUS_SESSION_BUS_ADDRESS": address, "XDG_RUNTIME_DIR": str(self.tmp)}
        self._spawn([AT_SPI_LAUNCHER, "--launch-immediately"], "at-spi.log", env=_clean_env(self.env))
        self.wait_for_a11y_bus()

    def wait_for_a11y_bus(self, timeout: float = 10.0) -> None:
        """Poll until org.a11y.Bus answers on the session bus (the launcher has registered)."""
        deadline = time.monotonic() + timeout
        while True:
            probe = subprocess.run(
                ["dbus-send", "--session", "--print-reply", "--dest=org.a11y.Bus", "/org/a11y/bus",
                 "org.a11y.Bus.GetAddress"], capture_output=True, env=_clean_env(self.env))
            if probe.returncode == 0:
                # The launcher answers before the accessibility bus it starts accepts connections; a client (or
                # the driver) connecting in between fails with "Couldn't connect to accessibility bus". Wait
                # until the bus itself answers.
                address = re.search(rb'string "([^"]+)"', probe.stdout)
                if address is not None:
                    ping = subprocess.run(
                        ["dbus-send", f"--bus={address.group(1).decode()}", "--print-reply",
                         "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames"],
                        capture_output=True, env=_clean_env(self.env))
                    if ping.returncode == 0:
                        return
            if time.monotonic() > deadline:
                raise RuntimeError(f"AT-SPI bus did not come up: {probe.stderr.decode()}; see {self.tmp}")
            time.sleep(0.05)

    def start_client(self, argv: list[str], extra_env: dict[str, str | None] | None = None) -> "Client":
        """extra_env: None as a value removes that variable (a frozen client cannot load the tests' modules)."""
        env = dict(os.environ)
        env.update(self.env)
        env.update({"QT_QPA_PLATFORM": "xcb", "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1"})
        for key, value in (extra_env or {}).items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        proc = self._spawn(argv, "client.log", env=env)
        return Client(self, proc)

    def close(self) -> None:
        # newest first: the client, then the AT-SPI launcher, then the bus, then the X server
        while self.procs:
            end_tree(self.procs.pop())
        # whatever was adopted by us meanwhile (double-forked by a bus) and is not ours by Popen
        before = getattr(self, "children_before", set())
        adopted = sorted(own_children() - before)
        adopted += [d for pid in adopted for d in descendants(pid)]
        end_pids(adopted)
        _set_subreaper(False)
        if os.environ.get("BRIDEWELL_A11Y_KEEP") != "1":  # set it to keep the logs for debugging
            shutil.rmtree(self.tmp, ignore_errors=True)

    def log(self, name: str) -> str:
        try:
            return (self.tmp / name).read_text(errors="replace")
        except OSError:
            return ""


class DriverFailed(AssertionError):
    pass


def poll(check, timeout: float = 20.0, what: str = "condition", interval: float = 0.1):
    """Call check() until it returns something truthy; fail with `what` and the last value after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise DriverFailed(f"timed out after {timeout}s waiting for {what}; last value: {value!r}")
        time.sleep(interval)


class Client:
    """The running client as a screen-reader user sees it: AT-SPI commands and keystrokes."""

    def __init__(self, session: DesktopSession, proc: subprocess.Popen, app_name: str = "Bridewell"):
        self.session = session
        self.proc = proc
        self.app_name = app_name

    # --- AT-SPI, through Debian's python3 ---------------------------------------------------------------
    def run_script(self, script: str, *args: str, timeout: float = 60.0) -> dict:
        if self.proc.poll() is not None:
            raise DriverFailed(f"the client has exited ({self.proc.returncode}):\n{self.output()}")
        done = subprocess.run([SYSTEM_PYTHON, str(HERE / script), *args], capture_output=True, text=True,
                              env=_clean_env(self.session.env), timeout=timeout, cwd=HERE)
        try:
            result = json.loads(done.stdout)
        except json.JSONDecodeError:
            raise DriverFailed(f"{script} {' '.join(args)} failed ({done.returncode}):\n"
                               f"{done.stdout}\n{done.stderr}") from None
        if "error" in result:
            raise DriverFailed(f"{script} {' '.join(args)}: {result['error']}\n"
                               f"--- client output (end) ---\n{self.output()[-2000:]}")
        return result

    def driver(self, command: str, *args: str, **opts) -> dict:
        """atspi_driver.py COMMAND with locator options given as keywords (name=..., id=..., role=...)."""
        argv = [command, "--app", self.app_name, *args]
        for key, value in opts.items():
            flag = "--" + key.replace("_", "-")
            if value is True:
                argv.append(flag)
            elif value not in (None, False):
                argv += [flag, str(value)]
        # the script's own --timeout bounds its polling; the walk after the last poll needs a margin
        return self.run_script("atspi_driver.py", *argv, timeout=float(opts.get("timeout") or 0) + 60)

    def wait(self, timeout: float = 20.0, **locator) -> list[dict]:
        return self.driver("wait", timeout=timeout, **locator)["nodes"]

    def wait_gone(self, timeout: float = 20.0, **locator) -> None:
        self.driver("wait", gone=True, timeout=timeout, **locator)

    def find(self, **locator) -> dict:
        return self.driver("find", **locator)["nodes"][0]

    def find_all(self, **locator) -> list[dict]:
        return self.driver("find", all=True, **locator)["nodes"]

    def press(self, action: str | None = None, **locator) -> dict:
        return self.driver("action", action=action, **locator)

    def focus(self, **locator) -> dict:
        return self.driver("focus", **locator)

    def set_text(self, text: str, **locator) -> dict:
        return self.driver("set-text", text=text, **locator)

    def text(self, **locator) -> str | None:
        return self.driver("text", **locator)["text"]

    def table(self, max_rows: int = 200, **locator) -> dict:
        return self.driver("table", max_rows=max_rows, **locator)["table"]

    def select_row(self, row: int, **locator) -> dict:
        return self.driver("select-row", row=row, **locator)

    def focused(self) -> list[dict]:
        return self.driver("focused")["nodes"]

    @contextmanager
    def events(self, *kinds: str) -> Iterator[list[dict]]:
        """Record the events of these kinds the client sends while the block runs (listen_events.py); the list
        is filled, in order, when the block ends."""
        log = Path(tempfile.mkstemp(prefix="events-", suffix=".jsonl", dir=self.session.tmp)[1])
        listener = subprocess.Popen([SYSTEM_PYTHON, str(HERE / "listen_events.py"), "--app", self.app_name,
                                     "--out", str(log), *kinds], stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    env=_clean_env(self.session.env), cwd=HERE)
        heard: list[dict] = []
        try:
            poll(lambda: listener.poll() is not None or '"ready"' in log.read_text(), timeout=30,
                 what="the AT-SPI event listener to start")
            if listener.poll() is not None:
                raise DriverFailed(f"listen_events.py exited ({listener.returncode}) before listening")
            yield heard
        finally:
            end_tree(listener)
            lines = log.read_text().splitlines()  # a line cut short by the listener's end is not an event
            heard.extend(event for event in map(json.loads, (x for x in lines if x.endswith("}")))
                         if "ready" not in event)

    def tree(self, timeout: float = 20.0) -> dict:
        return self.run_script("walk_tree.py", "--app", self.app_name, "--timeout", str(timeout))["tree"]

    def wait_focused(self, timeout: float = 10.0, **locator) -> dict:
        """Poll until the match has keyboard focus (keystrokes go wherever focus is)."""
        deadline = time.monotonic() + timeout
        while True:
            node = self.find(**locator)
            if "focused" in node["states"]:
                return node
            if time.monotonic() > deadline:
                raise DriverFailed(f"{locator} never got focus: {node}")
            time.sleep(0.05)

    # --- keystrokes, through xdotool -------------------------------------------------------------------
    def xdotool(self, *args: str) -> str:
        done = subprocess.run(["xdotool", *args], capture_output=True, text=True,
                              env=_clean_env(self.session.env), timeout=30)
        if done.returncode != 0:
            raise DriverFailed(f"xdotool {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    def focus_window(self, title: str | None = None) -> None:
        """Give the client's visible window X input focus, as a window manager does on map (Xvfb has none)."""
        args = ["search", "--onlyvisible", "--pid", str(self.proc.pid)]
        if title:
            args += ["--name", title]
        deadline = time.monotonic() + 10
        while True:
            found = subprocess.run(["xdotool", *args], capture_output=True, text=True,
                                   env=_clean_env(self.session.env)).stdout.split()
            if found:
                break
            if time.monotonic() > deadline:
                raise DriverFailed(f"no visible window of the client ({args})")
            time.sleep(0.05)
        self.xdotool("windowfocus", "--sync", found[-1])

    def type(self, text: str) -> None:
        self.xdotool("type", "--delay", "8", "--", text)

    def key(self, *keys: str) -> None:
        self.xdotool("key", "--delay", "20", *keys)

    def focus_field_and_type(self, text: str, replace: bool = True, **locator) -> dict:
        """Focus a field through AT-SPI, then type into it with real key events (replacing what is there)."""
        locator.setdefault("focusable", True)
        self.focus(**locator)
        self.wait_focused(**locator)
        if replace:
            self.key("ctrl+a")
        self.type(text)
        return self.find(**locator)

    def output(self) -> str:
        """The client's stdout/stderr, without Qt's known-harmless AT-SPI adaptor lines."""
        return "\n".join(line for line in self.session.log("client.log").splitlines()
                         if not any(noise in line for noise in HARMLESS_OUTPUT))


# --- Orca, the screen reader itself ------------------------------------------------------------------------
ORCA = "/usr/bin/orca"
# Orca writes every utterance to its debug file before it would go to a speech server (none is needed):
# "HH:MM:SS.ffffff - SPEECH OUTPUT: 'text' voice-settings". Text with a newline continues on padded lines.
_SPEECH = re.compile(r"SPEECH OUTPUT: '(?P<text>.*?)'(?: voice=\w+)?\s*(?:\{.*\}|ACSS.*)?$", re.S)
_CUSTOMIZATIONS = """\
# Written by the Bridewell test harness: flush the debug file line by line, so tests see speech at once.
from orca import debug
debug.debugFile.reconfigure(line_buffering=True)
"""


def orca_missing() -> list[str]:
    """What this machine lacks to run Orca in the harness (empty when it can)."""
    return [] if os.access(ORCA, os.X_OK) else [f"{ORCA} (the orca package)"]


def other_orcas() -> list[int]:
    """Orca refuses to start while another Orca of the same user runs (it checks with pgrep)."""
    done = subprocess.run(["pgrep", "-u", str(os.getuid()), "-x", "orca"], capture_output=True, text=True)
    return [int(p) for p in done.stdout.split()]


class Orca:
    """Orca 43 running headless in a DesktopSession, its speech read from its debug log. Start it before the
    client, so the client's first window is seen as it appears."""

    def __init__(self, session: DesktopSession):
        self.session = session
        self.home = session.tmp / "orca-home"
        self.prefs = self.home / ".local" / "share" / "orca"
        self.debug_file = session.tmp / "orca.debug"
        self.proc: subprocess.Popen | None = None
        self._seen = 0  # utterances before this index are "before the mark"

    def start(self, timeout: float = 30.0) -> "Orca":
        others = other_orcas()
        if others:
            raise RuntimeError(f"another Orca of this user is running (PIDs {others}); Orca allows one per user")
        self.prefs.mkdir(parents=True, exist_ok=True)
        (self.prefs / "orca-customizations.py").write_text(_CUSTOMIZATIONS)
        xdg = {name: str(self.home / sub) for name, sub in (("XDG_CONFIG_HOME", ".config"),
                                                           ("XDG_DATA_HOME", ".local/share"),
                                                           ("XDG_CACHE_HOME", ".cache"))}
        env = _clean_env({**self.session.env, **xdg, "HOME": str(self.home), "GSETTINGS_BACKEND": "memory",
                          "PATH": "/usr/bin:/bin", "NO_AT_BRIDGE": "1"})
        self.proc = self.session._spawn([ORCA, "--user-prefs", str(self.prefs), "--debug-file",
                                         str(self.debug_file)], "orca.log", env=env)
        try:
            self.wait_heard("Screen reader on", timeout=timeout, since=0)
        except DriverFailed as exc:
            raise RuntimeError(f"Orca did not start: {exc}\n{self.session.log('orca.log')[-2000:]}") from None
        return self

    def spoken(self) -> list[str]:
        """Everything Orca has said, in order."""
        try:
            raw = self.debug_file.read_text(errors="replace")
        except OSError:
            return []
        out: list[str] = []
        for line in raw.split("\n"):
            start = line.find("SPEECH OUTPUT: '")
            if start >= 0:
                match = _SPEECH.match(line[start:])
                out.append(match.group("text") if match else line[start + 16:])
        return out

    def mark(self) -> None:
        """Forget what was said so far: `heard`/`wait_heard` then look only at what follows."""
        self._seen = len(self.spoken())

    def since_mark(self) -> list[str]:
        return self.spoken()[self._seen:]

    def wait_heard(self, pattern: str, timeout: float = 20.0, since: int | None = None) -> str:
        """Poll until an utterance after the mark matches the regular expression (case-insensitive)."""
        regex = re.compile(pattern, re.I)
        first = self._seen if since is None else since

        def heard() -> str | None:
            if self.proc is not None and self.proc.poll() is not None:
                raise DriverFailed(f"Orca exited ({self.proc.returncode}):\n{self.session.log('orca.log')[-2000:]}")
            return next((u for u in self.spoken()[first:] if regex.search(u)), None)

        try:
            return poll(heard, timeout=timeout, what=f"Orca to say /{pattern}/", interval=0.05)
        except DriverFailed as exc:
            said = "\n  ".join(self.spoken()[first:][-40:])
            raise DriverFailed(f"{exc}\nOrca said (since the mark):\n  {said}") from None
