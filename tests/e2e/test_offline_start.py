"""Fault test 6 (issue 11): offline start. Signed in on this workstation earlier, the custody sergeant starts
the client while the server is down, signs in on this computer only (argon2 verifier), sees the board from the
local cache with its clocks running, records a cell check and books someone in (provisional number "P-…"). The
server comes back: everything drains without anyone doing anything (signed in again with the password typed at
start, held in memory), and the provisional number is replaced by the server's wherever it was shown."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid

from desktop.app import Startup, parse_args
from desktop.sync.catalogue import cached_catalogue
from desktop.sync.client import ApiClient, ApiError
from desktop.sync.local_store import LocalStore
from desktop.sync.offline import PROVISIONAL_PREFIX, offline_sign_in, remember_sign_in
from desktop.timefmt import to_wire, utc_now
from desktop.views.forms.dialog import set_utc
from tests.desktop.custody.helpers import open_by_shortcut, select
from tests.desktop.printing.conftest import KEYBOARD_GRAB_NOISE
from tests.desktop.harness import DEMO_PASSWORD, OFFSCREEN_NOISE, custody_board, start_server
from tests.support.live_server import free_port


def test_the_verifier_keeps_a_hash_never_the_password_and_expires(tmp_path):
    store = LocalStore(tmp_path)
    try:
        user = {"id": "u1", "username": "sergeant", "display_name": "Sgt Fictional"}
        remember_sign_in(store, "http://custody.example", "sergeant", "s3cret-Fictional", user)
        assert b"s3cret-Fictional" not in (tmp_path / "client.sqlite3").read_bytes()
        assert offline_sign_in(store, "http://custody.example", "Sergeant", "s3cret-Fictional") == user
        assert offline_sign_in(store, "http://custody.example", "sergeant", "wrong") is None
        assert offline_sign_in(store, "http://other.example", "sergeant", "s3cret-Fictional") is None
        assert offline_sign_in(store, "http://custody.example", "detention", "s3cret-Fictional") is None
        assert offline_sign_in(store, "http://custody.example", "sergeant", "s3cret-Fictional",
                               within=timedelta(seconds=0)) is None  # signed in too long ago
    finally:
        store.close()



def test_password_hashes_are_argon2id_at_no_less_than_owasp_minimums(tmp_path):
    """The offline verifier's hash and the server's (domain.passwords): argon2id, m >= 19 MiB, t >= 2, p >= 1.
    Cheaper than argon2-cffi's default for a quicker sign-in (issue 17), never below the minimums."""
    from argon2 import Type, extract_parameters

    from domain import passwords

    assert (passwords.ARGON2_MEMORY_KIB, passwords.ARGON2_TIME_COST) >= (19 * 1024, 2)
    store = LocalStore(tmp_path)
    try:
        remember_sign_in(store, "http://custody.example", "sergeant", "s3cret-Fictional", {"id": "u1"})
        held = store.cache_get("offline.verifier|http://custody.example|sergeant")
        params = extract_parameters(held["hash"])
        assert params.type is Type.ID and params.memory_cost >= 19 * 1024 and params.time_cost >= 2
        assert params.parallelism >= 1
    finally:
        store.close()

@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)
def test_a_quick_return_before_the_local_store_is_open_still_signs_in_offline(qtbot, qapp, tmp_path, monkeypatch):
    """The officer presses Return before start-up step 1 (the local store) has finished and the server is down:
    the offline sign-in waits for the store rather than refusing ("still starting"). CI's load made it happen."""
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens here
    data_dir = tmp_path / "workstation"
    store = LocalStore(data_dir)
    try:
        remember_sign_in(store, url, "sergeant", DEMO_PASSWORD,
                         {"id": "u1", "username": "sergeant", "display_name": "Sgt Fictional"})
    finally:
        store.close()
    slow_prepare = Startup._prepare

    def late_prepare(self):
        time.sleep(2.0)  # the worker is busy (a loaded machine): the server's refusal comes first
        return slow_prepare(self)

    monkeypatch.setattr(Startup, "_prepare", late_prepare)
    workstation = Workstation(qtbot, qapp, url, data_dir)
    try:
        startup = workstation.startup
        startup.begin()
        qtbot.waitUntil(lambda: startup.dialog is not None and startup.dialog.isVisible(), timeout=15_000)
        startup.dialog.username_edit.setText("sergeant")
        startup.dialog.password_edit.setText(DEMO_PASSWORD)
        qtbot.keyClick(startup.dialog.password_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: startup.window is not None, timeout=15_000)
        assert startup.window.session.offline
        assert startup.prepared is not None  # it did wait for step 1
    finally:
        workstation.close()


