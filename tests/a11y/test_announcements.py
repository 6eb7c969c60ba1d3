"""Time-critical changes are said once through the announcer: assertive for safety, polite for the rest.

- the announcer itself: status bar text, politeness, a QAccessibleAnnouncementEvent source that survives a
  closed window;
- a cell check falling overdue: announced once, assertively, with the detainee's name; not again each tick;
  again only when a new check falls overdue;
- a failed rousing: assertive at once, before the server has been told;
- losing the server (assertive, once however many health checks fail) and regaining it (polite, once),
  against a real server process stopped and started again on the same port.
"""

from __future__ import annotations

from tests.desktop.harness import OFFSCREEN_NOISE, start_server

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtWidgets import QMainWindow

from desktop.announcer import AlertBanner, Announcer, announcer

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


class Heard:
    """Everything the application's announcer says while the test runs."""

    def __init__(self):
        self.items: list[tuple[str, bool]] = []
        announcer().announced.connect(self._hear)

    def _hear(self, text: str, assertive: bool) -> None:
        self.items.append((text, assertive))

    def assertive(self, needle: str = "") -> list[str]:
        return [t for t, a in self.items if a and needle.lower() in t.lower()]

    def polite(self, needle: str = "") -> list[str]:
        return [t for t, a in self.items if not a and needle.lower() in t.lower()]

    def close(self) -> None:
        announcer().announced.disconnect(self._hear)


@pytest.fixture
def heard():
    h = Heard()
    yield h
    h.close()


