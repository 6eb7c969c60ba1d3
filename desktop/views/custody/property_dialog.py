"""Custody > Record property… (Ctrl+Alt+P) and Return property… (Ctrl+Alt+R): PACE s.54.

Recording: the items a search found, each added to the list with its description, quantity, what happens to it
(kept by the detainee, retained, seized as evidence; chosen, never defaulted) and its bag and seal numbers, then
the detainee's signature or refusal (refusal with what they said). Return: the retained items not yet returned,
each ticked, against the detainee's signature or refusal. Everything by keyboard: Add item (Alt+I) moves the
item to the list and focus back to Description; Delete removes the selected list item.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QSpinBox, QWidget

from desktop.announcer import announce
from desktop.timefmt import parse_utc, utc_now
from desktop.views.forms.dialog import CustodyDialog
from desktop.views.forms.fields import datetime_edit, nothing_chosen, text_edit, to_utc, value_of
from desktop.writes import Writes
from domain.pace_clock import event_time_error

DISPOSITIONS = {"kept": "Kept by the detainee", "retained": "Retained (returned at release)",
                "evidence": "Seized as evidence"}
SIGNATURES = {"signed": "Detainee signed", "refused": "Detainee refused to sign"}


def item_text(item: dict[str, Any]) -> str:
    bag = ", ".join(f"{label} {item[key]}" for key, label in (("bag_number", "bag"), ("seal_number", "seal"))
                    if item.get(key))
    words = f"{item.get('quantity', 1)} × {item['description']} – {DISPOSITIONS[item['disposition']].split(' (')[0]}"
    return words + (f", {bag}" if bag else "")


def _signature_combo() -> QComboBox:
    combo = QComboBox()
    for key, title in SIGNATURES.items():
        combo.addItem(title, key)
    return nothing_chosen(combo, "Did the detainee sign?…")


class PropertyDialog(CustodyDialog):
    save_text = "&Save property"
    record: dict[str, Any]

    def __init__(self, window: QWidget, record: dict[str, Any], *, writes: Writes):
        super().__init__(window, record, "Record property", "propertyDialog", writes=writes, scroll=True)
        self.items: list[dict[str, Any]] = []
        self.searched_edit = datetime_edit("propertySearchedAt", "When the detainee was searched.")
        self.description_edit = QLineEdit()
        self.quantity_spin = QSpinBox()
        self.quantity_spin.setRange(1, 10_000)
        self.disposition_combo = QComboBox()
        for key, title in DISPOSITIONS.items():
            self.disposition_combo.addItem(title, key)
        nothing_chosen(self.disposition_combo, "Kept, retained or seized?…")
        self.bag_edit = QLineEdit()
        self.seal_edit = QLineEdit()
        self.add_button = QPushButton("Add &item to the list")
        self.add_button.setObjectName("propertyAddItem")
        self.add_button.clicked.connect(self.add_item)
        self.list = QListWidget()
        self.list.setObjectName("propertyItems")
        self.list.setAccessibleName("Items recorded")
        self.list.setWordWrap(True)  # each item read in full, never cut at the dialog's edge
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setAccessibleDescription("The items this search found. Delete removes the selected item.")
        QShortcut(QKeySequence.StandardKey.Delete, self.list, self.remove_selected,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.signature_combo = _signature_combo()
        self.signature_note = text_edit("propertySignatureNote", "If the detainee refused to sign: what they said "
                                                                 "or did.", 2)
        self.add_row("Searched a&t:", self.searched_edit, "searched_at")
        self.add_row("&Description:", self.description_edit, "items.description", name="propertyDescription")
        self.add_row("&Quantity:", self.quantity_spin, "items.quantity", name="propertyQuantity")
        self.add_row("&Kept, retained or seized:", self.disposition_combo, "items.disposition",
                     name="propertyDisposition")
        self.add_row("&Bag number:", self.bag_edit, "items.bag_number", name="propertyBag")
        self.add_row("S&eal number:", self.seal_edit, "items.seal_number", name="propertySeal")
        self.form.addRow("", self.add_button)
        self.add_row("Items &recorded:", self.list, "items")
        self.add_row("Si&gnature:", self.signature_combo, "signature", name="propertySignature")
        self.add_row("Refusal &note:", self.signature_note, "signature_note")
        self.main_field = "items"
        self.dirty = False
        self.description_edit.setFocus()

    # The item being typed ---------------------------------------------------------------------------------------
    def item_problems(self) -> list[tuple[str, str]]:
        out = []
        if not value_of(self.description_edit):
            out.append(("items.description", "Describe the item."))
        disposition = self.disposition_combo.currentData()
        if disposition is None:
            out.append(("items.disposition", "Choose whether the item is kept, retained or seized as evidence."))
        if disposition in ("retained", "evidence") and not value_of(self.bag_edit):
            out.append(("items.bag_number", "Give the bag number of a retained or seized item."))
        if disposition == "evidence" and not value_of(self.seal_edit):
            out.append(("items.seal_number", "Give the seal number of an item seized as evidence."))
        return out

    def add_item(self) -> None:
        problems = self.item_problems()
        if problems:
            self.show_problems(problems)
            return
        self.clear_problems()
        item = {"id": str(uuid.uuid4()), "description": value_of(self.description_edit),
                "quantity": self.quantity_spin.value(), "disposition": self.disposition_combo.currentData(),
                "bag_number": value_of(self.bag_edit) or None, "seal_number": value_of(self.seal_edit) or None}
        self.items.append(item)
        self.list.addItem(QListWidgetItem(item_text(item)))
        for edit in (self.description_edit, self.bag_edit, self.seal_edit):
            edit.clear()
        self.quantity_spin.setValue(1)
        nothing_chosen(self.disposition_combo, "Kept, retained or seized?…")
        announce(f"Added: {item_text(item)}. {len(self.items)} item{'s' if len(self.items) != 1 else ''} listed.")
        self.description_edit.setFocus()

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.items):
            gone = self.items.pop(row)
            self.list.takeItem(row)
            announce(f"Removed: {item_text(gone)}.")

    # Saving ---------------------------------------------------------------------------------------------------
    def problems(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if value_of(self.description_edit):
            out.append(("items.description", "Add this item to the list (Alt+I) or clear it before saving."))
        if not self.items:
            out.append(("items", "Add at least one item to the list."))
        booked = parse_utc(self.record.get("booked_in_at") or self.record.get("arrived_at"))
        if booked and (p := event_time_error("searched_at", to_utc(self.searched_edit), booked_in_at=booked,
                                             now=utc_now())):
            out.append((p.field, p.message))
        signature = self.signature_combo.currentData()
        if signature is None:
            out.append(("signature", "Record whether the detainee signed or refused to sign."))
        elif signature == "refused" and not value_of(self.signature_note):
            out.append(("signature_note", "Record what the detainee said or did when refusing to sign."))
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"/custody/records/{self.record['id']}/property", {
            "searched_at": to_utc(self.searched_edit).isoformat(), "items": self.items,
            "signature": self.signature_combo.currentData(),
            "signature_note": value_of(self.signature_note) or None}


class ReturnPropertyDialog(CustodyDialog):
    save_text = "&Return property"
    record: dict[str, Any]

    def __init__(self, window: QWidget, record: dict[str, Any], items: list[dict[str, Any]], *, writes: Writes):
        super().__init__(window, record, "Return property", "returnPropertyDialog", writes=writes)
        self.returnable = [i for i in items if i.get("disposition") == "retained" and not i.get("returned_at")]
        others = [i for i in items if i not in self.returnable]
        self.list = QListWidget()
        self.list.setObjectName("returnPropertyItems")
        self.list.setAccessibleName("Retained items to return")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setAccessibleDescription("Space ticks an item being returned.")
        for item in self.returnable:
            row = QListWidgetItem(item_text(item))
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Unchecked)  # each item ticked as it is handed back, never all by default
            self.list.addItem(row)
        if not self.returnable:
            none = QLabel("No retained property is waiting to be returned.")
            none.setObjectName("returnPropertyNone")
            self.form.addRow(none)
        if others:
            kept = QLabel("Not returned here: " + "; ".join(
                item_text(i) + (" (already returned)" if i.get("returned_at") else "") for i in others) + ".")
            kept.setObjectName("returnPropertyOthers")
            kept.setWordWrap(True)
            self.form.addRow(kept)
        self.returned_edit = datetime_edit("returnPropertyAt", "When the property was handed back.")
        self.signature_combo = _signature_combo()
        self.note_edit = text_edit("returnPropertyNote", "If the detainee refused to sign: what they said or did.", 2)
        self.add_row("&Items:", self.list, "item_ids")
        self.add_row("Returned &at:", self.returned_edit, "returned_at")
        self.add_row("Si&gnature:", self.signature_combo, "signature", name="returnPropertySignature")
        self.add_row("Refusal &note:", self.note_edit, "note")
        self.main_field = "item_ids"
        self.dirty = False
        self.list.setFocus()

    def chosen(self) -> list[str]:
        return [self.returnable[n]["id"] for n in range(self.list.count())
                if self.list.item(n).checkState() == Qt.CheckState.Checked]

    def problems(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if not self.chosen():
            out.append(("item_ids", "Tick each item being returned (Space)."))
        signature = self.signature_combo.currentData()
        if signature is None:
            out.append(("signature", "Record whether the detainee signed for the property or refused."))
        elif signature == "refused" and not value_of(self.note_edit):
            out.append(("note", "Record what the detainee said or did when refusing to sign."))
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"/custody/records/{self.record['id']}/property/return", {
            "item_ids": self.chosen(), "returned_at": to_utc(self.returned_edit).isoformat(),
            "signature": self.signature_combo.currentData(), "note": value_of(self.note_edit) or None}