class Workstation:
    """The real start-up (desktop/app.py) on one data folder, signing in through the real sign-in dialog."""

    def __init__(self, qtbot, qapp, url: str, data_dir):
        self.qtbot = qtbot
        self.startup = Startup(qapp, parse_args(["--server", url, "--data-dir", str(data_dir)]))

    def sign_in(self, password: str = DEMO_PASSWORD):
        qtbot, startup = self.qtbot, self.startup
        startup.begin()
        qtbot.waitUntil(lambda: startup.dialog is not None and startup.dialog.isVisible(), timeout=15_000)
        dialog = startup.dialog
        dialog.username_edit.setText("sergeant")
        dialog.password_edit.setText(password)
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: startup.window is not None, timeout=15_000)
        window = startup.window
        qtbot.waitUntil(lambda: custody_board(window).model.rowCount() > 0, timeout=15_000)
        return window

    def close(self):
        window = self.startup.window
        if window is not None:
            window.close()
        self.startup.finish()
        if window is not None:  # gone, as after quitting: its shortcuts must not answer the next window's keys
            window.deleteLater()
            self.qtbot.waitUntil(lambda: not isValid(window), timeout=5000)


def stop_server(place) -> None:
    """Stop the server at once: a closed window's change-feed long poll would hold it up to its wait, so an entry
    is written first (an event answers every waiting poll)."""
    server = place["server"]
    client = ApiClient(server.url)
    try:
        client.login("sergeant", DEMO_PASSWORD)
        record = client.open_records()[-1]
        client.request("POST", f"/custody/records/{record['id']}/log",
                       json={"id": str(uuid.uuid4()), "kind": "note", "text": "Fictional: end of test.",
                             "observed_at": to_wire(utc_now())})
    finally:
        client.close()
    server.stop()
    place["server"] = None


@pytest.fixture
def server_place(tmp_path):
    """A server of this test's own on a fixed port, which the test stops and starts again."""
    place = {"db": f"sqlite:///{tmp_path / 'server.sqlite3'}", "port": free_port(), "server": None}
    yield place
    if place["server"] is not None:
        stop_server(place)


