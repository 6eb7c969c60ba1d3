"""In-process (offscreen) accessibility checks shared by the audit tests: names, model text, tab order, clipping,
and discovery of every dialog class in desktop/views and every model class in desktop/models."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from PySide6.QtCore import QAbstractItemModel, QPoint, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (QAbstractButton, QAbstractScrollArea, QAbstractSpinBox, QApplication, QCheckBox,
                               QComboBox, QDialog, QLabel, QLineEdit,
                               QPushButton, QRadioButton, QToolButton, QWidget)


def widget_path(widget: QWidget) -> str:
    path, node = [], widget
    while node is not None:
        path.append(node.objectName() or type(node).__name__)
        node = node.parentWidget()
    return " > ".join(reversed(path))


def accessible_name(widget: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name) if iface is not None else ""


def unnamed_focusable(root: QWidget) -> list[str]:
    """Every widget a keyboard user can land on, without a name a screen reader can speak.

    Hidden widgets cannot take focus and are skipped (show each state to audit it). A combo box's drop-down
    list is spoken with the combo box's name and its items' texts, as the AT-SPI tree test also accepts."""
    popups = {combo.view() for combo in root.findChildren(QComboBox)}
    problems = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or widget.focusProxy() is not None:
            continue
        if widget in popups or (widget is not root and not widget.isVisibleTo(root)):
            continue
        if not accessible_name(widget).strip():
            problems.append(widget_path(widget))
    return problems


def cells_without_text(model) -> list[tuple[int, int]]:
    return [(r, c) for r in range(model.rowCount()) for c in range(model.columnCount())
            if not str(model.index(r, c).data(Qt.ItemDataRole.AccessibleTextRole) or "").strip()]


def headers_without_text(model) -> list[int]:
    return [c for c in range(model.columnCount())
            if not str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "").strip()]


# Discovery -------------------------------------------------------------------------------------------------------
def _classes_in_package(package: str, base: type) -> list[type]:
    found: dict[str, type] = {}
    pkg = importlib.import_module(package)
    for info in pkgutil.walk_packages(pkg.__path__, package + "."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls.__module__ == module.__name__ and not inspect.isabstract(cls):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[k] for k in sorted(found)]


def dialog_classes() -> list[type]:
    """Every QDialog subclass defined in desktop/views (found by importing each module). A base class that
    other dialogs there extend (a form skeleton) is audited through them, not on its own."""
    found = _classes_in_package("desktop.views", QDialog)
    return [cls for cls in found if not any(other is not cls and issubclass(other, cls) for other in found)]


def model_classes() -> list[type]:
    """Every item model defined in desktop/models, except abstract bases that define no columns of their own."""
    return [cls for cls in _classes_in_package("desktop.models", QAbstractItemModel)
            if not getattr(cls, "__abstract_model__", False)]


# Focus -----------------------------------------------------------------------------------------------------------
def tab_focusable(widget: QWidget) -> bool:
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.isVisible() and widget.isEnabled()


def control_of(widget: QWidget) -> QWidget:
    """The control a user thinks of: a combo box or spin box rather than the line edit inside it."""
    from PySide6.QtWidgets import QAbstractSpinBox

    node = widget
    while node is not None:
        if isinstance(node, (QComboBox, QAbstractSpinBox)):
            return node
        node = node.parentWidget()
    return widget


def tab_stops(root: QWidget) -> list[QWidget]:
    """The visible, enabled controls of `root` that Tab should reach (combo pop-ups are not stops)."""
    popups = {combo.view() for combo in root.findChildren(QComboBox)}
    stops: list[QWidget] = []
    for widget in root.findChildren(QWidget):
        if widget in popups or any(p.isAncestorOf(widget) for p in popups):
            continue
        if widget.focusProxy() is not None or not tab_focusable(widget) or not widget.isVisibleTo(root.window()):
            continue
        control = control_of(widget)
        if control not in stops:
            stops.append(control)
    return stops


class TabTrap(AssertionError):
    pass


def tab_chain(root: QWidget, start: QWidget, limit: int = 400) -> list[QWidget]:
    """The controls of `root` that real Tab presses visit from `start`, in order, until focus comes back to
    `start`. A control that keeps focus for many presses (a trap) raises TabTrap."""
    from PySide6.QtTest import QTest

    start.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    first = control_of(QApplication.focusWidget())
    seen = [first]
    stuck, last = 0, first
    for _ in range(limit):
        QTest.keyClick(QApplication.focusWidget() or root, Qt.Key.Key_Tab)
        QApplication.processEvents()
        focus = QApplication.focusWidget()
        if focus is None:
            raise TabTrap(f"Tab from {widget_path(last)} put focus nowhere")
        current = control_of(focus)
        if current is first and len(seen) > 1 and last is not first:
            return seen
        stuck = stuck + 1 if current is last else 0
        if stuck > 12:
            raise TabTrap(f"Tab is stuck on {widget_path(current)}")
        last = current
        if root.isAncestorOf(current) and current not in seen:
            seen.append(current)
    return seen


def _container(widget: QWidget, root: QWidget) -> QWidget | None:
    """The nearest scroll area or dialog button box between `widget` and `root`: its contents are read as
    one block where the block sits (a scroll area's contents may be scrolled out of sight)."""
    from PySide6.QtWidgets import QDialogButtonBox

    node = widget.parentWidget()
    while node is not None and node is not root:
        if isinstance(node, (QAbstractScrollArea, QDialogButtonBox)) and node is not widget:
            return node
        node = node.parentWidget()
    return None


def reading_order(widgets: list[QWidget], root: QWidget) -> list[QWidget]:
    """Top to bottom, then left to right (widgets whose vertical extents overlap are on one line). The
    contents of a scroll area, and a button box's buttons, are read as a block where the block sits."""

    blocks: dict[QWidget | None, list[QWidget]] = {}
    for w in widgets:
        blocks.setdefault(_container(w, root), []).append(w)
    items = list(blocks.get(None, []))
    # Only outermost containers are placed directly; nested ones are placed inside their container.
    outer = [c for c in blocks if c is not None and _container(c, root) is None]
    for c in blocks:
        if c is not None and c not in outer:
            parent = _container(c, root)
            blocks.setdefault(parent, []).append(c)
            if parent is not None and parent not in outer and _container(parent, root) is None:
                outer.append(parent)
    items.extend(outer)

    def top_left(w: QWidget) -> tuple[int, int, int]:
        p = w.mapTo(root, QPoint(0, 0))
        return p.y(), p.x(), w.height()

    ordered: list[QWidget] = []
    remaining = sorted(items, key=lambda w: top_left(w)[:2])
    while remaining:
        y, _x, h = top_left(remaining[0])
        line = sorted((w for w in remaining if top_left(w)[0] < y + max(h, 1) * 0.5), key=lambda w: top_left(w)[1])
        for w in line:
            if w in blocks and w not in widgets:
                inner = blocks[w]
                ordered.extend(reading_order(inner, w))
            else:
                ordered.append(w)
        remaining = [w for w in remaining if w not in line]
    return ordered


# Clipping --------------------------------------------------------------------------------------------------------
def _plain_text(widget: QWidget) -> str:
    text = widget.text() if hasattr(widget, "text") else ""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def clipped_text(root: QWidget) -> list[str]:
    """Visible labels and buttons whose one-line text is wider than the room they were given."""
    problems = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or widget.width() <= 0:
            continue
        if isinstance(widget.parentWidget(), (QComboBox, QAbstractSpinBox)):
            continue  # the editor inside a combo or spin box: the box is checked
        if isinstance(widget, QLabel):
            if widget.wordWrap() or widget.textFormat() == Qt.TextFormat.RichText or not widget.text():
                continue
            if widget.pixmap() is not None and not widget.pixmap().isNull():
                continue
            lines = _plain_text(widget).splitlines() or [""]
            needed = max(widget.fontMetrics().horizontalAdvance(line) for line in lines)
            room = widget.contentsRect().width() - 2 * widget.margin() - widget.indent() * (widget.indent() > 0)
        elif isinstance(widget, (QPushButton, QToolButton, QCheckBox, QRadioButton)):
            if not widget.text():
                continue
            needed = widget.sizeHint().width()
            room = widget.width()
        elif isinstance(widget, (QComboBox, QLineEdit, QAbstractSpinBox)):
            needed, room = 0, 0  # their text scrolls sideways; only squashing (below) hides it
        else:
            continue
        if needed > room + 1:
            problems.append(f"{widget_path(widget)} {type(widget).__name__} {_plain_text(widget)!r}: "
                            f"needs {needed}px, has {room}px")
        # Squashed: shorter than one line of its text (a layout given less height than it asked for).
        tall = widget.fontMetrics().height() if isinstance(widget, QLabel) else widget.minimumSizeHint().height()
        if widget.height() + 1 < tall:
            problems.append(f"{widget_path(widget)} {type(widget).__name__}: {widget.height()}px high, "
                            f"needs {tall}px")
    return problems


def settled_clipped_text(qtbot, root: QWidget, timeout: int = 3000) -> list[str]:
    """`clipped_text` once the layout has settled: a dialog grows in a later event-loop pass for what appears after
    it opened (a problem beside a field, a note from a worker such as the keyring check), and on a loaded machine
    that pass can come after one processEvents(). What is still clipped after `timeout` ms is a defect."""
    try:
        qtbot.waitUntil(lambda: not clipped_text(root), timeout=timeout)
    except qtbot.TimeoutError:
        pass
    return clipped_text(root)


def scroll_areas(root: QWidget) -> list[QAbstractScrollArea]:
    return root.findChildren(QAbstractScrollArea)


def default_buttons(dialog: QDialog) -> list[QPushButton]:
    return [b for b in dialog.findChildren(QPushButton) if b.isDefault() and b.isVisible()]


def buttons_of(root: QWidget) -> list[QAbstractButton]:
    return root.findChildren(QAbstractButton)


def wrapped_text_cut(root: QWidget) -> list[str]:
    """Visible word-wrapped labels given less height than their text needs at their width (an error message or
    note shown after the dialog was laid out, squeezed to a sliver)."""
    problems = []
    for widget in root.findChildren(QLabel):
        if not widget.isVisible() or not widget.wordWrap() or not widget.text() or widget.width() <= 0:
            continue
        needed = widget.heightForWidth(widget.width())
        if needed > widget.height() + 1:
            problems.append(f"{widget_path(widget)} {_plain_text(widget)[:40]!r}: {widget.height()}px high at "
                            f"{widget.width()}px wide, needs {needed}px")
    return problems
