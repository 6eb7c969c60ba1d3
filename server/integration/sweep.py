"""Facts of time: a cell check that has fallen due and not been done. No change makes it, so the active relay
sweeps for it and writes one `custody.check_overdue` per overdue check (the fact key is the record and the time
the check fell due: the next missed check is a new fact)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server import events
from server.custody.models import STATUS_RELEASED, CellCheck, CustodyRecord
from server.custody.service import next_check_due
from server.integration import outbox


def overdue_checks(session: Session, now: datetime) -> int:
    """Write a check_overdue message for each open record whose next check is past due (three queries)."""
    events.serialise_writers(session)  # bus messages are written in commit order, like emit()'s
    records = session.scalars(select(CustodyRecord).where(CustodyRecord.status != STATUS_RELEASED,
                                                          CustodyRecord.observation_level.is_not(None))).all()
    if not records:
        return 0
    last: dict[str, datetime] = {record_id: at for record_id, at in session.execute(
        select(CellCheck.record_id, func.max(CellCheck.observed_at))
        .where(CellCheck.record_id.in_([r.id for r in records])).group_by(CellCheck.record_id))}
    written = 0
    for record in records:
        due = next_check_due(record, last.get(record.id))
        if due is None or due > now:
            continue
        draft = outbox.Draft("custody.check_overdue", record.id, {
            "record_id": record.id, "custody_number": record.custody_number, "cell": record.cell,
            "observation_level": int(record.observation_level or 0), "due_at": due.isoformat(),
            "noticed_at": now.isoformat()}, fact_key=f"check_overdue:{record.id}:{due.isoformat()}")
        if outbox.write(session, draft, occurred_at=now) is not None:
            written += 1
    return written
