"""Charges (issue 5): one charge case per custody record (the caution, reply, bail decision and first hearing)
holding numbered charges; and disclosures (each printed or exported copy of a record, DPA 2018 s.62)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import User
from server.db import Base, UTCDateTime


class ChargeCase(Base):
    __tablename__ = "charge_cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("custody_records.id"), unique=True)
    charged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    charged_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    caution_given: Mapped[bool] = mapped_column(Boolean)
    caution_wording: Mapped[str] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text)  # verbatim; "" = the defendant said nothing
    bail_decision: Mapped[str] = mapped_column(String(32))
    bail_conditions: Mapped[list[Any]] = mapped_column(JSON)
    bail_reasons: Mapped[str] = mapped_column(Text)
    court: Mapped[str] = mapped_column(String(200))
    court_code: Mapped[str] = mapped_column(String(16))
    hearing_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    charged_by: Mapped[User] = relationship(lazy="joined")
    charges: Mapped[list[Charge]] = relationship(order_by="Charge.number", lazy="selectin",
                                                 back_populates="case")


class Charge(Base):
    __tablename__ = "charges"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("charge_cases.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    offence_code: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    statement: Mapped[str] = mapped_column(Text)
    mode_of_trial: Mapped[str] = mapped_column(String(20))
    offence_date: Mapped[date] = mapped_column(Date)
    offence_date_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    particulars: Mapped[str] = mapped_column(Text)  # the template filled in
    particulars_values: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The offence catalogue's version the charge was made under (0: the configuration files'; issue 15).
    catalogue_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    case: Mapped[ChargeCase] = relationship(back_populates="charges")


class Disclosure(Base):
    __tablename__ = "disclosures"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("custody_records.id"), index=True)
    document: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(500))
    destination: Mapped[str] = mapped_column(String(300))  # printer name or file name
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))

    by: Mapped[User] = relationship(lazy="joined")
