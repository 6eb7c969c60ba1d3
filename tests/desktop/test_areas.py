"""The typed area interface: every area of desktop/views/registry.py declares its menus by id, its docks and the
events it handles; the menu bar stands in MenuId order whatever the areas add; no two actions share a shortcut;
an event reaches the views through the one hub."""

from __future__ import annotations

from PySide6.QtGui import QAction

from desktop.areas import MENU_TITLES, Area, MenuId
from desktop.views.registry import AREAS
from domain.events import EventType
from tests.desktop.harness import custody_board


def test_every_area_declares_itself_through_the_interface(make_window, demo_server):
    window = make_window(demo_server.url)
    assert [area.name for area in window.areas.values()] == [
        "custody", "force", "investigations", "intelligence", "people", "prosecution", "records", "admin", "unsent"]
    assert len(window.areas) == len(AREAS)
    for area in window.areas.values():
        assert isinstance(area, Area), area
        assert all(isinstance(kind, EventType) for kind in area.handles), area.name
        for menu_id, items in area.menu_items().items():
            assert isinstance(menu_id, MenuId)
            # Each item is in the menu of that id: menus are found by id, never by their visible text.
            menu = window.menu(menu_id)
            assert all(item in menu.actions() for item in items if item is not None), (area.name, menu_id)
        for dock in area.docks():
            assert window.docks[dock.name].widget().widget() is dock.panel


def test_the_menu_bar_is_in_menu_id_order_with_object_names(make_window, demo_server):
    window = make_window(demo_server.url)
    menus = [action.menu() for action in window.menuBar().actions() if action.menu() is not None]
    assert [m.objectName() for m in menus] == [m.value for m in MenuId], [a.text() for a in window.menuBar().actions()]
    assert [m.title() for m in menus] == [MENU_TITLES[m] for m in MenuId]
    # The shell's own items come after the areas': Quit last in File, Charge… after the custody actions.
    assert window.menu(MenuId.FILE).actions()[-1].objectName() == "quitAction"
    custody = [a.objectName() for a in window.menu(MenuId.CUSTODY).actions() if not a.isSeparator()]
    assert custody[0] == "bookInAction" and custody[-1] == "chargeAction"


def test_no_two_actions_share_a_shortcut(make_window, demo_server):
    window = make_window(demo_server.url)
    seen: dict[str, str] = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            text = key.toString()
            assert text not in seen, f"{text}: {seen.get(text)} and {action.objectName()}"
            seen[text] = action.objectName()


def test_a_feed_event_reaches_the_board_through_the_hub(qtbot, make_window, demo_server):
    """The board's handlers are hub subscribers too: a record event updates the board and the selected
    record in place (the hub keeps the selected record current for every area)."""
    window = make_window(demo_server.url)
    assert custody_board(window).select_record_id(custody_board(window).model.record(0)["id"])
    record = dict(window.session.selected_record)
    changed = {**record, "cell": "C99"}
    updated = []
    window.session.changes.selected_record_updated.connect(updated.append)
    rows_before = custody_board(window).model.rowCount()
    window.session.changes.deliver([{"seq": 1, "type": "custody.record.updated", "entity": "custody_record",
                                     "entity_id": record["id"], "record_id": record["id"], "data": changed}])
    assert window.session.selected_record["cell"] == "C99"
    assert updated == [changed]
    row = custody_board(window).model.row_of(record["id"])
    model = custody_board(window).model
    assert model.record(row)["cell"] == "C99" and model.rowCount() == rows_before
