"""Issue 4 docks and dialogs, opened the way a user opens them, with real demo data, at normal and 200% font:
every focusable widget is named, every model passes qtmodeltester, and every cell has accessible text."""

from __future__ import annotations

from tests.desktop.harness import OFFSCREEN_NOISE

import pytest

from tests.a11y.test_widget_audit import cells_without_text, unnamed_focusable
from tests.desktop.people.helpers import people_window

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def _open_macdonald(qtbot, people):
    panel = people.find_person().panel
    panel.name_edit.setText("Stephen Macdonald")
    with qtbot.waitSignal(panel.searched, timeout=10_000):
        panel.search()
    return panel


def test_people_docks_and_dialogs_are_named_and_models_checked(qtbot, qtmodeltester, make_window, demo_server,
                                                              font_scale):
    window = people_window(qtbot, make_window, demo_server.url, "supervisor")
    people = window.areas["people"]

    def audit(dialog, close: bool = True):
        assert dialog is not None and dialog.isVisible(), dialog
        assert unnamed_focusable(dialog) == [], dialog.objectName()
        if close:
            dialog.reject()

    search = _open_macdonald(qtbot, people)
    audit(people.dialog, close=False)
    with qtbot.waitSignal(people.person_panel.person_loaded, timeout=10_000):
        search.open_current()
    people.person_panel.add_marker()
    audit(people.person_panel.dialog)
    audit(people.new_person("Steve McDonald"))
    audit(people.merge())
    actions = window.areas["investigations"].actions_panel
    qtbot.waitUntil(lambda: actions.scope_combo.count() > 1, timeout=10_000)
    with qtbot.waitSignal(actions.loaded, timeout=10_000):
        actions.show_investigation(actions.scope_combo.itemData(1))
    for key in ("allocate", "submit_result", "review", "refer", "cancel"):
        audit(window.areas["investigations"].trigger(key))
    audit(window.areas["intelligence"].trigger("new_report"))
    intel = window.areas["intelligence"].intel_panel
    intel.table.setCurrentIndex(intel.proxy.index(0, 0))
    window.areas["intelligence"].trigger("open_report")
    audit(intel.dialog)
    intel.fetch(intel.current()["id"], "audit")
    qtbot.waitUntil(lambda: intel.viewer is not None, timeout=10_000)
    audit(intel.regrade(intel.viewer.report))
    audit(intel.qa(intel.viewer.report))
    audit(intel.viewer, close=False)

    for name in ("personDock", "investigationActionsDock", "intelligenceGradingDock"):
        window.docks[name].show()
        window.docks[name].raise_()
        assert unnamed_focusable(window.docks[name]) == [], name

    models = [search.model, people.person_panel.links_model, people.person_panel.markers_model,
              people.person_panel.merges_model, actions.model, actions.history_model,
              intel.model, intel.viewer.history_model]
    for model in models:
        qtmodeltester.check(model, force_py=True)
        assert cells_without_text(model) == [], type(model).__name__
    for model in models[:2] + models[4:7]:
        assert model.rowCount() > 0, type(model).__name__


def test_person_dock_shortcut_and_view_menu(qtbot, make_window, demo_server):
    window = people_window(qtbot, make_window, demo_server.url, "sergeant")
    toggle = window.dock_actions["personDock"]
    assert toggle.shortcut().toString() == "Alt+5" and toggle.text() == "&Person"
    menus = [a.text() for a in window.menuBar().actions()]
    assert {"&People", "&Investigations", "In&telligence"} <= set(menus)
    shortcuts = [a.shortcut().toString() for a in window.findChildren(type(toggle)) if not a.shortcut().isEmpty()]
    duplicates = {s for s in shortcuts if shortcuts.count(s) > 1}
    assert not duplicates, duplicates
