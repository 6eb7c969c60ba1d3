"""Rights and entitlements at booking-in, delays of rights, juveniles and appropriate adults.

Sources: /work/shared/domain.md §1.6 (Code C 3.1 rights, 3.2 notice, s.56 and s.58 delays) and §1.9
(juvenile = under 18; juveniles and vulnerable people need an appropriate adult).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.decision import ALLOWED, Decision, refuse
from domain.roles import Role


class Right(StrEnum):
    LEGAL_ADVICE = "legal_advice"  # s.58
    SOMEONE_INFORMED = "someone_informed"  # s.56
    CONSULT_CODES = "consult_codes"
    INTERPRETER = "interpreter"
    CONSULAR_CONTACT = "consular_contact"
    TOLD_OFFENCE_AND_REASONS = "told_offence_and_reasons"


RIGHT_TITLES: dict[Right, str] = {
    Right.LEGAL_ADVICE: "To consult a solicitor privately; independent legal advice is free",
    Right.SOMEONE_INFORMED: "To have someone told of the arrest",
    Right.CONSULT_CODES: "To consult the PACE Codes of Practice",
    Right.INTERPRETER: "To interpretation and translation (free interpreter)",
    Right.CONSULAR_CONTACT: "To contact their High Commission, Embassy or Consulate",
    Right.TOLD_OFFENCE_AND_REASONS: "To be told the offence(s) and why they were arrested and are detained",
}

# The eleven points of the public Notice of Rights and Entitlements (§1.6), in the notice's order.
NOTICE_POINTS: tuple[str, ...] = (
    "Free legal advice from a solicitor",
    "Someone told that you are at the police station",
    "Look at the Codes of Practice",
    "Medical help",
    "The right to remain silent",
    "Told what offence you are suspected of and why you were arrested and are detained",
    "See the records about your arrest and detention",
    "A free interpreter",
    "Contact your embassy or consulate",
    "How long you can be held",
    "See the evidence against you if you are charged",
)


@dataclass(frozen=True)
class DelayRule:
    section: str
    min_role: Role
    authoriser_title: str


# Rank order of the roles that may authorise things on the custody record.
RANK = {Role.CUSTODY_SERGEANT: 1, Role.INSPECTOR: 2, Role.SUPERINTENDENT: 3}

DELAY_RULES: dict[Right, DelayRule] = {
    Right.SOMEONE_INFORMED: DelayRule("s.56", Role.INSPECTOR, "an inspector or above"),
    Right.LEGAL_ADVICE: DelayRule("s.58", Role.SUPERINTENDENT, "a superintendent or above"),
}

DELAY_GROUNDS: tuple[str, ...] = (
    "Interference with or harm to evidence connected with an indictable offence",
    "Interference with or physical harm to other people",
    "Alerting other people suspected of the offence who are not yet arrested",
    "Hindering the recovery of property obtained by the offence",
    "Hindering the recovery of the value of property constituting the benefit of criminal conduct",
)

MAX_DELAY = timedelta(hours=36)


def check_delay(
    right: Right,
    *,
    authoriser_role: Role,
    offence_indictable: bool,
    relevant_time: datetime,
    delay_until: datetime,
    grounds: str,
    max_delay: timedelta = MAX_DELAY,
) -> Decision:
    """May this right be delayed until `delay_until`? The detainee must also be told the reason (recorded)."""
    rule = DELAY_RULES.get(right)
    if rule is None:
        return refuse(f"The right '{RIGHT_TITLES[right]}' cannot be delayed.")
    if not offence_indictable:
        return refuse(f"A delay under {rule.section} is only possible when the person is detained for an "
                      "indictable offence.")
    if RANK.get(authoriser_role, 0) < RANK[rule.min_role]:
        return refuse(f"Only {rule.authoriser_title} may authorise a delay under {rule.section}.")
    if not grounds.strip():
        return refuse("Record the grounds for the delay; the detainee must be told them.")
    latest = relevant_time + max_delay
    if delay_until > latest:
        return refuse(f"The right must be allowed within {int(max_delay.total_seconds() // 3600)} hours of the "
                      "relevant time; the delay cannot run past that.")
    return ALLOWED


def age_on(date_of_birth: date, on: date) -> int:
    """Whole years; someone born on 29 February becomes a year older on 1 March in a common year."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


JUVENILE_AGE = 18


def is_juvenile(date_of_birth: date | None, relevant_time: datetime, *, appears_under_18: bool = False,
                local_zone: str = "Europe/London") -> bool:
    """Under 18 at the relevant time; without clear evidence of age, someone who appears under 18 is treated
    as a juvenile (§1.9). Birthdays are local dates, so age is taken on the local date of the relevant time."""
    if date_of_birth is None:
        return appears_under_18
    local_day = relevant_time.astimezone(ZoneInfo(local_zone)).date()
    return age_on(date_of_birth, local_day) < JUVENILE_AGE


def appropriate_adult_reason(*, date_of_birth: date | None, relevant_time: datetime, vulnerable: bool,
                             appears_under_18: bool = False) -> str | None:
    """Why an appropriate adult is required, or None."""
    if is_juvenile(date_of_birth, relevant_time, appears_under_18=appears_under_18):
        return "The detainee is a juvenile (under 18): an appropriate adult is required."
    if vulnerable:
        return "The detainee is vulnerable: an appropriate adult is required."
    return None
