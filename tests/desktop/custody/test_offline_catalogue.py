"""Booking in and charging offer the server's offence catalogue, and keep offering it from the local store when
the server is down. The server runs a force catalogue (BRIDEWELL_OFFENCE_CATALOGUE) extending the packaged one
with a fictional offence, so seeing that offence proves the list came from the server, not the packaged file."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from desktop.sync.catalogue import cached_catalogue
from server import force
from server.settings import Settings
from tests.desktop.custody.helpers import open_by_shortcut
from tests.desktop.harness import signed_in_client, start_server
from tests.desktop.printing.conftest import KEYBOARD_GRAB_NOISE, uncharged_record
from tests.desktop.printing.test_charge_dialog import open_dialog as open_charge_dialog

HARBOUR = {"code": "XX00902", "title": "Mooring in a fictional harbour without leave", "offence_type": "CS",
           "statement": "Contrary to section 2 of the Imaginary Harbours Act 2001.",
           "particulars_template": "{date} at {place} moored without the leave of the harbour master.",
           "particulars_fields": ["date", "place"], "effective_from": "2001-01-01"}


@pytest.fixture
def force_server(tmp_path):
    path = tmp_path / "force-offences.json"
    path.write_text(json.dumps({"mode": "extend", "offences": [HARBOUR]}))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRIDEWELL_OFFENCE_CATALOGUE", str(path))
        server = start_server(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    yield server
    server.stop()
    force.configure(Settings.from_env())  # the process's other in-process servers go back to the packaged list


def test_booking_in_offline_offers_the_last_catalogue_fetched(qtbot, make_window, force_server):
    window = make_window(force_server.url)
    # Signing in takes a copy in the background, with no dialog open.
    qtbot.waitUntil(lambda: cached_catalogue(window.store) is not None, timeout=10_000)
    force_server.stop()
    window.areas["custody"].catalogue = None  # as after restarting the client: only the local store holds it now

    dialog = open_by_shortcut(qtbot, window, Qt.Key.Key_B)
    assert "XX00902" in {o.code for o in dialog.offence_choices.values()}
    dialog.offence_edit.setFocus()
    qtbot.keyClicks(dialog.offence_edit, "XX00902")
    qtbot.keyClick(dialog.offence_edit, Qt.Key.Key_Return)
    assert [o.code for o in dialog.chosen] == ["XX00902"]


@pytest.mark.qt_log_ignore(KEYBOARD_GRAB_NOISE)
def test_charging_offers_the_served_catalogue_online_and_offline(qtbot, make_window, force_server):
    window = make_window(force_server.url)
    api = signed_in_client(force_server.url)
    try:
        uncharged_record(window, api)
    finally:
        api.close()
    qtbot.waitUntil(window.areas["prosecution"].charge_action.isEnabled, timeout=3000)
    dialog = open_charge_dialog(qtbot, window)
    assert "XX00902" in {o["code"] for o in dialog.offences}
    dialog.reject()

    force_server.stop()
    offline = open_charge_dialog(qtbot, window)
    assert "XX00902" in {o["code"] for o in offline.offences}
    assert "do not have to say anything" in offline.caution_text.text().lower()  # the caution kept from before
    offline.reject()