@pytest.mark.qt_log_ignore(KEYBOARD_GRAB_NOISE, OFFSCREEN_NOISE)  # the offence completer's popup, offscreen
def test_offline_start_check_and_booking_then_the_server_returns_and_everything_drains(
        qtbot, qapp, server_place, tmp_path):
    data_dir = tmp_path / "workstation"
    server_place["server"] = server = start_server(server_place["db"], demo=True, port=server_place["port"])
    url = server.url

    # 1. Online: an ordinary sign-in keeps the verifier; the board, a record and the catalogue are read.
    first = Workstation(qtbot, qapp, url, data_dir)
    window = first.sign_in()
    record = custody_board(window).model.record(0)
    log_loaded = window.areas["custody"].log_loaded
    with qtbot.waitSignal(log_loaded, timeout=10_000):
        select(qtbot, window, record["id"])
    qtbot.waitUntil(lambda: cached_catalogue(window.store) is not None, timeout=10_000)
    qtbot.waitUntil(lambda: offline_sign_in(window.store, window.session.server_key, "sergeant", DEMO_PASSWORD)
                    is not None, timeout=10_000)
    first.close()
    stop_server(server_place)

    # 2. The server is down: signed in on this computer only; the board comes from the cache.
    second = Workstation(qtbot, qapp, url, data_dir)
    try:
        window = second.sign_in()
        session = window.session
        assert session.offline and session.client.token is None
        assert custody_board(window).model.row_of(record["id"]) is not None
        qtbot.waitUntil(lambda: "offline since" in window.server_label.text(), timeout=10_000)
        assert "signed in on this computer only" in window.server_label.text()

        # A cell check on a cached record waits in the outbox; its log comes from the cache.
        select(qtbot, window, record["id"])
        log_model = window.areas["custody"].log.panel.model
        qtbot.waitUntil(lambda: log_model.rowCount() > 0, timeout=10_000)
        custody_board(window).view.setFocus()  # not a line edit, where Ctrl+K deletes to the end of the line
        check = open_by_shortcut(qtbot, window, Qt.Key.Key_K)
        check.type_combo.setCurrentIndex(check.type_combo.findData("look"))
        check.result_combo.setCurrentIndex(check.result_combo.findData("awake – settled"))
        check_id = check.check_id
        check.submit()
        qtbot.waitUntil(lambda: window.store.pending_count() == 1, timeout=10_000)
        qtbot.waitUntil(lambda: "Waiting to send" in check.status_label.text(), timeout=10_000)
        qtbot.keyClick(check, Qt.Key.Key_Escape)  # "you may close this window": it is kept on this computer
        qtbot.waitUntil(lambda: not check.isVisible(), timeout=3000)

        # A booking-in: shown at once under a provisional number, marked as such.
        booking = open_by_shortcut(qtbot, window, Qt.Key.Key_B)
        booking.surname_edit.setText("Quillfeather")
        booking.forenames_edit.setText("Odo Fictional")
        booking.dob_edit.setText("14/03/1991")  # a person must give it (issue 13): no made-up default
        booking.place_edit.setText("Quay Road, Portharrow")
        booking.officer_edit.setText("PC 4410 Tamsin Vell")
        set_utc(booking.arrested_edit, utc_now().replace(second=0, microsecond=0) - timedelta(minutes=40))
        set_utc(booking.arrived_edit, utc_now().replace(second=0, microsecond=0) - timedelta(minutes=10))
        booking.offence_edit.setFocus()
        qtbot.keyClicks(booking.offence_edit, "TH68010")
        qtbot.keyClick(booking.offence_edit, Qt.Key.Key_Return)
        booking.reason_edit.setPlainText("Seen taking goods from a shop without paying.")
        booking.necessity_edit.setPlainText("To establish identity.")
        booking.cell_edit.setText("C12")
        booked_id = booking.record_id
        booking.submit()
        board = custody_board(window).model
        qtbot.waitUntil(lambda: board.row_of(booked_id) is not None, timeout=10_000)
        provisional = board.record(board.row_of(booked_id))
        assert provisional["custody_number"].startswith(PROVISIONAL_PREFIX) and provisional["provisional"]
        assert window.store.pending_count() == 2
        qtbot.waitUntil(lambda: "2 changes waiting" in window.sync_label.text(), timeout=10_000)
        select(qtbot, window, booked_id)
        assert session.selected_record["custody_number"] == provisional["custody_number"]

        # 3. The server returns: nobody does anything; the client signs in with the password typed at start.
        server_place["server"] = start_server(server_place["db"], demo=False, port=server_place["port"])
        window.check_health()  # the health timer would do it within 5 s
        qtbot.waitUntil(lambda: window.store.pending_count() == 0, timeout=30_000)
        assert not session.offline and session.client.token
        qtbot.waitUntil(lambda: not board.record(board.row_of(booked_id))["custody_number"].startswith(
            PROVISIONAL_PREFIX), timeout=10_000)
        confirmed = board.record(board.row_of(booked_id))["custody_number"]
        # Everywhere it was shown: the board and the selected record (the log, person dock and printouts use it).
        assert session.selected_record["custody_number"] == confirmed
        assert "All changes sent" in window.sync_label.text()
        assert "connected" in window.server_label.text()

        client = ApiClient(url)
        try:
            client.login("sergeant", DEMO_PASSWORD)
            assert client.custody_record(booked_id)["custody_number"] == confirmed
            assert check_id in {c["id"] for c in client.cell_checks(record["id"])}
        finally:
            client.close()
    finally:
        second.close()
        if server_place["server"] is not None:
            stop_server(server_place)


