"""A custody record printed through QPrinter to a REAL CUPS queue (cups-pdf), on a private cupsd.

The test starts `/usr/sbin/cupsd -f` with its own configuration, socket and spool in a temporary directory (so
it never touches a system scheduler), adds a cups-pdf queue, prints from a separate Python process (libcups
reads CUPS_SERVER once per process), waits for CUPS to report the job completed and for cups-pdf's file,
then stops cupsd by its PID. Skipped only when CUPS is not installed and BRIDEWELL_REQUIRE_CUPS is not 1.
"""
from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.printing import pdf_tools

CUPSD = "/usr/sbin/cupsd"
PPD = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd"
BACKEND = "/usr/lib/cups/backend/cups-pdf"
QUEUE = "BridewellPDF"
ROOT = Path(__file__).resolve().parents[2]

CUPSD_CONF = """LogLevel warn
Listen {socket}
Browsing No
DefaultAuthType None
WebInterface No
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""
FILES_CONF = """ServerRoot {d}
RequestRoot {d}/spool
TempDir {d}/spool/tmp
CacheDir {d}/cache
StateDir {d}/state
ErrorLog {d}/log/error_log
AccessLog {d}/log/access_log
PageLog {d}/log/page_log
User lp
Group lp
SystemGroup lpadmin root
Sandboxing Relaxed
"""

PRINT_SCRIPT = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop.printing.custody_record_pdf import build_custody_record_pdf
from desktop.views.records.print_job import PrintJob, printer_dpi, render_pages
from tests.printing.sample_docs import custody_record
import io
names = [p.printerName() for p in QPrinterInfo.availablePrinters()]
queue = sys.argv[1]
if queue not in names:
    print(json.dumps({"ok": False, "message": f"{queue} not in {names}"})); sys.exit(0)
doc = custody_record()
buf = io.BytesIO(); build_custody_record_pdf(doc, buf)
printer = QPrinter(QPrinterInfo.printerInfo(queue), QPrinter.PrinterMode.HighResolution)
images = render_pages(buf.getvalue(), printer_dpi(printer))
title = f"Bridewell CUPS check {sys.argv[2]}"
job = PrintJob(printer, images, title)
result = {}
def done(ok, message):
    result.update(ok=ok, message=message, pages=len(images)); app.quit()
job.finished.connect(done)
QTimer.singleShot(0, job.start)
QTimer.singleShot(60_000, app.quit)
app.exec()
print(json.dumps(result))
"""


def _missing() -> list[str]:
    return [p for p in (CUPSD, PPD, BACKEND) if not Path(p).exists()] + [
        t for t in ("lpadmin", "lpstat") if shutil.which(t) is None]


@pytest.fixture
def private_cups():
    missing = _missing()
    if missing:
        if os.environ.get("BRIDEWELL_REQUIRE_CUPS") == "1":
            pytest.fail(f"CUPS is required (BRIDEWELL_REQUIRE_CUPS=1) but missing: {missing}")
        pytest.skip(f"CUPS not installed: {missing}")
    d = Path(tempfile.mkdtemp(prefix="bw-cups-", dir="/tmp"))
    d.chmod(0o755)  # the filters run as lp and must reach the spool
    for sub in ("spool/tmp", "cache", "state", "log"):
        (d / sub).mkdir(parents=True)
    socket = d / "cups.sock"
    (d / "cupsd.conf").write_text(CUPSD_CONF.format(socket=socket))
    (d / "cups-files.conf").write_text(FILES_CONF.format(d=d))
    env = {**os.environ, "CUPS_SERVER": str(socket)}
    with open(d / "log" / "cupsd.out", "wb") as console:
        proc = subprocess.Popen([CUPSD, "-f", "-c", str(d / "cupsd.conf"), "-s", str(d / "cups-files.conf")],
                                stdout=console, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 30
        while subprocess.run(["lpstat", "-r"], env=env, capture_output=True, text=True).stdout.strip() \
                != "scheduler is running":
            if proc.poll() is not None or time.monotonic() > deadline:
                log = (d / "log" / "error_log").read_text() if (d / "log" / "error_log").exists() else ""
                pytest.fail(f"cupsd did not start (exit {proc.poll()}): {log[-2000:]}")
            time.sleep(0.2)
        subprocess.run(["lpadmin", "-p", QUEUE, "-E", "-v", "cups-pdf:/", "-P", PPD], env=env, check=True,
                       capture_output=True, text=True)
        yield env, d
    finally:
        proc.send_signal(signal.SIGTERM)  # by its PID, never by name
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        shutil.rmtree(d, ignore_errors=True)


def _cups_pdf_out_dir() -> Path | None:
    """cups-pdf's Out directory for jobs from this user (Out in /etc/cups/cups-pdf.conf; ${HOME} expanded)."""
    conf = Path("/etc/cups/cups-pdf.conf")
    out = "/var/spool/cups-pdf/${USER}"
    if conf.exists():
        for line in conf.read_text().splitlines():
            if line.strip().startswith("Out "):
                out = line.split(None, 1)[1].strip()
    user = pwd.getpwuid(os.getuid())
    return Path(out.replace("${HOME}", user.pw_dir).replace("${USER}", user.pw_name))


def test_a_custody_record_prints_through_a_real_cups_queue(private_cups):
    env, _d = private_cups
    tag = str(os.getpid())
    out_dir = _cups_pdf_out_dir()
    before = set(out_dir.glob("*.pdf")) if out_dir and out_dir.exists() else set()
    run = subprocess.run([sys.executable, "-c", PRINT_SCRIPT, QUEUE, tag], cwd=ROOT, capture_output=True, text=True,
                         timeout=180, env={**env, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["ok"], result
    assert result["pages"] >= 1

    deadline = time.monotonic() + 60
    completed = ""
    while time.monotonic() < deadline:
        completed = subprocess.run(["lpstat", "-W", "completed", "-o", QUEUE], env=env, capture_output=True,
                                   text=True).stdout
        if QUEUE in completed:
            break
        time.sleep(0.3)
    assert f"{QUEUE}-" in completed, "CUPS never reported the job completed"

    if out_dir is not None:
        made: list[Path] = []
        while time.monotonic() < deadline:
            made = [p for p in out_dir.glob("*.pdf") if p not in before and tag in p.name]
            if made:
                break
            time.sleep(0.3)
        try:
            assert made, f"cups-pdf wrote no file for the job in {out_dir}"
            assert pdf_tools.pages(made[0]) == result["pages"]
        finally:
            for p in made:
                p.unlink(missing_ok=True)
