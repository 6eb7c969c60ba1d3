"""Property under PACE s.54: what a search found, what happened to each item (kept by the detainee, retained,
seized as evidence) with bag and seal numbers, the detainee's signature or refusal, and the return at release.

Each item is its own versioned row; a return writes to the row through server.records.claim (a conditional
UPDATE), so two officers returning the same item cannot both succeed. Every change is also a log entry.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.events import EventType
from server import audit, records
from server.auth.models import User
from server.custody.models import PropertyItem
from server.custody.schemas import PropertyIn, PropertyItemOut, PropertyReturnIn
from server.custody.service import (changed, emit, event_time, field_errors, get_record, officer, writable,
                                    write_log)
from server.db import utcnow
from server.errors import ProblemError

ENTITY = "custody_property"
DISPOSITION_TEXT = {"kept": "kept by the detainee", "retained": "retained", "evidence": "seized as evidence"}


def item_out(row: PropertyItem) -> PropertyItemOut:
    return PropertyItemOut(id=row.id, record_id=row.record_id, description=row.description, quantity=row.quantity,
                           disposition=row.disposition, bag_number=row.bag_number, seal_number=row.seal_number,
                           searched_at=row.searched_at, signature=row.signature, signature_note=row.signature_note,
                           recorded_by=officer(row.recorded_by), recorded_at=row.recorded_at,
                           returned_at=row.returned_at, return_signature=row.return_signature,
                           return_note=row.return_note,
                           returned_by=officer(row.returned_by) if row.returned_by is not None else None,
                           version=row.version)


def _line(row: PropertyItem) -> str:
    bag = "".join(f" {what} {value}" for what, value in (("bag", row.bag_number), ("seal", row.seal_number)) if value)
    return f"{row.quantity} × {row.description} – {DISPOSITION_TEXT[row.disposition]}{(',' + bag) if bag else ''}"


def add_property(session: Session, user: User, record_id: str, body: PropertyIn, if_match: int | None,
                 now: datetime | None = None) -> list[PropertyItemOut]:
    now = now or utcnow()
    record = writable(session, record_id, if_match)
    event_time("searched_at", body.searched_at, record, now)
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(body.items):
        if item.id in seen or session.get(PropertyItem, item.id) is not None:
            errors.append((f"items.{i}.id", "This item id is already used."))
        seen.add(item.id)
        if item.disposition in ("retained", "evidence") and not item.bag_number:
            errors.append((f"items.{i}.bag_number", "Give the bag number of a retained or seized item."))
        if item.disposition == "evidence" and not item.seal_number:
            errors.append((f"items.{i}.seal_number", "Give the seal number of an item seized as evidence."))
    if body.signature == "refused" and not body.signature_note:
        errors.append(("signature_note", "Record what the detainee said or did when refusing to sign."))
    field_errors(errors)
    rows = [PropertyItem(id=item.id, record_id=record.id, description=item.description, quantity=item.quantity,
                         disposition=item.disposition, bag_number=item.bag_number, seal_number=item.seal_number,
                         searched_at=body.searched_at, signature=body.signature, signature_note=body.signature_note,
                         recorded_by=user, recorded_at=now, version=1) for item in body.items]
    session.add_all(rows)
    session.flush()
    signed = ("Detainee signed the property record." if body.signature == "signed"
              else f"Detainee REFUSED to sign the property record: {body.signature_note}")
    write_log(session, user, record, "property",
              "Property recorded (s.54 search): " + "; ".join(_line(r) for r in rows) + ". " + signed,
              body.searched_at, now)
    out = [item_out(r) for r in rows]
    for made in out:
        emit(session, EventType.CUSTODY_PROPERTY_CREATED, ENTITY, made.id, made, record_id=record.id)
    audit.record_many(session, user, audit.AuditAction.COLLECTION, ENTITY, [r.id for r in rows], "property recorded")
    changed(session, user, record, now)
    return out


def return_property(session: Session, user: User, record_id: str, body: PropertyReturnIn, if_match: int | None,
                    now: datetime | None = None) -> list[PropertyItemOut]:
    now = now or utcnow()
    record = writable(session, record_id, if_match)
    event_time("returned_at", body.returned_at, record, now)
    if body.signature == "refused" and not body.note:
        field_errors([("note", "Record what the detainee said or did when refusing to sign for their property.")])
    rows: list[PropertyItem] = []
    for i, item_id in enumerate(dict.fromkeys(body.item_ids)):
        # The conditional UPDATE: of two officers returning one item, the second waits, then sees it returned.
        row = records.claim(session, PropertyItem, item_id, None, what="property item", current=item_out,
                            required=False)
        if row.record_id != record.id:
            raise ProblemError(404, "There is no such property item on this custody record.")
        if row.returned_at is not None:
            raise ProblemError(409, f"{row.description} was already returned.", current=item_out(row).model_dump(
                mode="json"))
        if row.disposition != "retained":
            field_errors([(f"item_ids.{i}", f"{row.description} was {DISPOSITION_TEXT[row.disposition]}; only "
                                            "retained property is returned.")])
        if body.returned_at < row.searched_at:
            field_errors([("returned_at", "Property cannot be returned before it was recorded.")])
        row.returned_at, row.return_signature, row.return_note = body.returned_at, body.signature, body.note
        row.returned_by = user
        rows.append(row)
    session.flush()
    signed = ("Detainee signed for its return." if body.signature == "signed"
              else f"Detainee REFUSED to sign for its return: {body.note}")
    write_log(session, user, record, "property",
              "Property returned: " + "; ".join(f"{r.quantity} × {r.description}" for r in rows) + ". " + signed,
              body.returned_at, now)
    out = [item_out(r) for r in rows]
    for made in out:
        emit(session, EventType.CUSTODY_PROPERTY_UPDATED, ENTITY, made.id, made, record_id=record.id)
    audit.record_many(session, user, audit.AuditAction.ALTERATION, ENTITY, [r.id for r in rows], "property returned")
    changed(session, user, record, now)
    return out


def list_property(session: Session, user: User, record_id: str) -> list[PropertyItemOut]:
    record = get_record(session, record_id)
    rows = session.scalars(select(PropertyItem).where(PropertyItem.record_id == record.id)
                           .order_by(PropertyItem.searched_at, PropertyItem.recorded_at, PropertyItem.id)).all()
    audit.record(session, user, audit.AuditAction.CONSULTATION, ENTITY, record.id)
    return [item_out(r) for r in rows]
