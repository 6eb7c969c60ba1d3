"""The booking-in risk assessment: question areas as data, answers, a suggested minimum observation level,
and when the custody officer must re-assess.

Source: /work/shared/domain.md §2.1 (areas, continuous assessment, re-assessment at charge, refusal of bail,
release on bail, release or transfer; observation level based on a current assessment) and §2.2.

The exact APP question set was not retrieved [U], so the areas below are data a force can extend. §2.1 does
not define risk "levels"; the outcome is therefore expressed in the terms it does support: who is at risk
(the detainee, staff, other detainees, others), which areas raised concern, and a *suggested minimum*
observation level. The custody officer decides the level and records why.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.observation import ObservationLevel


class RiskTo(StrEnum):
    SELF = "self"
    STAFF = "staff"
    OTHER_DETAINEES = "other_detainees"
    OTHERS = "others"


class Source(StrEnum):
    """Answers, officer observations and marker checks are stored separately (§2.1)."""

    DETAINEE = "detainee"
    OFFICER = "officer_observation"
    ARRESTING_OFFICER = "arresting_officer"
    MARKERS = "warning_markers"  # PNC / PND / local systems
    PER = "person_escort_record"


@dataclass(frozen=True)
class RiskArea:
    key: str
    question: str
    risk_to: frozenset[RiskTo]
    # Minimum observation level suggested when the answer raises concern ([U] product defaults).
    suggests_level: ObservationLevel = ObservationLevel.GENERAL


_S, _ST, _OD, _O = RiskTo.SELF, RiskTo.STAFF, RiskTo.OTHER_DETAINEES, RiskTo.OTHERS
L1, L2, L3 = ObservationLevel.GENERAL, ObservationLevel.INTERMITTENT, ObservationLevel.CONSTANT

RISK_AREAS: tuple[RiskArea, ...] = (
    RiskArea("physical_health", "Do you have any illness or injury, including a head injury?", frozenset({_S}), L2),
    RiskArea("medication", "Are you taking any medication? What, and when did you last take it?", frozenset({_S})),
    RiskArea("health_services", "Are you in contact with medical, mental-health or support services?", frozenset({_S})),
    RiskArea("mental_health", "Do you have a mental health condition or learning disability?", frozenset({_S})),
    RiskArea("self_harm_history", "Have you ever tried to harm yourself or take your own life?", frozenset({_S}), L2),
    RiskArea("self_harm_current", "Are you thinking of harming yourself now?", frozenset({_S}), L3),
    RiskArea("alcohol_drugs", "Have you taken alcohol or drugs in the last 24 hours?", frozenset({_S}), L2),
    RiskArea("dependency", "Are you dependent on alcohol or drugs, or at risk of withdrawal?", frozenset({_S}), L2),
    RiskArea("pregnancy", "Are you, or could you be, pregnant?", frozenset({_S})),
    RiskArea("disability_communication", "Do you need help reading, understanding, hearing or speaking, "
             "or an interpreter?", frozenset({_S})),
    RiskArea("appropriate_adult", "Does the detainee need an appropriate adult?", frozenset({_S})),
    RiskArea("diet_religion", "Do you have dietary or religious needs?", frozenset({_S})),
    RiskArea("violence", "Is there a risk of violence to staff or others?", frozenset({_ST, _OD, _O})),
    RiskArea("warning_markers", "Are there warning markers on PNC, PND or local systems?", frozenset({_S, _ST, _OD})),
    RiskArea("arresting_officer_info", "Has the arresting officer or the Person Escort Record raised concerns?",
             frozenset({_S, _ST, _OD, _O})),
    RiskArea("demeanour", "Does the detainee's demeanour raise concern?", frozenset({_S, _ST})),
    RiskArea("first_time", "Is this your first time in police custody?", frozenset({_S})),
)
AREAS_BY_KEY: dict[str, RiskArea] = {a.key: a for a in RISK_AREAS}


class Answer(StrEnum):
    NO = "no"
    YES = "yes"  # raises concern
    NOT_KNOWN = "not_known"
    DECLINED = "declined"  # detainee would not answer


@dataclass(frozen=True)
class RiskResponse:
    area: str
    answer: Answer
    source: Source
    observed_at: datetime
    note: str = ""


@dataclass(frozen=True)
class RiskOutcome:
    concerns: tuple[str, ...]  # area keys answered YES
    unanswered: tuple[str, ...]  # areas with no response at all
    risk_to: frozenset[RiskTo]
    suggested_level: ObservationLevel
    reasons: tuple[str, ...]  # why the level is suggested, in plain English


def assess(responses: Iterable[RiskResponse], areas: Iterable[RiskArea] = RISK_AREAS) -> RiskOutcome:
    """Summarise responses. 'First time in custody' is a concern when answered YES (it is itself a risk
    factor), like every other area; 'declined' on self-harm is treated as concern because it cannot be
    ruled out."""
    area_list = list(areas)
    by_key: dict[str, list[RiskResponse]] = {}
    for r in responses:
        by_key.setdefault(r.area, []).append(r)
    concerns: list[str] = []
    risk_to: set[RiskTo] = set()
    level = ObservationLevel.GENERAL
    reasons: list[str] = []
    for area in area_list:
        answers = by_key.get(area.key, [])
        worrying = any(a.answer is Answer.YES for a in answers) or (
            area.key.startswith("self_harm") and any(a.answer is Answer.DECLINED for a in answers)
        )
        if worrying:
            concerns.append(area.key)
            risk_to |= area.risk_to
            if area.suggests_level > L1:
                reasons.append(f"{area.question} – concern raised: at least level {int(area.suggests_level)}")
            level = max(level, area.suggests_level)
    unanswered = tuple(a.key for a in area_list if a.key not in by_key)
    return RiskOutcome(tuple(concerns), unanswered, frozenset(risk_to), level, tuple(reasons))


class Trigger(StrEnum):
    """Points at which the custody officer must re-assess risk (§2.1)."""

    CHARGE = "charge"
    BAIL_REFUSED = "bail_refused"
    RELEASE_ON_BAIL = "release_on_bail"
    RELEASE = "release"
    TRANSFER = "transfer"


TRIGGER_TITLES: Mapping[Trigger, str] = {
    Trigger.CHARGE: "charged",
    Trigger.BAIL_REFUSED: "bail refused",
    Trigger.RELEASE_ON_BAIL: "released on bail",
    Trigger.RELEASE: "about to be released",
    Trigger.TRANSFER: "about to be transferred",
}


def reassessment_reason(last_assessed_at: datetime | None,
                        events: Iterable[tuple[Trigger, datetime]]) -> str | None:
    """Why a fresh risk assessment is required now, or None. `events` are triggers with their times."""
    if last_assessed_at is None:
        return "No risk assessment has been recorded for this detainee."
    pending = sorted((at, trig) for trig, at in events if at > last_assessed_at)
    if not pending:
        return None
    at, trig = pending[-1]
    return (f"Re-assess risk: the detainee was {TRIGGER_TITLES[trig]} after the last assessment; "
            "risk changes at that point (APP).")


# Which re-assessment each way out of custody needs (§2.1: "re-assess at charge, at refusal of bail, on release
# on bail, and before release or transfer"). Keyed by domain.disposal.Outcome's values.
DISPOSAL_TRIGGERS: Mapping[str, frozenset[Trigger]] = {
    "charged": frozenset({Trigger.RELEASE_ON_BAIL, Trigger.RELEASE}),
    "pre_charge_bail": frozenset({Trigger.RELEASE_ON_BAIL, Trigger.RELEASE}),
    "released_under_investigation": frozenset({Trigger.RELEASE, Trigger.RELEASE_ON_BAIL}),
    "no_further_action": frozenset({Trigger.RELEASE, Trigger.RELEASE_ON_BAIL}),
    "remanded_for_court": frozenset({Trigger.BAIL_REFUSED}),
    "transferred": frozenset({Trigger.TRANSFER}),
}


def reassessment_problem(wanted: frozenset[Trigger], assessments: Iterable[tuple[str, datetime]], *,
                         at: datetime | None, since: datetime | None, point: str) -> str | None:
    """Why a detainee may not pass this point yet (leave custody, be sent to another suite), or None.

    APP: risk changes at these points, so one of the record's assessments ((trigger, assessed_at) pairs) must
    have been made for it (its 'Why now' in `wanted`), not after the moment itself (`at`; None: it is now), and
    not before `since` (the charge, or the last move between suites: one made before those was for another
    point)."""
    for trigger, assessed_at in assessments:
        if trigger in wanted and (at is None or assessed_at <= at) and (since is None or assessed_at >= since):
            return None
    reasons = " or ".join(f"'{WHY_NOW[t]}'" for t in sorted(wanted))
    return (f"Re-assess risk {point} (APP: risk changes at that point): record a risk assessment "
            f"with 'Why now' {reasons} first (Re-assess risk…).")


def disposal_reassessment_problem(outcome: str, assessments: Iterable[tuple[str, datetime]], *,
                                  leaving_at: datetime, charged_at: datetime | None = None) -> str | None:
    """Why this way out of custody may not be recorded yet, or None: an assessment for this point, after the
    charge if there was one, and not after the person left."""
    wanted = DISPOSAL_TRIGGERS.get(outcome)
    if not wanted:
        return None
    what = {Trigger.BAIL_REFUSED: "bail is refused", Trigger.TRANSFER: "the detainee is transferred"}.get(
        min(wanted), "the detainee is released")
    point = ("after the charge " if charged_at is not None else "") + f"before {what}"
    return reassessment_problem(wanted, assessments, at=leaving_at, since=charged_at, point=point)


def transfer_reassessment_problem(assessments: Iterable[tuple[str, datetime]], *,
                                  charged_at: datetime | None, last_moved_at: datetime | None) -> str | None:
    """Why a detainee may not be sent to another suite yet, or None: an assessment for the transfer, made since
    the charge and since the last move (each move needs its own)."""
    since = max((t for t in (charged_at, last_moved_at) if t is not None), default=None)
    return reassessment_problem(frozenset({Trigger.TRANSFER}), assessments, at=None, since=since,
                                point="for the transfer before sending")


# The words the risk assessment form shows for each trigger ("Why now").
WHY_NOW: Mapping[Trigger, str] = {
    Trigger.CHARGE: "Charged",
    Trigger.BAIL_REFUSED: "Bail refused",
    Trigger.RELEASE_ON_BAIL: "Release on bail",
    Trigger.RELEASE: "Release",
    Trigger.TRANSFER: "Transfer",
}
