"""The PACE detention clock: relevant time, reviews, extensions, warrants and limits.

Sources: /work/shared/domain.md §1.2 (relevant time, s.41), §1.3 (24 h, s.42 superintendent extension,
s.43 warrant of further detention, s.44 extensions, 96 h cap), §1.4 (reviews, s.40) and §1.5 (clock model).

All arithmetic is on aware UTC datetimes: durations under PACE are elapsed time, so a detention spanning a
clock change still ends 24 real hours after the relevant time even though the local wall clock moves by an
hour. Local time (Europe/London) is used only to word the basis of the relevant time for people.

Rule breaks are returned as `Decision(ok=False, reason=...)`, never raised.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.decision import ALLOWED, Decision, FieldError, refuse, require_aware
from domain.roles import Role

H = timedelta(hours=1)


@dataclass(frozen=True)
class ClockConfig:
    """The statutory periods, as defaults. Items marked [U] in domain.md are configurable per force."""

    basic_limit: timedelta = 24 * H  # s.41(1)
    arrest_to_arrival_cap: timedelta = 24 * H  # s.41(2): relevant time is at latest arrest + 24 h
    second_area_cap: timedelta = 24 * H  # s.41(5)
    superintendent_limit: timedelta = 36 * H  # s.42(1)
    superintendent_latest: timedelta = 24 * H  # s.42(4)(a): not more than 24 h after relevant time
    reviews_before_extension: int = 2  # s.42(4)(b): not before the second review
    warrant_apply_by: timedelta = 36 * H  # s.43(5)(a)
    court_not_sitting_grace: timedelta = 6 * H  # s.43(5)(b)
    warrant_max_period: timedelta = 36 * H  # s.43(12), s.44(3)
    absolute_limit: timedelta = 96 * H  # s.44(3)(b)
    first_review_after: timedelta = 6 * H  # s.40(3)(a), from detention first authorised
    review_interval: timedelta = 9 * H  # s.40(3)(b)-(c)
    # PCSCA 2022 breach-of-bail extension: mechanics [U], so it is held here but not yet applied by any rule.
    bail_breach_extra: timedelta = 3 * H
    local_zone: str = "Europe/London"


DEFAULT_CONFIG = ClockConfig()


def _local(at: datetime, config: ClockConfig) -> str:
    return at.astimezone(ZoneInfo(config.local_zone)).strftime("%H:%M")


def _local_full(at: datetime, config: ClockConfig) -> str:
    return at.astimezone(ZoneInfo(config.local_zone)).strftime("%d/%m/%Y %H:%M")


# ---------------------------------------------------------------------------------------------- relevant time


class ArrivalRoute(StrEnum):
    """How the detainee came to be at the station (§1.2)."""

    ARRESTED_ELSEWHERE = "arrested_elsewhere"  # normal case; includes first station non-designated
    VOLUNTARY_ATTENDER = "voluntary_attender"  # arrested at the station after attending voluntarily
    FROM_ANOTHER_AREA = "from_another_area"  # s.41(5): arrest sought in this area while detained in another


@dataclass(frozen=True)
class RelevantTime:
    at: datetime
    basis: str  # plain English, shown beside the clock and printed on the custody record


def relevant_time(
    *,
    route: ArrivalRoute,
    arrested_at: datetime,
    arrived_at: datetime | None = None,
    left_first_area_at: datetime | None = None,
    config: ClockConfig = DEFAULT_CONFIG,
) -> RelevantTime:
    """The start of the detention clock under s.41.

    `arrived_at` is arrival at the first police station the person was taken to in this area, designated
    or not (§1.2: "relevant police station" is the first station, designated or not) – not booking-in.
    Raises ValueError only for missing inputs (a programming error); use `booking_time_errors` for
    user-entered times.
    """
    if route is ArrivalRoute.VOLUNTARY_ATTENDER:
        return RelevantTime(arrested_at, "Time of arrest (voluntary attender)")
    if arrived_at is None:
        raise ValueError("arrived_at is needed unless the person attended voluntarily")
    if route is ArrivalRoute.FROM_ANOTHER_AREA:
        if left_first_area_at is None:
            raise ValueError("left_first_area_at is needed for a person brought from another police area")
        cap = left_first_area_at + config.second_area_cap
        if cap < arrived_at:
            return RelevantTime(cap, "24 hours after leaving detention in the first police area")
        return RelevantTime(arrived_at, f"Arrival at first station in this area {_local(arrived_at, config)}")
    cap = arrested_at + config.arrest_to_arrival_cap
    if cap < arrived_at:
        return RelevantTime(cap, "24 hours after arrest")
    return RelevantTime(arrived_at, f"Arrival at station {_local(arrived_at, config)}")


def booking_time_errors(
    *,
    now: datetime,
    arrested_at: datetime,
    arrived_at: datetime | None = None,
    booked_in_at: datetime | None = None,
    detention_authorised_at: datetime | None = None,
    route: ArrivalRoute = ArrivalRoute.ARRESTED_ELSEWHERE,
) -> list[FieldError]:
    """What is wrong with the times entered at booking-in, as field errors (empty when all is well).

    A voluntary attender arrives first and is arrested at the station, so for them arrest must not be
    before arrival (the order of the two is reversed)."""
    values = {
        "arrested_at": arrested_at,
        "arrived_at": arrived_at,
        "booked_in_at": booked_in_at,
        "detention_authorised_at": detention_authorised_at,
    }
    errors = [e for name, v in values.items() if v is not None and (e := require_aware(v, name))]
    if errors:
        return errors
    labels = {
        "arrested_at": "arrest",
        "arrived_at": "arrival at the station",
        "booked_in_at": "booking-in",
        "detention_authorised_at": "detention authorised",
    }
    # Allow a minute of clock difference between workstations before calling a time "in the future".
    for name, v in values.items():
        if v is not None and v > now + timedelta(minutes=1):
            errors.append(FieldError(name, f"The time of {labels[name]} is in the future; check the date and time."))
    order = ["arrested_at", "arrived_at", "booked_in_at", "detention_authorised_at"]
    if route is ArrivalRoute.VOLUNTARY_ATTENDER:
        order = ["arrived_at", "arrested_at", "booked_in_at", "detention_authorised_at"]
    given = [(n, v) for n in order if (v := values[n]) is not None]
    for (earlier_name, earlier), (later_name, later) in zip(given, given[1:]):
        if later < earlier:
            errors.append(
                FieldError(
                    later_name,
                    f"The time of {labels[later_name]} is before the time of {labels[earlier_name]}.",
                )
            )
    return errors


def event_time_error(field_name: str, at: datetime, *, booked_in_at: datetime, now: datetime) -> FieldError | None:
    """A check, review or other custody event must be after booking-in and not in the future."""
    if problem := require_aware(at, field_name):
        return problem
    if at < booked_in_at:
        return FieldError(field_name, "This time is before the detainee was booked in.")
    if at > now + timedelta(minutes=1):
        return FieldError(field_name, "This time is in the future; check the date and time.")
    return None


# ------------------------------------------------------------------------------------------------- reviews


def review_due_at(number: int, detention_authorised_at: datetime, config: ClockConfig = DEFAULT_CONFIG) -> datetime:
    """Latest time for review `number` (1-based), from the DUE times: a late or postponed review does not
    move later ones (s.40(3), §1.4 worked example)."""
    if number < 1:
        raise ValueError("reviews are numbered from 1")
    return detention_authorised_at + config.first_review_after + (number - 1) * config.review_interval


@dataclass(frozen=True)
class NextReview:
    number: int
    due_at: datetime
    overdue: bool


def next_review(
    detention_authorised_at: datetime,
    reviews_done: int,
    now: datetime,
    config: ClockConfig = DEFAULT_CONFIG,
) -> NextReview:
    """The next review given how many have been carried out (postponements are not carried out)."""
    number = reviews_done + 1
    due = review_due_at(number, detention_authorised_at, config)
    return NextReview(number, due, now > due)


def check_postponement(reason: str, *, review_number: int, postponed_at: datetime,
                       detention_authorised_at: datetime, config: ClockConfig = DEFAULT_CONFIG) -> Decision:
    """s.40(4): a review may be postponed when impracticable; the reason must be recorded. The due time of
    this and later reviews is unchanged – the postponed review must be done as soon as practicable."""
    if not reason.strip():
        return refuse("Give the reason for postponing the review; it is recorded on the custody record.")
    due = review_due_at(review_number, detention_authorised_at, config)
    if postponed_at > due + timedelta(minutes=1):
        return refuse(
            f"Review {review_number} was due by {_local_full(due, config)}; a postponement must be decided "
            "at or before the latest time for the review."
        )
    return ALLOWED


# ------------------------------------------------------------------------------------- authorities / limits


class AuthorityKind(StrEnum):
    SUPERINTENDENT = "superintendent_extension"  # s.42
    WARRANT = "warrant_of_further_detention"  # s.43
    WARRANT_EXTENSION = "extension_of_warrant"  # s.44


@dataclass(frozen=True)
class Authority:
    """One recorded authority to keep the person in detention beyond the basic limit."""

    kind: AuthorityKind
    granted_at: datetime
    expires_at: datetime


def basic_limit(relevant: datetime, config: ClockConfig = DEFAULT_CONFIG) -> datetime:
    return relevant + config.basic_limit


def absolute_limit(relevant: datetime, config: ClockConfig = DEFAULT_CONFIG) -> datetime:
    return relevant + config.absolute_limit


def current_limit(relevant: datetime, authorities: Sequence[Authority] = (),
                  config: ClockConfig = DEFAULT_CONFIG) -> datetime:
    """The end of the detention currently authorised. A refused warrant leaves any unused superintendent's
    extension in place (§1.3), which falls out naturally: only granted authorities are passed in."""
    limit = basic_limit(relevant, config)
    for a in authorities:
        limit = max(limit, a.expires_at)
    return min(limit, absolute_limit(relevant, config))


def check_extension(
    *,
    relevant: datetime,
    authorised_at: datetime,
    expires_at: datetime,
    offence_indictable: bool,
    review_times: Sequence[datetime],
    authorities: Sequence[Authority] = (),
    authoriser_role: Role | None = Role.SUPERINTENDENT,
    config: ClockConfig = DEFAULT_CONFIG,
) -> Decision:
    """May a superintendent authorise detention until `expires_at` (s.42)?

    `review_times` are the times reviews were actually carried out. The first authorisation may not be given
    before the second review nor more than 24 h after the relevant time; it may be for less than 36 h and
    then topped up (s.42(2)) to at most 36 h after the relevant time while the current authority runs.
    """
    if authoriser_role is not None and authoriser_role is not Role.SUPERINTENDENT:
        return refuse("Only a superintendent or above may extend detention beyond 24 hours (PACE s.42).")
    if not offence_indictable:
        return refuse("Detention can only be extended beyond 24 hours for an indictable offence "
                      "(including either-way offences).")
    ceiling = relevant + config.superintendent_limit
    limit_now = current_limit(relevant, authorities, config)
    if expires_at > ceiling:
        return refuse(f"A superintendent may extend detention to at most {config.superintendent_limit // H} hours "
                      f"after the relevant time ({_local_full(ceiling, config)}).")
    if expires_at <= limit_now:
        return refuse(f"Detention is already authorised until {_local_full(limit_now, config)}; "
                      "the new limit must be later.")
    if authorised_at > limit_now:
        return refuse(f"The authority to detain ended at {_local_full(limit_now, config)}; "
                      "an extension cannot be given after it has run out.")
    earlier = [a for a in authorities if a.kind is AuthorityKind.SUPERINTENDENT]
    if earlier:
        return ALLOWED  # a top-up under s.42(2): the first authorisation already met s.42(4)
    done = sorted(t for t in review_times if t <= authorised_at)
    if len(done) < config.reviews_before_extension:
        return refuse("An extension cannot be authorised before the second review of detention "
                      "has been carried out.")
    latest = relevant + config.superintendent_latest
    if authorised_at > latest:
        return refuse(f"An extension must be authorised within {config.superintendent_latest // H} hours of "
                      f"the relevant time (by {_local_full(latest, config)}).")
    return ALLOWED


def warrant_apply_by(relevant: datetime, *, court_not_sitting: bool = False,
                     config: ClockConfig = DEFAULT_CONFIG) -> datetime:
    """Latest time for applying for a warrant of further detention (s.43(5))."""
    deadline = relevant + config.warrant_apply_by
    return deadline + config.court_not_sitting_grace if court_not_sitting else deadline


def check_warrant_application(
    *,
    relevant: datetime,
    applied_at: datetime,
    authorities: Sequence[Authority] = (),
    court_not_sitting: bool = False,
    issued_at: datetime | None = None,
    config: ClockConfig = DEFAULT_CONFIG,
) -> Decision:
    """May an application for a warrant of further detention be made now (s.43(5))?

    `court_not_sitting`: the court could not sit at the expiry of 36 h but will sit in the following 6 h.
    `issued_at`, when the warrant has been issued: a warrant comes after its application, and cannot revive a
    detention whose authority had already run out (only the court-not-sitting 6 hours bridge that gap).
    """
    if issued_at is not None and issued_at < applied_at:
        return refuse("The warrant cannot have been issued before the application for it was made.")
    deadline = warrant_apply_by(relevant, court_not_sitting=court_not_sitting, config=config)
    if applied_at > deadline:
        why = " (the court was not sitting, so 6 hours more were allowed)" if court_not_sitting else ""
        return refuse(f"An application for a warrant of further detention must be made by "
                      f"{_local_full(deadline, config)}{why}.")
    limit = current_limit(relevant, authorities, config)
    if applied_at > limit and not (court_not_sitting and limit >= relevant + config.warrant_apply_by):
        return refuse(f"The authority to detain ended at {_local_full(limit, config)}; the person should "
                      "have been released or charged before the application.")
    if issued_at is not None:
        bridge = max(limit, deadline) if court_not_sitting else limit
        if issued_at > bridge:
            return refuse(f"The warrant was issued at {_local_full(issued_at, config)}, after the authority to "
                          f"detain ended at {_local_full(bridge, config)}; a warrant cannot revive an expired "
                          "detention.")
    return ALLOWED


def check_court_authority(
    *,
    kind: AuthorityKind,
    relevant: datetime,
    issued_at: datetime,
    expires_at: datetime,
    authorities: Sequence[Authority] = (),
    config: ClockConfig = DEFAULT_CONFIG,
) -> Decision:
    """Is a warrant (s.43) or an extension of it (s.44) within the limits? Each runs from its issue, for at
    most 36 h, and never beyond 96 h after the relevant time."""
    if kind is AuthorityKind.SUPERINTENDENT:
        return refuse("Use check_extension for a superintendent's extension.")
    if expires_at <= issued_at:
        return refuse("The warrant must end after it was issued.")
    if expires_at - issued_at > config.warrant_max_period:
        return refuse(f"A warrant or its extension may run for at most {config.warrant_max_period // H} hours "
                      "from when the court issues it.")
    ceiling = absolute_limit(relevant, config)
    if expires_at > ceiling:
        return refuse(f"Detention without charge can never run beyond {config.absolute_limit // H} hours after "
                      f"the relevant time ({_local_full(ceiling, config)}).")
    if kind is AuthorityKind.WARRANT_EXTENSION and not any(a.kind is AuthorityKind.WARRANT for a in authorities):
        return refuse("A warrant can only be extended once a warrant of further detention has been issued.")
    if kind is AuthorityKind.WARRANT_EXTENSION:
        limit = current_limit(relevant, authorities, config)
        if issued_at > limit:
            return refuse(f"The warrant expired at {_local_full(limit, config)}; it cannot be extended afterwards.")
    return ALLOWED


# --------------------------------------------------------------------------------------------- summary


@dataclass(frozen=True)
class ClockSummary:
    """Everything the custody screens show about the clock (§1.5)."""

    relevant_time: datetime
    basic_limit: datetime  # relevant + 24 h
    extension_latest: datetime  # last moment a s.42 authorisation may be given
    warrant_apply_by: datetime
    current_limit: datetime  # what is authorised now
    absolute_limit: datetime  # 96 h
    next_review: NextReview | None
    reviews_due: tuple[datetime, ...] = field(default=())


def summarise(
    *,
    relevant: datetime,
    now: datetime,
    detention_authorised_at: datetime | None = None,
    reviews_done: int = 0,
    authorities: Sequence[Authority] = (),
    config: ClockConfig = DEFAULT_CONFIG,
) -> ClockSummary:
    limit = current_limit(relevant, authorities, config)
    reviews: tuple[datetime, ...] = ()
    nxt = None
    if detention_authorised_at is not None:
        nxt = next_review(detention_authorised_at, reviews_done, now, config)
        n = 1
        while (due := review_due_at(n, detention_authorised_at, config)) <= limit:
            reviews += (due,)
            n += 1
    return ClockSummary(
        relevant_time=relevant,
        basic_limit=basic_limit(relevant, config),
        extension_latest=relevant + config.superintendent_latest,
        warrant_apply_by=warrant_apply_by(relevant, config=config),
        current_limit=limit,
        absolute_limit=absolute_limit(relevant, config),
        next_review=nxt,
        reviews_due=reviews,
    )


_REVIEW_RANK = {Role.CUSTODY_SERGEANT: 1, Role.INSPECTOR: 2, Role.SUPERINTENDENT: 3}


def check_reviewer(role: Role, *, involved_in_investigation: bool, charged: bool) -> Decision:
    """Who may carry out a review (s.40(1), §1.4): before charge an inspector or above not directly involved
    in the investigation; after charge the custody officer."""
    if charged:
        if role is not Role.CUSTODY_SERGEANT:
            return refuse("After charge, detention is reviewed by the custody officer.")
        return ALLOWED
    if _REVIEW_RANK.get(role, 0) < _REVIEW_RANK[Role.INSPECTOR]:
        return refuse("Before charge, detention is reviewed by an inspector or above.")
    if involved_in_investigation:
        return refuse("The review officer must not be directly involved in the investigation.")
    return ALLOWED


class Urgency(StrEnum):
    """State of a deadline; the client shows it as text as well as colour."""

    OK = "ok"
    DUE_SOON = "due soon"
    OVERDUE = "overdue"


def urgency(deadline: datetime, now: datetime, warn_before: timedelta = timedelta(hours=1)) -> Urgency:
    """Times in Part IV are approximate (s.45(2)) but the product warns early (§1.3)."""
    if now > deadline:
        return Urgency.OVERDUE
    if deadline - now <= warn_before:
        return Urgency.DUE_SOON
    return Urgency.OK


def remaining_text(deadline: datetime, now: datetime) -> str:
    """Elapsed-time wording for screen readers and labels: '2 h 05 min left', 'overdue by 15 min'."""
    delta = deadline - now
    overdue = delta < timedelta(0)
    minutes = int(abs(delta).total_seconds() // 60)
    hours, mins = divmod(minutes, 60)
    amount = f"{hours} h {mins:02d} min" if hours else f"{mins} min"
    return f"overdue by {amount}" if overdue else f"{amount} left"
