"""Force configuration (administrators, issue 15): the settings in force (version, who changed them last, the
values that matter most in words) and the offence catalogue, each changed in its own dialog on the one write base
(config_dialogs.py). A window of its own, opened from Administration > Force configuration… (Ctrl+Alt+G).

Loading runs on a worker. The window follows the change feed: a change saved on any workstation
(admin.config.updated) reloads what it shows, so two administrators never work on a stale copy for long."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget
from shiboken6 import isValid

from desktop.announcer import announce
from desktop.models.admin.offences_model import OffencesModel, offence_row
from desktop.views.admin.config_dialogs import OFFENCES_PATH, SETTINGS_PATH, ConfigForms
from desktop.views.admin.admin_window import AdminWindow
from desktop.views.forms.tables import make_table

if TYPE_CHECKING:
    from desktop.operations import Operations
    from desktop.sync.client import ApiClient
    from desktop.views.forms.dialog import FormDialog


def settings_summary(settings: dict[str, Any]) -> str:
    """The settings in words: version, who changed them, and the values a custody officer feels most."""
    values = settings.get("values") or {}
    clock = values.get("clock") or {}
    intervals = (values.get("observation") or {}).get("interval_minutes") or {}
    languages = values.get("notice_of_rights_languages") or []
    who = (f"changed by {settings['updated_by']}" if settings.get("updated_by")
           else "as the configuration files set it")
    checks = ", ".join(f"level {k} every {v} minutes" for k, v in sorted(intervals.items()))
    return (f"Force configuration version {settings.get('version', 0)}, {who}. "
            f"Station: {values.get('station_name') or 'not named'}. "
            f"Detention limit {clock.get('basic_limit_hours')} hours; first review after "
            f"{clock.get('first_review_after_hours')} hours, then every {clock.get('review_interval_hours')} hours. "
            f"Checks: {checks}. Notices of rights in {len(languages)} languages.")


class ConfigWindow(AdminWindow):
    MIN_WIDTH, MIN_HEIGHT = 1000, 560

    def __init__(self, ops: Operations, client: ApiClient, forms: ConfigForms | None,
                 parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("forceConfigWindow")
        self.setWindowTitle("Force configuration")
        self.ops, self.client = ops, client
        self.forms = forms if forms is not None else ConfigForms(None)
        self.settings: dict[str, Any] | None = None
        self.catalogue_version = 0
        self.dialog: QDialog | None = None  # the dialog opened last (tests)

        self.summary = QLabel("Loading the force configuration…", wordWrap=True)
        self.summary.setObjectName("forceConfigSummary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                             | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.summary.setAccessibleName("Force configuration: settings")
        self.catalogue_status = QLabel("", wordWrap=True)
        self.catalogue_status.setObjectName("offenceCatalogueStatus")
        self.catalogue_status.setAccessibleName("Offence catalogue: status")
        self.model = OffencesModel(self)
        self.table = make_table("offenceCatalogueTable", "Offence catalogue", self.model, stretch=1)
        self.enter_opens(self.table, self.edit_offence)
        row = self.button_grid((
                ("settings", "Change &settings…", "changeSettingsButton", self.change_settings),
                ("new", "&New offence…", "newOffenceButton", self.new_offence),
                ("edit", "&Change offence…", "editOffenceButton", self.edit_offence),
                ("refresh", "Re&fresh", "refreshConfigButton", self.reload)), per_row=4, close_name="closeConfigButton")

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.catalogue_status)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()

    # Reading -----------------------------------------------------------------------------------------------
    def reload(self) -> None:
        client = self.client

        def read() -> tuple[Any, Any]:
            return client.request("GET", SETTINGS_PATH), client.request("GET", OFFENCES_PATH)

        self.ops.run(read, on_done=self._loaded, on_error=self._failed, owner=self)

    def _loaded(self, answers: tuple[dict[str, Any], dict[str, Any]]) -> None:
        settings, catalogue = answers
        self.settings = settings
        self.summary.setText(settings_summary(settings))
        selected = (self.selected() or {}).get("id")
        self.catalogue_version = int(catalogue.get("version") or 0)
        offences = [offence_row(e) for e in catalogue.get("offences") or []]
        self.model.set_rows(offences)
        by = f", changed by {catalogue['updated_by']}" if catalogue.get("updated_by") else ""
        self.catalogue_status.setText(f"Offence catalogue version {self.catalogue_version}{by}: "
                                      f"{len(offences)} offence versions.")
        at = self.model.row_of(selected) if selected else None
        self.table.selectRow(at if at is not None else 0)
        self._update_buttons()
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        message = f"Could not load the force configuration: {error}"
        self.summary.setText(message)
        announce(message, assertive=True)

    def config_changed(self, _event: object = None) -> None:
        """Someone (here or elsewhere) saved a change: show the version now in force."""
        if isValid(self) and self.isVisible():
            self.reload()

    def focus_table(self) -> None:
        self.table.setFocus()

    def selected(self) -> dict[str, Any] | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def select_offence(self, code: str) -> bool:
        for n, entry in enumerate(self.model.rows()):
            if entry.get("code") == code:
                self.table.selectRow(n)
                return True
        return False

    def _update_buttons(self) -> None:
        self.buttons["settings"].setEnabled(self.settings is not None)
        self.buttons["edit"].setEnabled(self.selected() is not None)

    # Changes -----------------------------------------------------------------------------------------------
    def _open(self, dialog: FormDialog) -> FormDialog:
        self.dialog = dialog
        dialog.saved_signal.connect(lambda _answer: self.reload() if isValid(self) else None)
        dialog.open()
        return dialog

    def change_settings(self) -> QDialog | None:
        if self.settings is None:
            return None
        return self._open(self.forms.settings(self, self.settings))

    def new_offence(self) -> QDialog:
        return self._open(self.forms.offence(self, self.catalogue_version))

    def edit_offence(self) -> QDialog | None:
        entry = self.selected()
        if entry is None:
            return None
        return self._open(self.forms.offence(self, self.catalogue_version, entry))
