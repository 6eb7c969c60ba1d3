"""The force configuration editor (issue 15), by keyboard against a real server of its own (its changes must not
reach the other client tests' shared server): Administration > Force configuration… (Ctrl+Alt+G); a wrong value
is refused beside its field, by the form and by the server; a saved change is shown as the new version, and the
offence catalogue kept on the workstation for offline booking follows the change feed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.sync.catalogue import cached_catalogue
from tests.desktop.harness import start_server


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    server = start_server(f"sqlite:///{tmp_path_factory.mktemp('config-server') / 'bridewell.sqlite3'}")
    yield server
    server.stop()


def _press(qtbot, widget, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(widget, key, modifiers)


def _type(qtbot, edit, text: str) -> None:
    """Into the field with the keyboard: focus it, select what is there, type over it."""
    edit.setFocus()
    _press(qtbot, edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(edit, text)
    else:
        _press(qtbot, edit, Qt.Key.Key_Delete)


def _activate(qtbot, widget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=3000)


def test_an_administrator_changes_the_configuration_by_keyboard(qtbot, make_window, own_server):
    window = make_window(own_server.url, username="admin")
    area = window.areas["admin"]
    _activate(qtbot, window)
    _press(qtbot, window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: area.config_window is not None and area.config_window.isVisible(), timeout=5000)
    config = area.config_window
    qtbot.waitUntil(lambda: config.model.rowCount() > 0 and config.settings is not None, timeout=10_000)
    assert "version 0" in config.summary.text() and "level 1 every 60 minutes" in config.summary.text()

    # Change settings…: a wrong number is refused beside its field before anything is sent.
    config.buttons["settings"].setFocus()
    _press(qtbot, config.buttons["settings"], Qt.Key.Key_Space)
    dialog = config.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    level_1 = dialog.numbers["observation.interval_minutes.1"]
    _type(qtbot, level_1, "hourly")
    _press(qtbot, level_1, Qt.Key.Key_Return)
    error = dialog.errors["values.observation.interval_minutes.1"]
    assert error.isVisible() and "number" in error.text()
    assert dialog.focusWidget() is level_1
    assert window.store.outbox_items() == []

    # The server's own rule (juvenile age 10 to 21) comes back beside its field too.
    _type(qtbot, level_1, "45")
    _type(qtbot, dialog.numbers["rights.juvenile_age"], "40")
    _type(qtbot, dialog.reason, "Force policy FP-12: level 1 checks every 45 minutes.")
    _press(qtbot, dialog.reason, Qt.Key.Key_Return)
    juvenile = dialog.errors["values.rights.juvenile_age"]
    qtbot.waitUntil(juvenile.isVisible, timeout=10_000)
    assert "10 to 21" in juvenile.text() and dialog.focusWidget() is dialog.numbers["rights.juvenile_age"]

    _type(qtbot, dialog.numbers["rights.juvenile_age"], "18")
    with qtbot.waitSignal(config.loaded, timeout=10_000):
        _press(qtbot, dialog.numbers["rights.juvenile_age"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "version 1" in config.summary.text(), timeout=10_000)
    assert "level 1 every 45 minutes" in config.summary.text()

    # New offence…: the workstation's offline copy of the catalogue follows the change feed.
    before = area.catalogue_version
    config.buttons["new"].setFocus()
    _press(qtbot, config.buttons["new"], Qt.Key.Key_Space)
    offence = config.dialog
    qtbot.waitUntil(offence.isVisible, timeout=3000)
    _type(qtbot, offence.code, "XX99002")
    _type(qtbot, offence.title_edit, "Mooring without leave")
    _type(qtbot, offence.statement, "Contrary to byelaw 7 of the Fictional Harbour Byelaws 2001.")
    offence.mode.setFocus()
    _press(qtbot, offence.mode, Qt.Key.Key_Down)
    assert offence.mode.currentData() == "summary"
    _type(qtbot, offence.template, "On {date} at {place} moored a vessel without leave.")
    _type(qtbot, offence.fields, "place")
    _type(qtbot, offence.start, "01/01/2001")
    _type(qtbot, offence.reason, "New byelaw offence.")
    _press(qtbot, offence.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: config.select_offence("XX99002"), timeout=10_000)
    assert "version 1" in config.catalogue_status.text()
    qtbot.waitUntil(lambda: area.catalogue_version not in (None, before), timeout=10_000)
    kept = cached_catalogue(window.store)
    assert kept is not None and any(o["code"] == "XX99002" for o in kept.offences)
