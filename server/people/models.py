"""People (POLE): the person record with indexed search keys, aliases, addresses, warning markers, merges."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from server.auth.models import User
from server.db import Base, UTCDateTime, utcnow
from server.people.keys import refresh_alias_keys, refresh_person_keys


class Person(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    surname: Mapped[str] = mapped_column(String(100), index=True)
    forenames: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date, nullable=True)
    gender: Mapped[str | None] = mapped_column(String(20), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Issue 4 (POLE) additions; all nullable or defaulted so custody booking-in can create a bare person.
    self_defined_ethnicity: Mapped[str | None] = mapped_column(String(2), nullable=True)
    officer_defined_ethnicity: Mapped[str | None] = mapped_column(String(2), nullable=True)
    pnc_id: Mapped[str | None] = mapped_column(String(13), nullable=True, index=True)
    cro_number: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    merged_into: Mapped[str | None] = mapped_column(ForeignKey("people.id"), nullable=True, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=utcnow,
                                                        onupdate=utcnow)
    # Search keys (domain.names), kept in step by server.people.keys so retrieval is an indexed query.
    surname_key: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    surname_sx: Mapped[str | None] = mapped_column(String(4), nullable=True)
    forename_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    forename_sx: Mapped[str | None] = mapped_column(String(4), nullable=True)
    dob_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dob_month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dob_day: Mapped[int | None] = mapped_column(Integer, nullable=True)

    aliases: Mapped[list[PersonAlias]] = relationship(back_populates="person", order_by="PersonAlias.surname",
                                                      cascade="all, delete-orphan")
    addresses: Mapped[list[PersonAddress]] = relationship(order_by="PersonAddress.line1",
                                                          cascade="all, delete-orphan")
    warning_markers: Mapped[list[WarningMarker]] = relationship(order_by="WarningMarker.set_at",
                                                                cascade="all, delete-orphan")

    __table_args__ = (
        Index("ix_people_surname_sx_forename_sx", "surname_sx", "forename_sx"),
        Index("ix_people_dob_parts", "dob_year", "dob_month", "dob_day"),
    )


class PersonAlias(Base):
    __tablename__ = "person_aliases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    surname: Mapped[str] = mapped_column(String(100))
    forenames: Mapped[str] = mapped_column(String(200), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date, nullable=True)
    surname_key: Mapped[str] = mapped_column(String(100), index=True)
    surname_sx: Mapped[str] = mapped_column(String(4), index=True)
    forename_key: Mapped[str] = mapped_column(String(100), default="")
    forename_sx: Mapped[str] = mapped_column(String(4), default="")
    # Set when a merge added this alias (the merged record's own name), so undoing the merge removes it.
    added_by_merge_id: Mapped[str | None] = mapped_column(String(36), nullable=True)

    person: Mapped[Person] = relationship(back_populates="aliases")


class PersonAddress(Base):
    __tablename__ = "person_addresses"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="home")
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str] = mapped_column(String(200), default="")
    town: Mapped[str] = mapped_column(String(100), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="", index=True)
    from_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    to_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class WarningMarker(Base):
    __tablename__ = "person_warning_markers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    details: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    removed_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    removal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    set_by: Mapped[User] = relationship(foreign_keys=[set_by_id], lazy="joined")
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id], lazy="joined")


class PersonMerge(Base):
    """A merge of `merged_id` into `survivor_id`; the moved links are rows of PersonMergeLink."""

    __tablename__ = "person_merges"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    survivor_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    merged_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    merged_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    undone_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    undo_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Identifiers the survivor lacked and took from the merged record (given back on undo).
    copied_pnc_id: Mapped[str | None] = mapped_column(String(13), nullable=True)
    copied_cro_number: Mapped[str | None] = mapped_column(String(12), nullable=True)

    merged_by: Mapped[User] = relationship(foreign_keys=[merged_by_id], lazy="joined")
    undone_by: Mapped[User | None] = relationship(foreign_keys=[undone_by_id], lazy="joined")
    links: Mapped[list[PersonMergeLink]] = relationship(order_by="PersonMergeLink.id",
                                                        cascade="all, delete-orphan")


class PersonMergeLink(Base):
    """One row of another table whose person column a merge re-pointed (so undo restores exactly)."""

    __tablename__ = "person_merge_links"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    merge_id: Mapped[str] = mapped_column(ForeignKey("person_merges.id"), index=True)
    table_name: Mapped[str] = mapped_column(String(64))
    column_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(200))


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _person_keys(_mapper: Mapper[Person], _connection: Connection, target: Person) -> None:
    # Whoever creates or edits a person (custody booking-in too), the search keys follow the name and DOB.
    refresh_person_keys(target)


@event.listens_for(PersonAlias, "before_insert")
@event.listens_for(PersonAlias, "before_update")
def _alias_keys(_mapper: Mapper[PersonAlias], _connection: Connection, target: PersonAlias) -> None:
    refresh_alias_keys(target)
