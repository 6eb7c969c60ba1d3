"""Changing the force configuration (issue 15): the [U] settings and the offence catalogue, by administrators.

Every change claims the setting's version (If-Match, 412 with the current copy), keeps the new version in
force_setting_versions with the reason, is audited, and emits admin.config.updated, so every workstation hears
of it through the change feed and every server process reads the new version at its next request
(server/config_store.py). Nothing here is personal data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.config import editable, validate_values
from domain.events import EventType
from domain.offences import Catalogue, CatalogueError, catalogue_from_entries, code_problem, offence_entry
from server import audit, events, records
from server.admin.config_schemas import (CatalogueOut, ConfigVersionOut, OffenceEntryIn, OffenceSavedOut,
                                         SettingsIn, SettingsOut)
from server.auth.models import User
from server.config_store import (CONFIG_NOTICE, OFFENCES, SETTINGS, ForceSetting, ForceSettingVersion,
                                 mark_changed)
from server import force
from server.db import utcnow
from server.errors import ProblemError

ENTITY = "force_config"
WHAT = {SETTINGS: "force configuration", OFFENCES: "offence catalogue"}


def _seed(kind: str) -> Any:
    """Version 0: what the files say."""
    if kind == SETTINGS:
        return editable(force.file_config())
    return _entries(force.file_catalogue())


def _entries(catalogue: Catalogue) -> list[dict[str, Any]]:
    rows = [offence_entry(o) for o in catalogue.all()]
    for row in rows:
        row.pop("mode_of_trial_title", None)  # derived, not stored
    return sorted(rows, key=lambda e: (e["code"], e["effective_from"] or ""))


def _row(session: Session, kind: str) -> ForceSetting | None:
    return session.get(ForceSetting, kind, populate_existing=True)


def _by(session: Session, user_id: str | None) -> str | None:
    user = session.get(User, user_id) if user_id else None
    return user.display_name if user is not None else None


def settings_out(session: Session, row: ForceSetting | None) -> SettingsOut:
    if row is None:
        return SettingsOut(version=0, values=_seed(SETTINGS), updated_at=None, updated_by=None)
    return SettingsOut(version=row.version, values=row.data, updated_at=row.updated_at,
                       updated_by=_by(session, row.updated_by_id))


def catalogue_out(session: Session, row: ForceSetting | None) -> CatalogueOut:
    if row is None:
        return CatalogueOut(version=0, offences=_seed(OFFENCES), updated_at=None, updated_by=None)
    return CatalogueOut(version=row.version, offences=row.data, updated_at=row.updated_at,
                        updated_by=_by(session, row.updated_by_id))


def read_settings(session: Session) -> SettingsOut:
    return settings_out(session, _row(session, SETTINGS))


def read_catalogue(session: Session) -> CatalogueOut:
    return catalogue_out(session, _row(session, OFFENCES))


def history(session: Session, kind: str) -> list[ConfigVersionOut]:
    rows = session.execute(
        select(ForceSettingVersion, User.display_name).outerjoin(User, User.id == ForceSettingVersion.changed_by_id)
        .where(ForceSettingVersion.setting_id == kind).order_by(ForceSettingVersion.version.desc())).all()
    return [ConfigVersionOut(version=v.version, changed_at=v.changed_at, changed_by=name, reason=v.reason)
            for v, name in rows]


def _current(session: Session, kind: str) -> Any:
    row = _row(session, kind)
    return settings_out(session, row) if kind == SETTINGS else catalogue_out(session, row)


def _claim(session: Session, admin: User, kind: str, if_match: int | None) -> tuple[ForceSetting, Any]:
    """The setting at its next version (a new row for the first change, If-Match 0), and its data before."""
    what = WHAT[kind]
    if if_match is None:
        raise ProblemError(428, f"Send If-Match with the {what}'s version, so a change made meanwhile by someone "
                                "else is not overwritten.")
    row = _row(session, kind)
    if row is not None:
        row = records.claim(session, ForceSetting, kind, if_match, what=what,
                            current=lambda r: _current(session, kind))
        return row, row.data
    if if_match != 0:
        raise ProblemError(412, f"The {what} is at version 0 (as the files set it), not {if_match}. Reload, "
                                "check, and make your change again.", current=_dump(_current(session, kind)))
    seed, now = _seed(kind), utcnow()
    row = ForceSetting(id=kind, version=1, data=seed, updated_at=now, updated_by_id=admin.id)
    session.add(row)
    session.add(ForceSettingVersion(setting_id=kind, version=0, data=seed, changed_at=now, changed_by_id=None,
                                    reason="as the configuration files set it"))
    try:
        session.flush()
    except IntegrityError:
        # Another administrator's first change committed meanwhile: theirs stands, this one is stale. (No
        # savepoint: this request fails either way, and SQLite's driver would commit a savepoint's release.)
        session.rollback()
        raise ProblemError(412, f"The {what} has changed since you opened it. Reload, check, and make your change "
                                "again.", current=_dump(_current(session, kind))) from None
    return row, seed


def _dump(body: Any) -> Any:
    return body.model_dump(mode="json") if hasattr(body, "model_dump") else body


def _store(session: Session, admin: User, row: ForceSetting, data: Any, reason: str, said: str) -> None:
    row.data = data
    row.updated_at = utcnow()
    row.updated_by_id = admin.id
    session.add(ForceSettingVersion(setting_id=row.id, version=row.version, data=data, changed_at=row.updated_at,
                                    changed_by_id=admin.id, reason=reason))
    session.flush()
    audit.record(session, admin, audit.AuditAction.ALTERATION, ENTITY, row.id,
                 f"{WHAT[row.id]} version {row.version}: {said}; reason: {reason}"[:2000])
    events.emit(session, EventType.ADMIN_CONFIG_UPDATED, ENTITY, row.id,
                {"id": row.id, "version": row.version, "updated_at": row.updated_at,
                 "updated_by": admin.display_name})
    if session.get_bind().dialect.name == "postgresql":
        # Every other server process reads the new version (server/config_store.py); delivered on commit.
        session.execute(text("SELECT pg_notify(:channel, :payload)"),
                        {"channel": events.CHANNEL, "payload": CONFIG_NOTICE})
    mark_changed(session)


def _changes(before: dict[str, Any], after: dict[str, Any], where: str = "") -> list[str]:
    out: list[str] = []
    for key in sorted(set(before) | set(after)):
        path = f"{where}.{key}" if where else key
        a, b = before.get(key), after.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _changes(a, b, path)
        elif a != b:
            out.append(path if isinstance(b, list) else f"{path} {a!r} -> {b!r}")
    return out


def change_settings(session: Session, admin: User, body: SettingsIn, if_match: int | None) -> SettingsOut:
    row, before = _claim(session, admin, SETTINGS, if_match)
    base = {**force.file_config(), **before}
    merged, problems = validate_values(body.values, base)
    if merged is None:
        raise ProblemError(422, "Some settings are not right: " + "; ".join(m for _k, m in problems[:5]),
                           errors=[{"field": f"values.{k}" if k else "values", "message": m} for k, m in problems])
    after = editable(merged)
    said = _changes(before, after)
    _store(session, admin, row, after, body.reason, ", ".join(said) or "saved unchanged")
    return settings_out(session, row)


def _entry(code: str, body: OffenceEntryIn) -> dict[str, Any]:
    return {"code": code, "title": body.title, "statement": body.statement,
            "statement_unverified": body.statement_unverified, "mode_of_trial": body.mode_of_trial.value,
            "offence_type": body.offence_type, "particulars_template": body.particulars_template,
            "particulars_fields": list(body.particulars_fields),
            "effective_from": body.effective_from.isoformat() if body.effective_from else None,
            "effective_to": body.effective_to.isoformat() if body.effective_to else None, "source": body.source}


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    lo = max(date.fromisoformat(a["effective_from"]) if a["effective_from"] else date.min,
             date.fromisoformat(b["effective_from"]) if b["effective_from"] else date.min)
    hi = min(date.fromisoformat(a["effective_to"]) if a["effective_to"] else date.max,
             date.fromisoformat(b["effective_to"]) if b["effective_to"] else date.max)
    return lo <= hi


def save_offence(session: Session, admin: User, code: str, body: OffenceEntryIn,
                 if_match: int | None) -> OffenceSavedOut:
    """Add a version of an offence, or replace the version of `code` that starts on the same day."""
    code = code.strip().upper()
    if problem := code_problem(code):
        raise ProblemError.field("code", problem)
    if body.effective_from and body.effective_to and body.effective_to < body.effective_from:
        raise ProblemError.field("effective_to", "The last day in force cannot be before the first.")
    missing = [f for f in body.particulars_fields if "{" + f + "}" not in body.particulars_template]
    if missing:
        raise ProblemError.field("particulars_fields", "Every field must appear in the particulars as {name}; "
                                                       f"not found: {', '.join(missing)}.")
    row, before = _claim(session, admin, OFFENCES, if_match)
    entry = _entry(code, body)
    kept = [e for e in before if not (e["code"] == code and e["effective_from"] == entry["effective_from"])]
    replaced = len(kept) < len(before)
    for other in kept:
        if other["code"] == code and _overlaps(other, entry):
            raise ProblemError.field("effective_from", f"{code} already has a version in force from "
                                     f"{other['effective_from'] or 'the start'} to {other['effective_to'] or 'now'}; "
                                     "end that one first, or choose dates that do not overlap.")
    entries = sorted([*kept, entry], key=lambda e: (e["code"], e["effective_from"] or ""))
    try:
        catalogue_from_entries([entry], "offence")
    except CatalogueError as exc:
        raise ProblemError.field("title", str(exc)) from None
    _store(session, admin, row, entries, body.reason,
           f"{code} from {entry['effective_from'] or 'the start'} {'changed' if replaced else 'added'}")
    return OffenceSavedOut(version=row.version, offence=entry)
