"""DPA 2018 s.62 logging: who consulted or changed which personal data, and when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import cast

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Table, Text, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.auth.models import User
from server.db import Base, UTCDateTime, utcnow


class AuditAction(StrEnum):
    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    COMBINATION = "combination"
    ERASURE = "erasure"


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    justification: Mapped[str | None] = mapped_column(Text, nullable=True)


def record(session: Session, user: User | None, action: AuditAction | str, entity: str,
           entity_id: str | None, justification: str | None = None) -> AuditEntry:
    """Add an audit row in the caller's transaction (it is stored only if the change is)."""
    entry = AuditEntry(at=utcnow(), user_id=user.id if user else None, action=AuditAction(action).value,
                       entity=entity, entity_id=entity_id, justification=justification)
    session.add(entry)
    return entry


def record_many(session: Session, user: User | None, action: AuditAction | str, entity: str,
                entity_ids: Sequence[str], justification: str | None = None) -> None:
    """One row per subject of a list read, written in one bulk INSERT (not a write per row).

    A row per subject, not one row listing them, so "who consulted this person's record, and when" stays one
    indexed query on entity_id (DPA 2018 s.62). Nothing is written for an empty list."""
    if not entity_ids:
        return
    at, user_id, kind = utcnow(), user.id if user else None, AuditAction(action).value
    session.execute(insert(cast(Table, AuditEntry.__table__)), [
        {"at": at, "user_id": user_id, "action": kind, "entity": entity, "entity_id": entity_id,
         "justification": justification} for entity_id in dict.fromkeys(entity_ids)])
