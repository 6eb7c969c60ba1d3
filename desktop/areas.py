"""The typed interface between the main window (the shell) and the areas of work (custody, people, ...).

An area is made from an `AreaContext` and declares what it adds: menu items by menu id, docks, and the event
types it listens to. The main window installs the areas listed in `desktop/views/registry.py` in that order;
it knows nothing else about them. An area talks to the shell only through `Shell` (public methods of the main
window) and to another area only through `Links` (a function that area provided), never through widgets.

    class MyArea(QObject):                       # satisfies Area
        name = "my_area"
        handles = frozenset({EventType.PERSON_UPDATED})
        def __init__(self, context: AreaContext): ...
        def menu_items(self) -> dict[MenuId, list[QAction | None]]: ...   # None: a separator
        def docks(self) -> list[DockSpec]: ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from domain.events import EventType

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDockWidget, QWidget

    from desktop.operations import Operations
    from desktop.session import Session
    from desktop.sync.local_store import LocalStore
    from desktop.sync.qt_hub import QtChangeHub
    from desktop.writes import Writes


class MenuId(StrEnum):
    """The menu bar, in its order. The value is the menu's objectName (tests and AT-SPI find menus by it)."""

    FILE = "fileMenu"
    CUSTODY = "custodyMenu"
    PEOPLE = "peopleMenu"
    INVESTIGATIONS = "investigationsMenu"
    INTELLIGENCE = "intelligenceMenu"
    ADMIN = "adminMenu"  # hidden for roles with nothing in it (desktop/views/admin/area.py)
    VIEW = "viewMenu"


MENU_TITLES: dict[MenuId, str] = {
    MenuId.FILE: "&File", MenuId.CUSTODY: "&Custody", MenuId.PEOPLE: "&People",
    MenuId.INVESTIGATIONS: "&Investigations", MenuId.INTELLIGENCE: "In&telligence", MenuId.ADMIN: "A&dministration",
    MenuId.VIEW: "&View",
}


class DockPlace(Enum):
    RIGHT = "right"  # full height beside the board
    BOTTOM = "bottom"  # under the board (the first one placed there)
    TABBED = "tabbed"  # a tab beside the first bottom dock


@runtime_checkable
class DockPanel(Protocol):
    """What a dock's panel offers the shell: focus on its first useful control (View > the dock's shortcut)."""

    def focus_panel(self) -> None: ...


@dataclass(frozen=True)
class DockSpec:
    """A dock an area adds. Its toggle goes in View with `shortcut`; the panel must have `focus_panel()`."""

    name: str  # the dock's objectName, also the key of its saved layout
    title: str
    shortcut: str
    panel: QWidget
    place: DockPlace = DockPlace.TABBED


@runtime_checkable
class Area(Protocol):
    name: str
    handles: frozenset[EventType]  # what it subscribes to through the hub (declared, so it can be checked)

    def menu_items(self) -> dict[MenuId, list[QAction | None]]: ...

    def docks(self) -> list[DockSpec]: ...


@dataclass(frozen=True)
class CentralSpec:
    """The view in the middle of the window, given by one area (the custody area's board). View > `title`
    (`shortcut`, action objectName `action_name`) focuses it; the panel must have `focus_panel()`."""

    panel: QWidget
    title: str
    action_name: str
    shortcut: str


class Shell(Protocol):
    """What the main window offers every area (all public; nothing else of the window is an area's to use)."""

    def menu(self, menu_id: MenuId) -> Any: ...

    def dock(self, name: str) -> QDockWidget: ...

    def raise_dock(self, name: str) -> None: ...

    def set_central(self, spec: CentralSpec) -> None: ...

    def add_background(self, start: Callable[[], None], stop: Callable[[], None]) -> None:
        """Work an area runs while the window is open: `start` when the window starts its background work
        (after sign-in), `stop` when it shuts down."""

    def follow_changes(self, after_seq: int) -> None:
        """Start the change feed after `after_seq`: called once the central view's snapshot is in, so the feed
        brings exactly what changed after it."""

    def is_closed(self) -> bool: ...


class PersonPicking(Protocol):
    """Choosing a known person (or making a new one): `start(name typed)` opens the search; `picked` (a Qt signal)
    then carries the person's full record (PersonOut: identity, addresses, warning markers)."""

    picked: Any

    def start(self, name: str = "") -> None: ...


def _not_provided(name: str) -> Callable[..., Any]:
    def missing(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"no area provides {name!r}: is the area that owns it installed?")
    return missing


@dataclass
class Links:
    """What one area may ask of another. Each is set by the area that owns it when it is installed."""

    open_person: Callable[[str], None] = field(default_factory=lambda: _not_provided("open_person"))
    open_person_record: Callable[[], dict[str, Any] | None] = field(  # the person open in the Person dock
        default_factory=lambda: _not_provided("open_person_record"))
    show_investigation: Callable[[str], None] = field(default_factory=lambda: _not_provided("show_investigation"))
    open_report: Callable[[str, str], None] = field(default_factory=lambda: _not_provided("open_report"))
    show_custody_record: Callable[[str], bool] = field(  # select it on the board and focus it; False: not there
        default_factory=lambda: _not_provided("show_custody_record"))
    person_picker: Callable[[QWidget], PersonPicking] = field(  # a picker parented to the widget (booking in)
        default_factory=lambda: _not_provided("person_picker"))
    person_opened: list[Callable[[], None]] = field(default_factory=list)  # told when the open person changes
    preview_pdf: Callable[[str, bytes, QWidget | None], None] = field(  # print preview of a built PDF, then print
        default_factory=lambda: _not_provided("preview_pdf"))


@dataclass
class AreaContext:
    """Everything an area is given. Views get `writes` (and ops, client) from here as constructor arguments."""

    session: Session
    ops: Operations
    writes: Writes
    store: LocalStore | None
    shell: Shell
    parent: QWidget  # the main window, as the parent of dialogs and panels
    links: Links = field(default_factory=Links)

    @property
    def changes(self) -> QtChangeHub:
        return self.session.changes


def menu_actions(parent: QObject, specs: dict[str, tuple[str, str, str]],
                 trigger: Callable[[str], object]) -> dict[str, QAction]:
    """An area's menu actions from `{key: (text, objectName, shortcut)}`: application-wide shortcuts (they work
    from any dock or dialog-free window state), each calling `trigger(key)`."""
    actions: dict[str, QAction] = {}
    for key, (text, name, shortcut) in specs.items():
        action = QAction(text, parent)
        action.setShortcut(QKeySequence(shortcut))
        action.setObjectName(name)
        action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(lambda _checked=False, k=key: trigger(k))
        actions[key] = action
    return actions
