"""Versioned records, one way for every area: get-or-404, "already taken", If-Match and the conditional update.

Every editable record (custody record, person, investigation, action, intelligence report) has a `version`
column. A write *claims* the row before it changes anything:

    UPDATE <table> SET version = version + 1 WHERE id = :id AND version = :if_match

The statement takes the row lock (PostgreSQL) or the database write lock (SQLite), so of two writers that sent
the same version the second waits for the first to commit, then matches no row: exactly one wins and the other
gets 412 with the current copy. Nothing is read-then-bumped in Python, so no update is ever lost.

The If-Match rule: a change that overwrites what the client saw (a PATCH, a state transition, a re-grade) must
send If-Match (428 without it). Appending a fact to a record (a cell check, a log entry, a linked person) may
send it; without it the claim still locks and bumps the record, so appends are served in turn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Header
from sqlalchemy import CursorResult, bindparam, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.interfaces import ORMOption

from server.errors import ProblemError


class _Versioned(Protocol):
    id: Any
    version: Any


V = TypeVar("V", bound=_Versioned)
_PROBES: dict[type[Any], Any] = {}  # model -> its "is this id taken?" statement (ensure_new)
_CLAIMED = "records_claimed"  # session.info: the rows claimed in the session's current transaction
T = TypeVar("T")


def get_or_404(session: Session, model: type[T], row_id: str, what: str, options: Sequence[ORMOption] = ()) -> T:
    """The row (loaded with these loader options), or 404 naming what was looked for ("custody record", ...)."""
    row = session.get(model, row_id, options=options)
    if row is None:
        raise ProblemError(404, f"There is no {what} with id {row_id[:40]!r}.")
    return row


def already_taken(what: str, row_id: str, current: Any = None) -> ProblemError:
    """409 for a create whose client-made id is already in use (with the stored copy when there is one)."""
    body = _dump(current)
    extra = {"current": body} if body is not None else {}
    article = "An" if what[:1].lower() in "aeiou" else "A"
    return ProblemError(409, f"{article} {what} with id {row_id} already exists.", **extra)


def ensure_new(session: Session, model: type[Any], row_id: str, what: str,
               current: Callable[[Any], Any] | None = None) -> None:
    """409 (already taken) when a row with this client-made id exists; `current(row)` goes with the answer.

    Asked with a bare `SELECT id` (built once per model): the id is nearly always new, and loading nothing
    costs a fraction of what the ORM's get costs for a miss (POST /batch makes thousands of these)."""
    probe = _PROBES.get(model)
    if probe is None:
        probe = _PROBES[model] = select(model.id).where(model.id == bindparam("row_id"))
    if session.scalar(probe, {"row_id": row_id}) is not None:
        row = session.get(model, row_id)
        raise already_taken(what, row_id, current(row) if current is not None and row is not None else None)


MAX_VERSION = 2**31 - 1  # the version columns are 32-bit integers on PostgreSQL


def parse_if_match(value: str | None) -> int | None:
    """`3`, `"3"` and `W/"3"` all mean version 3; None when the header is absent; 422 for anything else."""
    if value is None or not value.strip():
        return None
    text = value.strip().removeprefix("W/").strip('"').strip()
    try:
        version: int | None = int(text)
    except ValueError:
        version = None
    # A number beyond the version columns' range matches no row, and the database driver refuses it (a 500,
    # found by the fuzzer): the same 422 as any other bad If-Match.
    if version is None or not 0 <= version <= MAX_VERSION:
        raise ProblemError.field("If-Match", "Send the record's version number, e.g. If-Match: 3.")
    return version


def _if_match_header(if_match: Annotated[str | None, Header()] = None) -> int | None:
    return parse_if_match(if_match)


IfMatch = Annotated[int | None, Depends(_if_match_header)]
"""Route parameter: the If-Match header parsed by the one rule above."""


def claim(session: Session, model: type[V], row_id: str, if_match: int | None, *, what: str,
          current: Callable[[V], Any], required: bool = True) -> V:
    """Lock the row and move it to its next version, if it is still at `if_match`; return it, freshly loaded.

    404 when there is no such row; 428 when `required` and If-Match is missing; 412 with `current(row)` when
    the row is at another version (also when a concurrent writer with the same version won). Call it before
    changing anything; the request's commit (or rollback) ends the claim."""
    if if_match is None and required:
        get_or_404(session, model, row_id, what)
        raise ProblemError(428, f"Send If-Match with the {what}'s version, so a change made meanwhile by someone "
                                "else is not overwritten.")
    claimed_here: dict[tuple[str, str], object] = session.info.setdefault(_CLAIMED, {})
    key, transaction = (model.__name__, row_id), session.get_transaction()
    if transaction is not None and claimed_here.get(key) is transaction:
        # Already claimed in this transaction (e.g. charging claims the custody record, then records the charge
        # through custody): the row is locked and at its next version; one committed change, one version.
        held = get_or_404(session, model, row_id, what)
        if if_match is not None and if_match != held.version - 1:
            raise ProblemError(412, f"This {what} has changed since you opened it; reload and try again.",
                               current=_dump(current(held)))
        return held
    id_col: InstrumentedAttribute[Any] = model.id
    version_col: InstrumentedAttribute[int] = model.version
    stmt = (update(model).where(id_col == row_id).values({version_col: version_col + 1})
            .execution_options(synchronize_session=False))
    if if_match is not None:
        stmt = stmt.where(version_col == if_match)
    result = session.execute(stmt)
    claimed = isinstance(result, CursorResult) and result.rowcount == 1
    row = session.get(model, row_id, populate_existing=True)
    if row is None:
        raise ProblemError(404, f"There is no {what} with id {row_id[:40]!r}.")
    if not claimed:
        raise ProblemError(412, f"This {what} has changed since you opened it (you edited version {if_match}, it "
                                f"is now version {row.version}). Reload, check, and make your change again.",
                           current=_dump(current(row)))
    claimed_here[key] = session.get_transaction()
    return row


def forget_claims(session: Session) -> None:
    """Let the next `claim` in this session claim again (move the row on again): POST /batch's direct path runs
    many requests in one session, each of which claims as it would alone."""
    session.info.pop(_CLAIMED, None)


def _dump(body: Any) -> Any:
    return body.model_dump(mode="json") if hasattr(body, "model_dump") else body
