"""How a detainee leaves custody, and what each way out must record.

Source: /work/shared/domain.md (disposals: charge, pre-charge bail with a return date and conditions, released
under investigation, no further action, remand for court, transfer). Shared by the server (422 field errors)
and the client (messages beside the fields).
"""

from datetime import date, datetime
from enum import StrEnum

from domain.decision import FieldError


class Outcome(StrEnum):
    CHARGED = "charged"
    PRE_CHARGE_BAIL = "pre_charge_bail"
    RELEASED_UNDER_INVESTIGATION = "released_under_investigation"
    NO_FURTHER_ACTION = "no_further_action"
    REMANDED_FOR_COURT = "remanded_for_court"
    TRANSFERRED = "transferred"


OUTCOME_TITLES: dict[Outcome, str] = {
    Outcome.CHARGED: "Charged",
    Outcome.PRE_CHARGE_BAIL: "Released on pre-charge bail",
    Outcome.RELEASED_UNDER_INVESTIGATION: "Released under investigation",
    Outcome.NO_FURTHER_ACTION: "Released: no further action",
    Outcome.REMANDED_FOR_COURT: "Remanded in custody for court",
    Outcome.TRANSFERRED: "Transferred",
}


def disposal_errors(outcome: Outcome, *, released_at: datetime, release_day: date,
                    bail_return_date: date | None = None, transfer_to: str | None = None,
                    court: str | None = None, summary: str | None = None,
                    charged_at: datetime | None = None) -> list[FieldError]:
    """What is missing or inconsistent in a disposal. `release_day` is the local date of release (bail is
    answered on a later day)."""
    errors: list[FieldError] = []
    if outcome is Outcome.PRE_CHARGE_BAIL:
        if bail_return_date is None:
            errors.append(FieldError("bail_return_date", "Give the date the person must answer bail."))
        elif bail_return_date <= release_day:
            errors.append(FieldError("bail_return_date", "The bail return date must be after the day of release."))
    if outcome is Outcome.TRANSFERRED and not (transfer_to or "").strip():
        errors.append(FieldError("transfer_to", "Say where the detainee is transferred to."))
    if outcome is Outcome.REMANDED_FOR_COURT and not (court or "").strip():
        errors.append(FieldError("court", "Name the court the detainee is remanded to."))
    if outcome is Outcome.CHARGED and charged_at is None and not (summary or "").strip():
        errors.append(FieldError("summary", "Give the charge summary (the detainee has not been charged on "
                                            "this record)."))
    if charged_at is not None and released_at < charged_at:
        errors.append(FieldError("released_at", "Release cannot be before the charge."))
    return errors
