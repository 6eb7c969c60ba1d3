"""The audit viewer (supervisors and administrators): who looked at or changed what, when, why and from which
workstation, newest first, a page at a time; filters; export to CSV. Opened from Administration > Audit viewer…,
or already filtered from People > Who has looked at this person? and Administration > Who has looked at this
custody record?.

Every read is made on a worker and is itself audited by the server, with the reason typed here (sent in the
X-Access-Reason header, never in the address)."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.models.admin.audit_model import ACTION_TITLES, CSV_HEADER, AuditModel, csv_row
from desktop.timefmt import LONDON
from desktop.views.forms.dialog import fit_on_screen
from desktop.views.forms.fields import DateEdit, date_edit
from desktop.views.forms.tables import make_table

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient

AUDIT_PATH = "/audit"
PAGE = 100
EXPORT_PAGE = 500
EXPORT_MAX = 200_000  # rows in one file: far beyond a day's looks at one person; a whole force's year is not a CSV
PERIODS = {"any": "Any time", "today": "Today", "7": "The last 7 days", "30": "The last 30 days",
           "between": "Between these dates"}


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _day_start_utc(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), LONDON).astimezone(UTC)


class AuditViewer(QDialog):
    page_loaded = Signal(int)  # rows added
    exported = Signal(str)  # path
    failed = Signal(str)

    def __init__(self, ops: Operations, client: ApiClient, parent: QWidget | None, *,
                 subject: dict[str, str] | None = None) -> None:
        """`subject`: {"person_id" | "entity_id": id, "label": "MACDONALD, Stephen (person)"} to show only the
        looks at one person (and their custody records) or one record."""
        super().__init__(parent)
        self.setObjectName("auditViewer")
        self.ops, self.client = ops, client
        self.subject = {k: v for k, v in (subject or {}).items() if k in ("person_id", "entity_id")}
        label = (subject or {}).get("label", "")
        self.setWindowTitle(f"Who has looked at {label}" if label else "Audit viewer")
        self.next_before: int | None = None
        self.loading = False
        self.page_size = PAGE

        form = QFormLayout()
        if label:
            shown = QLabel(label)
            shown.setObjectName("auditSubject")
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
            shown.setAccessibleName(f"Showing who has looked at {label}")
            form.addRow("Showing:", shown)
        self.username = self._row(form, "&User name:", QLineEdit(), "auditUsername",
                                  "Only what this user did (their sign-in name); empty for everyone.")
        self.action = QComboBox()
        self.action.addItem("Any", None)
        for value, title in ACTION_TITLES.items():
            self.action.addItem(title, value)
        self._row(form, "&Did:", self.action, "auditAction", "Only this kind of use.")
        self.period = QComboBox()
        for value, title in PERIODS.items():
            self.period.addItem(title, value)
        self._row(form, "&When:", self.period, "auditPeriod", "Which days to show, UK local time.")
        today = _day(QDate.currentDate())
        self.since: DateEdit = date_edit("auditFrom", "The first day shown.", today - timedelta(days=7))
        self.until: DateEdit = date_edit("auditTo", "The last day shown.", today)
        self._row(form, "&From:", self.since, "auditFrom")
        self._row(form, "&To:", self.until, "auditTo")
        self.period.currentIndexChanged.connect(self._period_changed)
        self.workstation = self._row(form, "Wor&kstation:", QLineEdit(), "auditWorkstation",
                                     "Only looks made from this workstation; empty for all.")
        self.reason = self._row(form, "&Reason for looking:", QLineEdit(), "auditReason",
                                "Why you are looking (recorded in the audit with your search), e.g. a complaint "
                                "reference.")
        self._period_changed()

        self.search_button = QPushButton("&Search")
        self.search_button.setObjectName("auditSearch")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        self.model = AuditModel(self)
        self.table = make_table("auditTable", "Audit entries", self.model, stretch=4)
        self.status = QLabel("", wordWrap=True)
        self.status.setObjectName("auditStatus")
        self.status.setAccessibleName("Audit: status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.more_button = QPushButton("Load &older entries")
        self.more_button.setObjectName("auditMore")
        self.more_button.clicked.connect(self.load_more)
        self.export_button = QPushButton("E&xport CSV…")
        self.export_button.setObjectName("auditExport")
        self.export_button.clicked.connect(self.choose_export)
        close = QPushButton("Close")
        close.setObjectName("auditClose")
        close.clicked.connect(self.close)

        buttons = QHBoxLayout()
        for button in (self.more_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        top = QHBoxLayout()
        top.addLayout(form, 1)
        top.addWidget(self.search_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.more_button.setEnabled(False)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not getattr(self, "_fitted", False):
            self._fitted = True  # wide for the table, never wider than the screen (issue 13: 200% text)
            fit_on_screen(self, max(1100, self.sizeHint().width()), max(620, self.sizeHint().height()))

    def _row(self, form: QFormLayout, label: str, widget: Any, name: str, description: str = "") -> Any:
        widget.setObjectName(name)
        caption = QLabel(label)
        caption.setBuddy(widget)
        widget.setAccessibleName(label.replace("&", "").rstrip(":"))
        if description:
            widget.setAccessibleDescription(description)
        if isinstance(widget, QComboBox):
            widget.view().setAccessibleName(f"{widget.accessibleName()}: choices")
        form.addRow(caption, widget)
        return widget

    def _period_changed(self, *_args: object) -> None:
        between = self.period.currentData() == "between"
        for edit in (self.since, self.until):
            edit.setEnabled(between)

    # The filters as the server takes them ------------------------------------------------------------------
    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = dict(self.subject)
        if self.username.text().strip():
            params["username"] = self.username.text().strip()
        if self.action.currentData():
            params["action"] = self.action.currentData()
        if self.workstation.text().strip():
            params["workstation"] = self.workstation.text().strip()
        period = self.period.currentData()
        today = _day(QDate.currentDate())
        if period == "today":
            params["since"] = _day_start_utc(today).isoformat()
        elif period in ("7", "30"):
            params["since"] = _day_start_utc(today - timedelta(days=int(period) - 1)).isoformat()
        elif period == "between":
            params["since"] = _day_start_utc(_day(self.since.date())).isoformat()
            params["until"] = _day_start_utc(_day(self.until.date()) + timedelta(days=1)).isoformat()
        return params

    def headers(self) -> dict[str, str]:
        reason = self.reason.text().strip()
        # A header carries Latin-1 only: anything else is written as '?', never dropped silently.
        return {"X-Access-Reason": reason.encode("latin-1", "replace").decode("latin-1")} if reason else {}

    # Reading -----------------------------------------------------------------------------------------------
    def search(self) -> None:
        if self.period.currentData() == "between" and self.until.date() < self.since.date():
            self._say("The last day is before the first; change one of them.", assertive=True)
            self.until.setFocus()
            return
        self.model.set_rows([])
        self.next_before = None
        self._fetch(None)

    def load_more(self) -> None:
        if self.next_before is not None:
            self._fetch(self.next_before)

    def _fetch(self, before: int | None) -> None:
        if self.loading:
            return
        self.loading = True
        self.more_button.setEnabled(False)
        self._say("Searching the audit…")
        client, params, headers = self.client, {**self.params(), "limit": self.page_size}, self.headers()
        if before is not None:
            params["before"] = before

        def done(page: dict[str, Any]) -> None:
            self.loading = False
            entries = page.get("entries") or []
            self.next_before = page.get("next_before")
            if before is None:
                self.model.set_rows(entries)
            else:
                self.model.append_rows(entries)
            total = self.model.rowCount()
            more = " Older entries: Load older entries (Alt+O)." if self.next_before else ""
            self._say(f"{total} audit entries shown, newest first.{more}" if total else "No audit entries match.")
            self.more_button.setEnabled(self.next_before is not None)
            if before is None and total:
                self.table.selectRow(0)
            self.page_loaded.emit(len(entries))

        self.ops.run(lambda: client.request("GET", AUDIT_PATH, params=params, headers=headers),
                     on_done=done, on_error=self._failed, owner=self)

    def _failed(self, error: BaseException) -> None:
        self.loading = False
        message = f"The audit could not be read: {error}"
        self._say(message, assertive=True)
        self.more_button.setEnabled(self.next_before is not None)
        self.failed.emit(message)

    def _say(self, message: str, assertive: bool = False) -> None:
        if isValid(self):
            self.status.setText(message)
        announce(message, assertive=assertive)

    # Export --------------------------------------------------------------------------------------------------
    def choose_export(self) -> QFileDialog:
        dialog = QFileDialog(self, "Export the audit entries as CSV", str(Path.home() / "audit.csv"),
                             "CSV files (*.csv)")
        dialog.setObjectName("auditExportDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("csv")
        dialog.fileSelected.connect(self.export_to)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()
        return dialog

    def export_to(self, path: str) -> None:
        """Every entry matching the filters (not only the pages shown), fetched and written on a worker."""
        client, params, headers = self.client, {**self.params(), "limit": EXPORT_PAGE}, self.headers()
        target = Path(path)

        def work() -> tuple[str, int]:
            rows, before = 0, None
            partial = target.with_name(target.name + ".part")
            with partial.open("w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(CSV_HEADER)
                while rows < EXPORT_MAX:
                    page = client.request("GET", AUDIT_PATH, params={**params, **({"before": before} if before
                                                                                   else {})}, headers=headers)
                    for entry in page.get("entries") or []:
                        writer.writerow(csv_row(entry))
                        rows += 1
                    before = page.get("next_before")
                    if before is None:
                        break
            partial.replace(target)  # never half a file under the real name
            return str(target), rows

        def done(result: tuple[str, int]) -> None:
            saved, rows = result
            self._say(f"{rows} audit entries exported to {saved}.")
            self.exported.emit(saved)

        self._say("Exporting the audit entries…")
        self.ops.run(work, on_done=done, on_error=lambda exc: self._failed(OSError(f"export to {path} failed: {exc}")),
                     owner=self)

    def focus_filters(self) -> None:
        self.username.setFocus()
