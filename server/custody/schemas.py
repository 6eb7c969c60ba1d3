"""Request and response shapes of the custody API (docs/api-custody.md)."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.custody_log import LOG_KINDS, text_problem
from domain.observation import CheckResult, CheckType
from domain.pace_clock import ArrivalRoute
from domain.rights import Right
from domain.risk import AREAS_BY_KEY, Answer, Source
from server.people.schemas import PersonIn
from server.wire import CleanStr, ClientId, Count, DateIn, Flag, UTCIn, UTCOut

Text2000 = Field(min_length=1, max_length=2000)



def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("Fill this in: it cannot be blank.")
    return value


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Created(_Body):
    id: ClientId


# ---------------------------------------------------------------------------------------------- outputs


class PersonBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    surname: str
    forenames: str
    date_of_birth: date | None


class OfficerOut(BaseModel):
    id: str
    name: str
    rank: str


class OffenceOut(BaseModel):
    code: str
    title: str
    indictable: bool


class DetentionDecisionOut(BaseModel):
    decision: str
    grounds: str
    decided_at: UTCOut
    by: OfficerOut


class RightsNoticeOut(BaseModel):
    language: str
    given_at: UTCOut


class DelayOut(BaseModel):
    until: UTCOut
    grounds: str


class RightOut(BaseModel):
    id: str
    record_id: str
    right: str
    requested: bool
    at: UTCOut
    note: str | None
    delay: DelayOut | None
    recorded_by: OfficerOut
    recorded_at: UTCOut


class ReviewOut(BaseModel):
    id: str
    record_id: str
    number: int
    kind: str
    at: UTCOut
    due_at: UTCOut
    late: bool
    outcome: str | None
    grounds: str
    representations: str | None
    charged: bool
    reviewer: OfficerOut
    recorded_at: UTCOut


class AuthorityOut(BaseModel):
    id: str
    record_id: str
    kind: str
    granted_at: UTCOut
    expires_at: UTCOut
    grounds: str | None
    court: str | None
    reference: str | None
    authorised_by: OfficerOut
    recorded_at: UTCOut


class DisposalOut(BaseModel):
    outcome: str
    released_at: UTCOut
    summary: str | None = None
    bail_return_date: date | None = None
    bail_conditions: str | None = None
    transfer_to: str | None = None
    court: str | None = None
    decided_by: OfficerOut


class TransferBrief(BaseModel):
    """A transfer to another suite sent and not yet accepted (issue 15)."""
    id: str
    to_suite_id: str
    to_suite_name: str
    sent_at: UTCOut


class CustodyRecordOut(BaseModel):
    id: str
    custody_number: str
    person: PersonBrief
    name: str
    cell: str | None
    suite_id: str | None = None  # issue 15: the suite the detainee is in (null: booked before suites existed)
    suite_code: str | None = None
    suite_name: str | None = None
    cell_id: str | None = None
    transfer: TransferBrief | None = None  # sent to another suite, awaiting acceptance there
    status: str
    arrived_at: UTCOut
    booked_in_at: UTCOut | None
    arrested_at: UTCOut | None
    arrest_place: str | None
    arresting_officer: str | None
    arresting_officer_id: str | None
    officer_in_case_id: str | None
    involved_officer_ids: list[str]
    offences: list[OffenceOut]
    offence_indictable: bool
    arrest_reason: str | None
    arrest_necessity: str | None
    arrival_route: str
    voluntary_attender: bool
    relevant_time: UTCOut | None
    relevant_time_basis: str | None
    detention_decision: DetentionDecisionOut | None
    detention_authorised_at: UTCOut | None
    juvenile: bool
    vulnerable: bool
    appropriate_adult_required: bool
    appropriate_adult_reason: str | None
    appropriate_adult_requested_at: UTCOut | None
    appropriate_adult_arrived_at: UTCOut | None
    appropriate_adult_name: str | None
    appropriate_adult_awaited: bool
    rights_notice: RightsNoticeOut | None
    rights: list[RightOut]
    risk_level: str | None
    risk_assessed_at: UTCOut | None
    risk_assessment_version: int | None
    observation_level: int | None
    observation_level_set_at: UTCOut | None
    observation_reason: str | None
    observation_interval_minutes: float | None
    last_check_at: UTCOut | None
    next_check_due: UTCOut | None
    reviews: list[ReviewOut]
    reviews_done: int
    review_number_due: int | None
    next_review_due: UTCOut | None
    authorities: list[AuthorityOut]
    basic_limit_at: UTCOut | None
    detention_limit_at: UTCOut | None
    absolute_limit_at: UTCOut | None
    charged_at: UTCOut | None
    charge_summary: str | None
    risk_reassessment_reason: str | None
    disposal: DisposalOut | None
    released_at: UTCOut | None
    in_interview: bool = False
    appears_under_18: bool = False
    version: int


class AuthorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    display_name: str
    rank: str
    collar_number: str


class LogEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    record_id: str
    kind: str
    text: str
    observed_at: UTCOut
    recorded_at: UTCOut
    author: AuthorOut
    corrects_id: str | None


class RiskResponseIn(_Body):
    area: str = Field(max_length=60, json_schema_extra={"enum": list(AREAS_BY_KEY)})
    answer: Answer
    source: Source
    note: CleanStr | None = Field(default=None, max_length=2000)

    @field_validator("area")
    @classmethod
    def _known_area(cls, value: str) -> str:
        if value not in AREAS_BY_KEY:
            raise ValueError(f"Unknown risk area {value[:60]!r}; choose one of: {', '.join(AREAS_BY_KEY)}.")
        return value


class RiskAssessmentOut(BaseModel):
    id: str
    record_id: str
    version: int
    trigger: str
    assessed_at: UTCOut
    responses: list[RiskResponseIn]
    officer_observations: str | None
    warning_markers: str | None
    risk_level: str
    notes: str | None
    concerns: list[str]
    unanswered: list[str]
    risk_to: list[str]
    suggested_level: int
    reasons: list[str]
    assessed_by: OfficerOut
    recorded_at: UTCOut



class LogAndRiskOut(BaseModel):
    """What switching detainee shows (the Detainee log and Risk assessment docks): one request instead of two."""
    log: list[LogEntryOut]
    risk_assessments: list[RiskAssessmentOut]

class CheckOut(BaseModel):
    id: str
    record_id: str
    check_type: str
    result: str
    observed_at: UTCOut
    recorded_at: UTCOut
    level: int
    note: str | None
    checked_by: OfficerOut
    medical_emergency: bool
    needs_healthcare: bool
    next_check_due: UTCOut | None


class InterviewBreakOut(BaseModel):
    started_at: UTCOut
    ended_at: UTCOut
    reason: str | None


class UrgentAuthorityOut(BaseModel):
    grounds: str
    authorised_by: OfficerOut


class InterviewOut(BaseModel):
    id: str
    record_id: str
    started_at: UTCOut
    ended_at: UTCOut | None
    location: str | None
    interviewing_officers: list[str]
    others_present: list[str]
    solicitor: str | None
    appropriate_adult: str | None
    interpreter: str | None
    recording_reference: str | None
    special_warnings: list[str]
    breaks: list[InterviewBreakOut]
    outcome: str | None
    outcome_note: str | None
    urgent_authority: UrgentAuthorityOut | None
    recorded_by: OfficerOut
    recorded_at: UTCOut


class PropertyItemOut(BaseModel):
    id: str
    record_id: str
    description: str
    quantity: int
    disposition: str
    bag_number: str | None
    seal_number: str | None
    searched_at: UTCOut
    signature: str
    signature_note: str | None
    recorded_by: OfficerOut
    recorded_at: UTCOut
    returned_at: UTCOut | None
    return_signature: str | None
    return_note: str | None
    returned_by: OfficerOut | None
    version: int


class EpisodeOut(BaseModel):
    """An earlier custody episode of a person, as booking-in shows it."""
    id: str
    custody_number: str
    arrived_at: UTCOut
    released_at: UTCOut | None
    offences: list[OffenceOut]
    outcome: str | None
    risk_level: str | None


class CarriedPromptOut(BaseModel):
    """Something recorded before, shown as a prompt for the new risk assessment (never as an answer)."""
    source: str
    text: str
    recorded_at: UTCOut | None


class PersonCustodyHistoryOut(BaseModel):
    person_id: str
    episodes: list[EpisodeOut]
    prompts: list[CarriedPromptOut]


# ----------------------------------------------------------------------------------------------- inputs


class LogEntryIn(BaseModel):
    id: ClientId
    kind: str = Field(max_length=40, json_schema_extra={"enum": list(LOG_KINDS)})
    # No max_length here: text_problem gives the message the client shows beside the field.
    text: CleanStr
    observed_at: UTCIn
    corrects_id: ClientId | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in LOG_KINDS:
            raise ValueError(f"Unknown kind {value[:40]!r}; choose one of: {', '.join(LOG_KINDS)}.")
        return value

    @field_validator("text")
    @classmethod
    def _text_ok(cls, value: str) -> str:
        if problem := text_problem(value):
            raise ValueError(problem)
        return value


class DetentionIn(_Body):
    decision: Literal["authorised", "refused"]
    grounds: CleanStr = Text2000
    decided_at: UTCIn

    _g = field_validator("grounds")(classmethod(lambda cls, v: _not_blank(v)))


class BookingIn(_Created):
    person_id: str | None = Field(default=None, max_length=36)
    person: PersonIn | None = None
    arrived_at: UTCIn
    arrested_at: UTCIn
    booked_in_at: UTCIn | None = None
    arrest_place: CleanStr = Field(min_length=1, max_length=300)
    arresting_officer: CleanStr = Field(min_length=1, max_length=200)
    arresting_officer_id: str | None = Field(default=None, max_length=36)
    officer_in_case_id: str | None = Field(default=None, max_length=36)
    offences: list[str] = Field(min_length=1, max_length=20)
    arrest_reason: CleanStr = Text2000
    arrest_necessity: CleanStr = Text2000
    arrival_route: ArrivalRoute = ArrivalRoute.ARRESTED_ELSEWHERE
    left_first_area_at: UTCIn | None = None
    vulnerable: Flag = False
    appears_under_18: Flag = False
    cell: CleanStr | None = Field(default=None, max_length=16)
    # Issue 15: the suite booking in, and a cell of it (free; never pre-selected by the client). A `cell` number
    # with a suite is looked up in that suite; without a suite the record is not in any (older clients).
    suite_id: str | None = Field(default=None, max_length=36)
    cell_id: str | None = Field(default=None, max_length=36)
    detention: DetentionIn | None = None

    _blank = field_validator("arrest_place", "arresting_officer", "arrest_reason", "arrest_necessity")(
        classmethod(lambda cls, v: _not_blank(v)))


class RecordPatch(_Body):
    cell: CleanStr | None = Field(default=None, max_length=16)
    cell_id: str | None = Field(default=None, max_length=36)  # issue 15: a cell of the record's suite
    vulnerable: Flag | None = None
    appears_under_18: Flag | None = None
    officer_in_case_id: str | None = Field(default=None, max_length=36)


class DelayIn(_Body):
    until: UTCIn
    grounds: CleanStr = Field(min_length=1, max_length=2000)


class RightIn(_Created):
    right: Right
    requested: Flag
    at: UTCIn
    note: CleanStr | None = Field(default=None, max_length=2000)
    delay: DelayIn | None = None


class RightsNoticeIn(_Body):
    language: str = Field(min_length=2, max_length=16)
    given_at: UTCIn


class AppropriateAdultIn(_Body):
    event: Literal["requested", "arrived"]
    at: UTCIn
    name: CleanStr | None = Field(default=None, max_length=200)


RISK_TRIGGERS = ("booking_in", "charge", "bail_refused", "release_on_bail", "release", "transfer", "other")


class RiskAssessmentIn(_Created):
    trigger: Literal["booking_in", "charge", "bail_refused", "release_on_bail", "release", "transfer", "other"]
    assessed_at: UTCIn
    responses: list[RiskResponseIn] = Field(max_length=200)
    officer_observations: CleanStr | None = Field(default=None, max_length=5000)
    warning_markers: CleanStr | None = Field(default=None, max_length=5000)
    risk_level: Literal["low", "medium", "high"]
    notes: CleanStr | None = Field(default=None, max_length=5000)


class ObservationLevelIn(_Body):
    level: Count = Field(ge=1, le=4)
    reason: CleanStr = Text2000
    set_at: UTCIn

    _r = field_validator("reason")(classmethod(lambda cls, v: _not_blank(v)))


class CheckIn(_Created):
    check_type: CheckType
    result: CheckResult
    observed_at: UTCIn
    note: CleanStr | None = Field(default=None, max_length=2000)


class ReviewIn(_Created):
    kind: Literal["review", "postponement"]
    at: UTCIn
    outcome: Literal["continue", "release"] | None = None
    grounds: CleanStr = Field(default="", max_length=5000)
    representations: CleanStr | None = Field(default=None, max_length=5000)


class ExtensionIn(_Created):
    authorised_at: UTCIn
    expires_at: UTCIn
    grounds: CleanStr = Text2000

    _g = field_validator("grounds")(classmethod(lambda cls, v: _not_blank(v)))


class WarrantIn(_Created):
    # AuthorityKind.WARRANT and WARRANT_EXTENSION: a Literal takes the values themselves, not expressions.
    kind: Literal["warrant_of_further_detention", "extension_of_warrant"]
    # s.43(5): the application's time decides whether it was in time, so it is recorded, never assumed.
    applied_at: UTCIn
    court_not_sitting: Flag = False
    issued_at: UTCIn
    expires_at: UTCIn
    court: CleanStr = Field(min_length=1, max_length=200)
    reference: CleanStr | None = Field(default=None, max_length=100)


class InterviewBreakIn(_Body):
    started_at: UTCIn
    ended_at: UTCIn
    reason: CleanStr | None = Field(default=None, max_length=500)


class UrgentAuthorityIn(_Body):
    """Urgent-interview authority (Code C 11.18), given by the officer recording the interview."""
    grounds: CleanStr = Text2000

    _g = field_validator("grounds")(classmethod(lambda cls, v: _not_blank(v)))


SpecialWarning = Literal["s36", "s37"]
InterviewOutcome = Literal["answered_questions", "no_comment", "prepared_statement", "admission", "denial",
                           "terminated"]


class InterviewIn(_Created):
    started_at: UTCIn
    ended_at: UTCIn | None = None
    location: CleanStr | None = Field(default=None, max_length=200)
    interviewing_officers: list[CleanStr] = Field(min_length=1, max_length=10)
    others_present: list[CleanStr] = Field(default_factory=list, max_length=10)
    solicitor: CleanStr | None = Field(default=None, max_length=200)
    appropriate_adult: CleanStr | None = Field(default=None, max_length=200)
    interpreter: CleanStr | None = Field(default=None, max_length=200)
    recording_reference: CleanStr | None = Field(default=None, max_length=100)
    special_warnings: list[SpecialWarning] = Field(default_factory=list, max_length=2)
    breaks: list[InterviewBreakIn] = Field(default_factory=list, max_length=20)
    outcome: InterviewOutcome | None = None
    outcome_note: CleanStr | None = Field(default=None, max_length=2000)
    urgent_authority: UrgentAuthorityIn | None = None


class InterviewEndIn(_Body):
    ended_at: UTCIn
    recording_reference: CleanStr | None = Field(default=None, max_length=100)
    special_warnings: list[SpecialWarning] = Field(default_factory=list, max_length=2)
    breaks: list[InterviewBreakIn] = Field(default_factory=list, max_length=20)
    outcome: InterviewOutcome | None = None
    outcome_note: CleanStr | None = Field(default=None, max_length=2000)


Disposition = Literal["kept", "retained", "evidence"]
Signature = Literal["signed", "refused"]


class PropertyItemIn(_Created):
    description: CleanStr = Field(min_length=1, max_length=500)
    quantity: Count = Field(default=1, ge=1, le=10_000)
    disposition: Disposition
    bag_number: CleanStr | None = Field(default=None, max_length=50)
    seal_number: CleanStr | None = Field(default=None, max_length=50)

    _d = field_validator("description")(classmethod(lambda cls, v: _not_blank(v)))


class PropertyIn(_Body):
    """Items found in one search, with the detainee's signature or refusal (PACE s.54; refusal recorded)."""
    searched_at: UTCIn
    items: list[PropertyItemIn] = Field(min_length=1, max_length=100)
    signature: Signature
    signature_note: CleanStr | None = Field(default=None, max_length=2000)


class PropertyReturnIn(_Body):
    item_ids: list[ClientId] = Field(min_length=1, max_length=100)
    returned_at: UTCIn
    signature: Signature
    note: CleanStr | None = Field(default=None, max_length=2000)


class ChargeIn(_Body):
    charged_at: UTCIn
    summary: CleanStr = Text2000

    _s = field_validator("summary")(classmethod(lambda cls, v: _not_blank(v)))


DISPOSAL_OUTCOMES = ("charged", "pre_charge_bail", "released_under_investigation", "no_further_action",
                     "remanded_for_court", "transferred")


class DisposalIn(_Body):
    outcome: Literal["charged", "pre_charge_bail", "released_under_investigation", "no_further_action",
                     "remanded_for_court", "transferred"]
    released_at: UTCIn
    summary: CleanStr | None = Field(default=None, max_length=5000)
    bail_return_date: DateIn | None = None
    bail_conditions: CleanStr | None = Field(default=None, max_length=5000)
    transfer_to: CleanStr | None = Field(default=None, max_length=200)
    court: CleanStr | None = Field(default=None, max_length=200)