def test_announcer_shows_the_text_and_says_it_with_the_asked_politeness(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    own = Announcer()
    own.attach(window.statusBar(), window)
    with qtbot.waitSignal(own.announced) as polite:
        own.announce("Entry saved")
    assert polite.args == ["Entry saved", False]
    assert window.statusBar().currentMessage() == "Entry saved"
    with qtbot.waitSignal(own.announced) as urgent:
        own.announce("Cannot reach the server", assertive=True)
    assert urgent.args == ["Cannot reach the server", True]
    assert own.last == ("Cannot reach the server", True)
    window.close()
    window.deleteLater()
    qtbot.wait(10)
    own.announce("After the window closed")  # must not touch the deleted status bar
    assert own.last == ("After the window closed", False)


def test_a_window_still_filling_in_shows_its_banner_after_its_first_data(qtbot):
    """Orca 43 drops a banner's "showing" event queued amid a window's first burst of events (issue 18's silence
    after sign-in): while the window says it is settling, the banner waits; then it appears with the message."""
    window = QMainWindow()
    qtbot.addWidget(window)
    banner = AlertBanner(window)
    window.setCentralWidget(banner)
    loads_out = [True]
    banner.settling = lambda: loads_out[0]
    own = Announcer()
    own.attach(window.statusBar(), window, banner)
    window.show()
    qtbot.waitExposed(window)
    own.announce("Signed in as Sgt Alys Penhallow")
    assert window.statusBar().currentMessage() == "Signed in as Sgt Alys Penhallow"  # on screen at once
    qtbot.waitUntil(lambda: own._retries >= 3, timeout=3000)  # asked again, and again, while it settles
    assert banner.isHidden()
    loads_out[0] = False
    qtbot.waitUntil(banner.isVisible, timeout=3000)
    assert banner.text() == "Signed in as Sgt Alys Penhallow."


def _record(now: datetime, due_in: timedelta, **extra) -> dict:
    return {"id": "rec-a11y-1", "custody_number": "BW-2026-990001", "name": "TREVANNION, Elowen",
            "person": {"id": "p-a11y-1", "surname": "Trevannion", "forenames": "Elowen"}, "cell": "C7",
            "status": "detained", "arrived_at": (now - timedelta(hours=2)).isoformat(),
            "relevant_time": (now - timedelta(hours=2)).isoformat(), "observation_level": 1,
            "risk_level": "low", "next_check_due": (now + due_in).isoformat(), "next_review_due": None,
            "detention_limit_at": (now + timedelta(hours=22)).isoformat(), "released_at": None, "version": 1,
            **extra}


def test_an_overdue_check_is_announced_once_and_again_only_for_the_next_one(qapp):
    from desktop.models.custody.board_model import CustodyBoardModel

    start = datetime(2026, 11, 21, 10, 0, 30, tzinfo=timezone.utc)
    now = [start]
    model = CustodyBoardModel(clock=lambda: now[0], tick_ms=3_600_000)  # ticks only when the test says
    said: list[tuple[str, str, str]] = []
    model.became_overdue.connect(lambda *args: said.append(args))
    try:
        model.set_records([_record(start, timedelta(seconds=20))])
        model.tick()
        assert said == []
        for seconds in (30, 31, 45, 90, 150, 600):  # past due, then many more ticks
            now[0] = start + timedelta(seconds=seconds)
            model.tick()
        checks = [s for s in said if s[1] == "check"]
        assert len(checks) == 1, said
        record_id, _kind, sentence = checks[0]
        assert record_id == "rec-a11y-1"
        assert "TREVANNION" in sentence and "C7" in sentence and "overdue" in sentence.lower()

        # The check is recorded: the next one is due in an hour and, once that passes, is announced (once).
        later = now[0]
        model.upsert(_record(later, timedelta(hours=1), version=2))
        model.tick()
        assert len([s for s in said if s[1] == "check"]) == 1
        for minutes in (61, 62, 90):
            now[0] = later + timedelta(minutes=minutes)
            model.tick()
        assert len([s for s in said if s[1] == "check"]) == 2, said
    finally:
        model.stop()


def test_a_failed_rousing_is_announced_assertively_at_once(qtbot, heard):
    from desktop.views.custody.cell_check_dialog import medical_emergency_prompt

    parent = QMainWindow()
    qtbot.addWidget(parent)
    box = medical_emergency_prompt(parent, "TREVANNION, Elowen")
    try:
        urgent = heard.assertive("TREVANNION")
        assert len(urgent) == 1 and "MEDICAL EMERGENCY" in urgent[0] and "ambulance" in urgent[0].lower()
        assert box.isModal() and box.text() == urgent[0]  # the same words on screen as spoken
    finally:
        box.done(0)


@pytest.fixture
def restartable_server(tmp_path):
    url = f"sqlite:///{tmp_path / 'reach.sqlite3'}"
    server = start_server(url)
    port = int(server.url.rsplit(":", 1)[1])
    state = {"server": server}

    def stop():
        state["server"].stop()

    def restart():
        state["server"] = start_server(url, demo=False, port=port)

    yield server.url, stop, restart
    state["server"].stop()


def test_losing_and_regaining_the_server_is_said_once_each(qtbot, make_window, restartable_server, heard):
    url, stop, restart = restartable_server
    window = make_window(url)
    qtbot.waitUntil(lambda: window.reachable is True, timeout=10_000)
    heard.items.clear()

    stop()
    with qtbot.waitSignal(window.reachability_changed, timeout=15_000, check_params_cb=lambda ok: not ok):
        window.check_health()
    for _ in range(3):  # the health timer keeps failing: nothing more is said
        window.check_health()
        qtbot.waitUntil(lambda: window.ops.in_flight == 0, timeout=15_000)  # the answer has been handled
    lost = heard.assertive("Cannot reach the server")
    assert len(lost) == 1, heard.items
    assert "sent when it returns" in lost[0]
    assert "not reachable, offline since " in window.server_label.accessibleName()  # what, and since when

    restart()
    with qtbot.waitSignal(window.reachability_changed, timeout=15_000, check_params_cb=lambda ok: ok):
        window.check_health()
    window.check_health()
    qtbot.waitUntil(lambda: window.ops.in_flight == 0, timeout=15_000)  # a second success has been handled
    back = heard.polite("restored")
    assert len(back) == 1 and not heard.assertive("restored"), heard.items
    assert "connected" in window.server_label.accessibleName()
