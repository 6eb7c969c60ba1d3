"""Changing the force configuration (administrators, issue 15): the [U] settings of domain.md in one form, and one
version of an offence in the catalogue. Both go through the outbox with If-Match (the setting's version), like
every write; the server checks every value and each refusal comes back beside its field. Every workstation then
hears of the change on the change feed (admin.config.updated): nothing needs a restart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from desktop.announcer import announce
from desktop.views.forms.dialog import FormDialog
from desktop.views.forms.fields import nothing_chosen, parse_day, text_edit, value_of
from desktop.models.admin.offences_model import MODES

if TYPE_CHECKING:
    from desktop.writes import Writes

SETTINGS_PATH = "/admin/config/settings"
OFFENCES_PATH = "/admin/config/offences"

# (server key under values., label, description, kind): kind "hours"/"minutes"/"count" are numbers.
CLOCK_FIELDS = (
    ("clock.basic_limit_hours", "&Basic detention limit (hours):", "PACE s.41: 24 hours from the relevant time."),
    ("clock.superintendent_limit_hours", "Superintendent's e&xtension to (hours):", "PACE s.42: up to 36 hours."),
    ("clock.absolute_limit_hours", "Absolute &limit with warrants (hours):", "PACE s.44: 96 hours."),
    ("clock.first_review_after_hours", "&First review after (hours):", "PACE s.40: 6 hours after authorisation."),
    ("clock.review_interval_hours", "Review &interval (hours):", "PACE s.40: then every 9 hours."),
    ("clock.arrest_to_arrival_cap_hours", "Arrest to arrival cap (hours):", "s.41(2)(d)."),
    ("clock.second_area_cap_hours", "Second police area cap (hours):", "s.41(5)."),
    ("clock.superintendent_latest_hours", "Superintendent's decision by (hours):", "s.42(4)."),
    ("clock.reviews_before_extension", "Reviews before an extension:", "s.42(4)(b)."),
    ("clock.warrant_apply_by_hours", "Apply for a warrant by (hours):", "s.43(5)."),
    ("clock.court_not_sitting_grace_hours", "Court not sitting grace (hours):", "s.43(5)(b)(ii)."),
    ("clock.warrant_max_period_hours", "Warrant's longest period (hours):", "s.43(12)."),
    ("clock.bail_breach_extra_hours", "Bail breach extra time (hours):", "s.47(6)."),
)
OBSERVATION_FIELDS = tuple(
    (f"observation.interval_minutes.{level}", f"Level {level} checks every (minutes):" if level > 1
     else "Level &1 checks every (minutes):", "Code C Annex H and APP detention and custody.")
    for level in range(1, 5)) + (
    ("observation.warn_before_minutes", "&Warn before a check is due (minutes):", "The board's amber warning."),
)
RIGHTS_FIELDS = (
    ("rights.max_delay_hours", "Longest delay of rights (hours):", "PACE s.56/s.58: at most 36 hours."),
    ("rights.juvenile_age", "&Juvenile under (years):", "Code C 1.5: under 18."),
)
NUMBER_FIELDS = CLOCK_FIELDS + OBSERVATION_FIELDS + RIGHTS_FIELDS


def _get(values: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        values = values.get(part, {}) if isinstance(values, dict) else {}
    return values


def _put(values: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    for part in parts[:-1]:
        values = values.setdefault(part, {})
    values[parts[-1]] = value


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None or value == {} else str(value)


def _number(text: str) -> int | float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def languages_text(languages: list[dict[str, Any]]) -> str:
    return "\n".join(f"{e.get('code', '')} = {e.get('name', '')}" for e in languages)


def parse_languages(text: str) -> tuple[list[dict[str, str]], str | None]:
    """'pl = Polish' per line: the list, or a problem naming the line."""
    found: list[dict[str, str]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        code, sep, name = line.partition("=")
        if not sep or not code.strip() or not name.strip():
            return found, f"Line {n}: write each language as its code, '=' and its name, e.g. pl = Polish."
        found.append({"code": code.strip(), "name": name.strip()})
    return found, None


def line_edit(name: str, description: str, text: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setObjectName(name)
    edit.setAccessibleDescription(description)
    return edit


class SettingsDialog(FormDialog):
    """Every [U] value in one form, shown as the server holds them (version N); Save sends the whole set."""

    noun = "force configuration"

    def __init__(self, parent: QWidget | None, writes: Writes | None, current: dict[str, Any]) -> None:
        super().__init__(parent, writes, "Change force configuration", "forceSettingsDialog", scroll=True,
                         heading=f"Version {current.get('version', 0)}. Every workstation and server uses a saved "
                                 "change at once; give the reason for it.")
        self.version = int(current.get("version") or 0)
        values: dict[str, Any] = current.get("values") or {}
        self.station = self.add_row("Station (custody suite) na&me:", line_edit(
            "settingStation", "Printed on every document; leave empty if not named.",
            values.get("station_name") or ""), "values.station_name")
        self.numbers: dict[str, QLineEdit] = {}
        for key, label, description in NUMBER_FIELDS:
            name = "setting_" + key.replace(".", "_")
            edit = line_edit(name, description, _number_text(_get(values, key)))
            self.add_row(label, edit, f"values.{key}")
            self.numbers[key] = edit
        rousing = ", ".join(str(x) for x in _get(values, "observation.rousing_levels") or [])
        self.rousing = self.add_row("&Rousing at levels:", line_edit(
            "settingRousing", "Observation levels at which the detainee is roused, e.g. 2 (commas between).",
            rousing), "values.observation.rousing_levels")
        self.zone = self.add_row("Local time &zone:", line_edit(
            "settingZone", "For dates on documents, e.g. Europe/London.", _get(values, "clock.local_zone") or ""),
            "values.clock.local_zone")
        self.caution = text_edit("settingCaution", "The words of the caution given on charge (Code C 16.2).")
        self.add_row("Cau&tion on charge:", self.caution, "values.caution_on_charge")
        self.caution.setPlainText(values.get("caution_on_charge") or "")
        self.languages = text_edit("settingLanguages", "One a line: the language code, '=' and its name, e.g. "
                                   "pl = Polish.", lines=6)
        self.add_row("&Notice of rights languages:", self.languages, "values.notice_of_rights_languages")
        self.languages.setPlainText(languages_text(values.get("notice_of_rights_languages") or []))
        self.reason = self.add_row("Reason for the c&hange:", line_edit(
            "settingReason", "Why, e.g. the force policy that changed; kept with the version and audited."),
            "reason")
        self.main_field = "reason"
        self.dirty = False

    def problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for key, edit in self.numbers.items():
            if _number(value_of(edit)) is None:
                found.append((f"values.{key}", "Give a number."))
        if any(_number(part) is None for part in value_of(self.rousing).split(",") if part.strip()):
            found.append(("values.observation.rousing_levels", "List observation levels (1 to 4) with commas."))
        _languages, problem = parse_languages(self.languages.toPlainText())
        if problem:
            found.append(("values.notice_of_rights_languages", problem))
        if not value_of(self.reason):
            found.append(("reason", "Give the reason for the change."))
        return found

    def request(self) -> tuple[str, str, dict[str, Any]]:
        values: dict[str, Any] = {"station_name": value_of(self.station) or None,
                                  "caution_on_charge": value_of(self.caution)}
        for key, edit in self.numbers.items():
            _put(values, key, _number(value_of(edit)))
        _put(values, "observation.rousing_levels",
             [_number(p) for p in value_of(self.rousing).split(",") if p.strip()])
        _put(values, "clock.local_zone", value_of(self.zone))
        values["notice_of_rights_languages"] = parse_languages(self.languages.toPlainText())[0]
        return "PATCH", SETTINGS_PATH, {"values": values, "reason": value_of(self.reason)}

    def headers(self) -> dict[str, str] | None:
        return {"If-Match": str(self.version)}

    def conflict(self, current: dict[str, Any]) -> None:
        self.version = int(current.get("version") or self.version)  # the next Save is against their version

    def saved(self, response: Any) -> None:
        version = response.get("version") if isinstance(response, dict) else None
        announce(f"Force configuration saved as version {version}.")


class OffenceDialog(FormDialog):
    """A new offence (or a new version of one), or a change to the version shown (`entry`)."""

    noun = "offence catalogue"

    def __init__(self, parent: QWidget | None, writes: Writes | None, catalogue_version: int,
                 entry: dict[str, Any] | None = None) -> None:
        title = "New offence" if entry is None else f"Change offence {entry.get('code', '')}"
        super().__init__(parent, writes, title, "offenceDialog", scroll=True,
                         heading=f"Offence catalogue version {catalogue_version}. Charges keep the version they "
                                 "were made under.")
        self.version = catalogue_version
        self.entry = entry
        e = entry or {}
        if entry is None:
            self.code = self.add_row("Co&de:", line_edit("offenceCode", "The CJS offence code, e.g. TH68010."),
                                     "code")
        else:
            shown = QLabel(f"{e.get('code', '')} (from {e.get('effective_from') or 'no start date'})")
            shown.setObjectName("offenceCodeShown")
            self.form.addRow("Code:", shown)
        self.title_edit = self.add_row("&Title:", line_edit("offenceTitle", "e.g. Theft from a shop.",
                                                            e.get("title", "")), "title")
        self.statement = self.add_row("Stat&ement:", line_edit("offenceStatement", "Contrary to …",
                                                               e.get("statement", "")), "statement")
        self.mode = QComboBox()
        self.mode.setObjectName("offenceMode")
        for value, text in MODES.items():
            self.mode.addItem(text, value)
        nothing_chosen(self.mode, "Choose the mode of trial")
        if e.get("mode_of_trial") in MODES:
            self.mode.setCurrentIndex(list(MODES).index(e["mode_of_trial"]))
        self.add_row("&Mode of trial:", self.mode, "mode_of_trial")
        self.template = text_edit("offenceParticulars", "The wording of the charge, with {date} and each field in "
                                  "braces, e.g. {place}.")
        self.add_row("&Particulars:", self.template, "particulars_template")
        self.template.setPlainText(e.get("particulars_template", ""))
        self.fields = self.add_row("Particulars &fields:", line_edit(
            "offenceFields", "The names in braces the officer fills in, with commas, e.g. place, property.",
            ", ".join(e.get("particulars_fields") or [])), "particulars_fields")
        self.start = self.add_row("In force f&rom:", line_edit(
            "offenceFrom", "The first day in force (dd/mm/yyyy); empty if no start date is recorded.",
            _uk(e.get("effective_from"))), "effective_from")
        self.end = self.add_row("In force &until:", line_edit(
            "offenceTo", "The last day in force (dd/mm/yyyy); empty while still in force.",
            _uk(e.get("effective_to"))), "effective_to")
        self.source = self.add_row("S&ource:", line_edit("offenceSource", "Where the definition comes from.",
                                                         e.get("source", "")), "source")
        self.reason = self.add_row("Reason for the c&hange:", line_edit(
            "offenceReason", "Why, e.g. a new offence in force; kept with the version and audited."), "reason")
        self.main_field = "title"
        self.dirty = False

    def _code(self) -> str:
        return str(value_of(self.code)).upper() if self.entry is None else str(self.entry.get("code", ""))

    def problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if self.entry is None and not value_of(self.code):
            found.append(("code", "Give the CJS offence code, e.g. TH68010."))
        for field, edit, what in (("title", self.title_edit, "the offence's title"),
                                  ("statement", self.statement, "what it is contrary to"),
                                  ("particulars_template", self.template, "the particulars")):
            if not value_of(edit):
                found.append((field, f"Give {what}."))
        if self.mode.currentIndex() < 0:
            found.append(("mode_of_trial", "Choose the mode of trial."))
        for field, edit in (("effective_from", self.start), ("effective_to", self.end)):
            if value_of(edit) and parse_day(value_of(edit)) is None:
                found.append((field, "Give a date as dd/mm/yyyy, or leave it empty."))
        if not value_of(self.reason):
            found.append(("reason", "Give the reason for the change."))
        return found

    def request(self) -> tuple[str, str, dict[str, Any]]:
        start, end = parse_day(value_of(self.start)), parse_day(value_of(self.end))
        body = {"title": value_of(self.title_edit), "statement": value_of(self.statement),
                "mode_of_trial": self.mode.currentData(), "particulars_template": value_of(self.template),
                "particulars_fields": [f.strip() for f in value_of(self.fields).split(",") if f.strip()],
                "effective_from": start.isoformat() if start else None,
                "effective_to": end.isoformat() if end else None, "source": value_of(self.source),
                "reason": value_of(self.reason)}
        if self.entry is not None:
            body["offence_type"] = self.entry.get("offence_type") or ""
            body["statement_unverified"] = bool(self.entry.get("statement_unverified"))
        return "PUT", f"{OFFENCES_PATH}/{self._code()}", body

    def headers(self) -> dict[str, str] | None:
        return {"If-Match": str(self.version)}

    def conflict(self, current: dict[str, Any]) -> None:
        self.version = int(current.get("version") or self.version)

    def saved(self, response: Any) -> None:
        version = response.get("version") if isinstance(response, dict) else None
        announce(f"Offence {self._code()} saved; the catalogue is now version {version}.")


class ConfigForms:
    """The force configuration's write dialogs, made with the area's `writes` (the window itself saves nothing)."""

    def __init__(self, writes: Writes | None) -> None:
        self.writes = writes

    def settings(self, parent: QWidget | None, current: dict[str, Any]) -> SettingsDialog:
        return SettingsDialog(parent, self.writes, current)

    def offence(self, parent: QWidget | None, catalogue_version: int,
                entry: dict[str, Any] | None = None) -> OffenceDialog:
        return OffenceDialog(parent, self.writes, catalogue_version, entry)


def _uk(day: str | None) -> str:
    parsed = parse_day(day) if day else None
    return parsed.strftime("%d/%m/%Y") if parsed else ""
