"""What is printed: plain frozen dataclasses, independent of the API and of Qt.

The client maps API JSON onto these (one field each, no computation beyond parsing times), and the
PDF builders and the plain-text outline read only these. Every datetime must be timezone-aware
(UTC from the API); printing converts to Europe/London and shows the zone. Empty strings and
``None`` mean "not recorded" and print as such, so a gap in the record stays visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.officers import names_rank

PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"


class DocumentError(ValueError):
    """The document cannot be printed as it stands. ``problems`` is [(field, message)], the field
    dotted like the API's problem+json (``charges.1.particulars``) so the UI can put each message
    beside its field."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__(" ".join(message for _, message in problems))


@dataclass(frozen=True)
class Officer:
    """Who did something. Code C 2.6A: an officer at risk may be shown by warrant/collar number and
    station only, so ``name`` may be empty."""

    name: str
    rank: str = ""
    collar_number: str = ""
    station: str = ""

    def detail(self) -> str:
        """Rank and collar number, the rank left out when the name already carries it ("Sgt Alys Penhallow")."""
        rank = "" if names_rank(self.name, self.rank) else self.rank
        return ", ".join(part for part in (rank, self.collar_number) if part)

    def label(self) -> str:
        if not self.name:
            ident = f"Warrant/collar {self.collar_number}" if self.collar_number else "Identity withheld"
            return f"{ident}{', ' + self.station if self.station else ''} (Code C 2.6A)"
        detail = self.detail()
        return f"{self.name} ({detail})" if detail else self.name

    def lines(self) -> list[str]:
        """The label for a narrow column: the name, then rank and number on their own line."""
        if not self.name or not self.detail():
            return [self.label()]
        return [self.name, self.detail()]


@dataclass(frozen=True)
class Person:
    """The detainee (custody record) or defendant (charge sheet)."""

    surname: str
    forenames: str
    date_of_birth: date | None = None
    address: str = ""  # "No fixed abode" is a value, not a blank
    pnc_id: str = ""
    cro_number: str = ""
    gender: str = ""
    aliases: tuple[str, ...] = ()

    def full_name(self) -> str:
        """SURNAME, Forenames — the police convention, so the surname is never in doubt."""
        return f"{self.surname.upper()}, {self.forenames}" if self.forenames else self.surname.upper()


# --- custody record -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrest:
    arrested_at: datetime | None = None
    place: str = ""
    officer: Officer | None = None
    offences: tuple[str, ...] = ()
    necessity: str = ""  # grounds the arrest was necessary (PACE s.24(5))


@dataclass(frozen=True)
class DetentionDecision:
    authorised: bool  # False: detention refused
    by: Officer
    at: datetime | None
    grounds: str


@dataclass(frozen=True)
class RightsRequest:
    """One right or entitlement: whether asked for, when, and any delay with its authority."""

    right: str  # e.g. "Free legal advice", "Someone informed of arrest", "Consult the Codes"
    requested: bool
    at: datetime | None = None
    detail: str = ""  # e.g. solicitor's firm, person to be told
    delay_authorised_by: Officer | None = None
    delay_reason: str = ""


@dataclass(frozen=True)
class Rights:
    given_at: datetime | None
    given_by: Officer | None
    notice_language: str = "English"
    notice_version: str = ""
    requests: tuple[RightsRequest, ...] = ()


@dataclass(frozen=True)
class RiskAnswer:
    """One question of the risk assessment as it was answered."""

    question: str
    answer: str  # "Yes", "No", "Not known", "Declined to answer"
    source: str = ""  # who gave it: the detainee, an officer's observation, warning markers...
    note: str = ""


@dataclass(frozen=True)
class RiskAssessment:
    """One version of the custody risk assessment (the first and every review)."""

    version: int
    at: datetime | None
    by: Officer
    result: str  # e.g. "Medium risk — level 2 observations"
    answers_summary: str = ""  # the areas of concern
    warning_markers: tuple[str, ...] = ()
    answers: tuple[RiskAnswer, ...] = ()


@dataclass(frozen=True)
class ObservationLevelSet:
    level: str  # e.g. "Level 2 — intermittent observation (every 30 minutes, roused)"
    by: Officer
    at: datetime
    reason: str


@dataclass(frozen=True)
class Check:
    """A cell visit or rousing check. ``observed_at`` is when it was done, ``recorded_at`` when it
    was keyed (IOPC learning: the two must both be kept)."""

    observed_at: datetime | None
    recorded_at: datetime | None
    by: Officer
    type: str  # e.g. "Visit", "Rousing", "CCTV"
    result: str


@dataclass(frozen=True)
class Postponement:
    at: datetime
    by: Officer
    reason: str


@dataclass(frozen=True)
class Review:
    """A review of detention (s.40) or an extension (s.42) or warrant of further detention (s.43)."""

    kind: str  # "Review" | "Extension" | "Warrant of further detention"
    due_at: datetime | None
    done_at: datetime | None = None
    by: Officer | None = None
    decision: str = ""
    grounds: str = ""
    postponements: tuple[Postponement, ...] = ()