def _booking(record_id: str, person_id: str, arrived) -> dict:
    return {"id": record_id, "person": {"id": person_id, "surname": "Quillfeather", "forenames": "Odo Fictional",
                                        "date_of_birth": "1991-03-14", "gender": "male"},
            "arrested_at": to_wire(arrived - timedelta(minutes=30)), "arrived_at": to_wire(arrived),
            "arrest_place": "Quay Road, Portharrow", "arresting_officer": "PC 4410 Tamsin Vell",
            "offences": ["TH68010"], "arrest_reason": "Seen taking goods without paying.",
            "arrest_necessity": "To establish identity.", "arrival_route": "arrested_elsewhere"}


def test_a_booking_sent_again_under_its_client_made_id_is_the_same_booking(demo_server):
    """Delivered from an offline outbox, perhaps twice under different keys (the first answer lost): one record,
    one custody number. Another booking under a taken id is still refused."""
    client = ApiClient(demo_server.url)
    try:
        client.login("sergeant", DEMO_PASSWORD)
        arrived = utc_now().replace(microsecond=0) - timedelta(minutes=5)
        body = _booking(str(uuid.uuid4()), str(uuid.uuid4()), arrived)
        first = client.request("POST", "/custody/records", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
        again = client.request("POST", "/custody/records", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
        assert again["id"] == first["id"] and again["custody_number"] == first["custody_number"]
        other = _booking(body["id"], str(uuid.uuid4()), arrived - timedelta(minutes=1))
        with pytest.raises(ApiError) as refused:
            client.request("POST", "/custody/records", json=other, headers={"Idempotency-Key": str(uuid.uuid4())})
        assert refused.value.status == 409
    finally:
        client.close()


def test_workstation_settings_are_read_from_the_data_folder(tmp_path):
    from desktop.app import WorkstationSettings

    assert WorkstationSettings.read(tmp_path) == WorkstationSettings(15.0, 12.0)  # the defaults, no file
    (tmp_path / "settings.ini").write_text("[lock]\nidle_minutes=5\n\n[offline]\nallowed_hours=0\n")
    assert WorkstationSettings.read(tmp_path) == WorkstationSettings(5.0, 0.0)
    (tmp_path / "settings.ini").write_text("[lock]\nidle_minutes=soon\n")
    assert WorkstationSettings.read(tmp_path).idle_minutes == 15.0  # unreadable: the default, not a crash


def test_a_provisional_booking_the_server_refuses_leaves_the_board_and_is_announced(
        qtbot, make_window, demo_server, tmp_path):
    from desktop.views.shell.offline_work import install_offline_work
    from tests.desktop.custody.helpers import Announcements

    heard = Announcements()
    try:
        window = make_window(demo_server.url, tmp_path / "workstation")
        provisional = install_offline_work(window)
        body = _booking(str(uuid.uuid4()), str(uuid.uuid4()), utc_now().replace(microsecond=0))
        body["offences"] = ["XX99999"]  # not in the catalogue: the server will refuse it (422)
        item = window.store.add_outbox("POST", "/custody/records", body, row_id=body["id"])
        provisional.show_provisional(item)  # as when it was queued offline
        board = custody_board(window).model
        assert board.record(board.row_of(body["id"]))["custody_number"].startswith(PROVISIONAL_PREFIX)
        window.sender_.wake()
        qtbot.waitUntil(lambda: board.row_of(body["id"]) is None, timeout=15_000)
        assert heard.assertive("was refused by the server")
    finally:
        heard.close()
