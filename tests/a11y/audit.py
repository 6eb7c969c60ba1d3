"""In-process (offscreen) accessibility checks shared by the audit tests: names, model text, tab order, clipping,
and discovery of every dialog class in desktop/views and every model class in desktop/models."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from PySide6.QtCore import QAbstractItemModel, QPoint, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (QAbstractButton, QAbstractScrollArea, QApplication, QCheckBox, QComboBox, QDialog,
                               QLabel,
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
    for info in pkgutil.iter_modules(pkg.__path__, package + "."):
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


def tab_chain(window: QWidget, start: QWidget, limit: int = 200) -> list[QWidget]:
    """The widgets Tab visits from `start`, by real key presses, until it comes back round."""
    from PySide6.QtTest import QTest

    start.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    seen = [QApplication.focusWidget()]
    for _ in range(limit):
        QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Tab)
        QApplication.processEvents()
        current = QApplication.focusWidget()
        if current is None or current is seen[0] or current in seen:
            break
        seen.append(current)
    return [w for w in seen if w is not None]


def reading_order(widgets: list[QWidget], window: QWidget) -> list[QWidget]:
    """Top to bottom, then left to right (widgets whose vertical extents overlap are on one line)."""
    def top_left(w: QWidget) -> tuple[int, int, int]:
        p = w.mapTo(window, QPoint(0, 0))
        return p.y(), p.x(), w.height()

    remaining = sorted(widgets, key=lambda w: top_left(w)[:2])
    ordered: list[QWidget] = []
    while remaining:
        first = remaining[0]
        y, _x, h = top_left(first)
        line = [w for w in remaining if top_left(w)[0] < y + max(h, 1) * 0.5]
        line.sort(key=lambda w: top_left(w)[1])
        ordered.extend(line)
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
        else:
            continue
        if needed > room + 1:
            problems.append(f"{widget_path(widget)} {type(widget).__name__} {_plain_text(widget)!r}: "
                            f"needs {needed}px, has {room}px")
    return problems


def scroll_areas(root: QWidget) -> list[QAbstractScrollArea]:
    return root.findChildren(QAbstractScrollArea)


def default_buttons(dialog: QDialog) -> list[QPushButton]:
    return [b for b in dialog.findChildren(QPushButton) if b.isDefault() and b.isVisible()]


def buttons_of(root: QWidget) -> list[QAbstractButton]:
    return root.findChildren(QAbstractButton)