@dataclass(frozen=True)
class LogEntry:
    """One detainee log entry, as the API's LogEntryOut. ``number`` is the entry's human number;
    when None it is the entry's position in recorded order (stable: a late-keyed entry never
    renumbers earlier ones)."""

    id: str
    kind: str  # a key of domain.custody_log.LOG_KINDS
    text: str
    observed_at: datetime | None
    recorded_at: datetime
    author: Officer
    corrects_id: str | None = None
    number: int | None = None


@dataclass(frozen=True)
class Disposal:
    outcome: str  # e.g. "Charged", "Released under investigation", "No further action"
    decided_at: datetime | None = None
    decided_by: Officer | None = None
    details: str = ""


@dataclass(frozen=True)
class Release:
    kind: str  # "Released" | "Transferred" | "To court"
    at: datetime
    by: Officer | None = None
    destination: str = ""
    reason: str = ""


@dataclass(frozen=True)
class InterviewRecord:
    """An interview (Code C 11, 12; Code E): when, where, who was present, breaks, warnings, recording, outcome."""

    started_at: datetime | None
    ended_at: datetime | None = None
    location: str = ""
    present: str = ""  # interviewing officers, solicitor, appropriate adult, interpreter, others
    breaks: str = ""
    special_warnings: str = ""
    recording_reference: str = ""
    outcome: str = ""
    urgent_authority: str = ""  # Code C 11.18: who authorised interviewing without the appropriate adult, why


@dataclass(frozen=True)
class PropertyRecord:
    """An item from a search (PACE s.54), what happened to it and its return."""

    description: str
    quantity: int = 1
    disposition: str = ""
    bag_seal: str = ""
    searched_at: datetime | None = None
    signature: str = ""
    returned: str = ""


@dataclass(frozen=True)
class CustodyRecordDoc:
    custody_number: str
    station: str
    detainee: Person
    arrived_at: datetime | None
    relevant_time: datetime | None = None
    relevant_time_basis: str = ""  # e.g. "Arrival at the first police station (s.41(2)(d))"
    arrest: Arrest | None = None
    detention: DetentionDecision | None = None
    juvenile: bool = False
    vulnerable: bool = False
    appropriate_adult: str = ""
    interpreter: str = ""
    rights: Rights | None = None
    risk_assessments: tuple[RiskAssessment, ...] = ()
    observation_levels: tuple[ObservationLevelSet, ...] = ()
    checks: tuple[Check, ...] = ()
    reviews: tuple[Review, ...] = ()
    log_entries: tuple[LogEntry, ...] = ()
    disposal: Disposal | None = None
    release: Release | None = None
    interviews: tuple[InterviewRecord, ...] = ()
    property_items: tuple[PropertyRecord, ...] = ()
    printed_at: datetime | None = None  # None: the moment of printing
    printed_by: Officer | None = None
    protective_marking: str = PROTECTIVE_MARKING


# --- charge sheet -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Charge:
    number: int  # sequential from 1
    cjs_code: str  # e.g. "TH68010"
    title: str  # e.g. "Theft from a shop"
    statement: str  # e.g. "Contrary to section 1(1) and 7 of the Theft Act 1968."
    particulars: str  # PNLD wording with the facts filled in

    def label(self) -> str:
        return f"Charge {self.number} ({self.cjs_code} {self.title})".replace("  ", " ")


@dataclass(frozen=True)
class CautionOnCharge:
    given: bool
    by: Officer | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class BailDecision:
    outcome: str  # "Unconditional bail" | "Conditional bail" | "Remanded in custody"
    decided_by: Officer
    decided_at: datetime | None
    conditions: tuple[str, ...] = ()
    reasons: str = ""  # reasons for conditions, or s.38 grounds for refusing bail


@dataclass(frozen=True)
class FirstHearing:
    court: str
    at: datetime | None
    court_code: str = ""


# Code C 16.2 caution on charge ("now" is the difference from the interview caution). The exact
# wording is unverified (domain.md §1.12 [U]), so it is a field the client can configure.
CHARGE_CAUTION = ("You do not have to say anything. But it may harm your defence if you do not mention now "
                  "something which you later rely on in court. Anything you do say may be given in evidence.")


@dataclass(frozen=True)
class ChargeSheetDoc:
    custody_number: str
    station: str
    defendant: Person
    charges: tuple[Charge, ...]
    charged_at: datetime | None
    charged_by: Officer
    custody_officer: Officer
    caution: CautionOnCharge
    reply_after_charge: str | None  # verbatim; "" means the defendant said nothing (printed "No reply")
    bail: BailDecision
    first_hearing: FirstHearing | None
    urn: str = ""
    asn: str = ""
    cps_authority: str = ""
    caution_wording: str = CHARGE_CAUTION
    printed_at: datetime | None = None
    printed_by: Officer | None = None
    protective_marking: str = PROTECTIVE_MARKING
