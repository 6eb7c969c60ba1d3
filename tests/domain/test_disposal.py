from datetime import UTC, date, datetime, timedelta

import pytest

from domain.disposal import Outcome, disposal_errors

AT = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)
DAY = date(2026, 11, 21)


@pytest.mark.parametrize("outcome, extra, fields", [
    (Outcome.NO_FURTHER_ACTION, {}, []),
    (Outcome.RELEASED_UNDER_INVESTIGATION, {}, []),
    (Outcome.PRE_CHARGE_BAIL, {}, ["bail_return_date"]),
    (Outcome.PRE_CHARGE_BAIL, {"bail_return_date": DAY}, ["bail_return_date"]),
    (Outcome.PRE_CHARGE_BAIL, {"bail_return_date": DAY + timedelta(days=28)}, []),
    (Outcome.TRANSFERRED, {"transfer_to": "  "}, ["transfer_to"]),
    (Outcome.TRANSFERRED, {"transfer_to": "Eastmere custody suite"}, []),
    (Outcome.REMANDED_FOR_COURT, {}, ["court"]),
    (Outcome.REMANDED_FOR_COURT, {"court": "Portharrow Magistrates' Court"}, []),
    (Outcome.CHARGED, {}, ["summary"]),
    (Outcome.CHARGED, {"summary": "Theft from a shop."}, []),
    (Outcome.CHARGED, {"charged_at": AT - timedelta(hours=1)}, []),
    (Outcome.CHARGED, {"charged_at": AT + timedelta(hours=1)}, ["released_at"]),
])
def test_disposal_errors(outcome, extra, fields):
    errors = disposal_errors(outcome, released_at=AT, release_day=DAY, **extra)
    assert [e.field for e in errors] == fields
    assert all(e.message.endswith(".") for e in errors)
