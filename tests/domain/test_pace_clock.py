"""PACE clock tables (domain.md §1.2–1.5)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.pace_clock import (
    ArrivalRoute,
    Authority,
    AuthorityKind,
    ClockConfig,
    booking_time_errors,
    check_reviewer,
    check_court_authority,
    check_extension,
    check_postponement,
    check_warrant_application,
    current_limit,
    event_time_error,
    next_review,
    relevant_time,
    remaining_text,
    review_due_at,
    summarise,
    urgency,
)
from domain.roles import Role

H = timedelta(hours=1)
LONDON = ZoneInfo("Europe/London")


def t(day: int, hh: int, mm: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hh, mm, tzinfo=UTC)


@pytest.mark.parametrize(
    ("route", "arrested", "arrived", "left_first", "expected", "basis"),
    [
        (ArrivalRoute.ARRESTED_ELSEWHERE, t(10, 9, 40), t(10, 10, 20), None, t(10, 10, 20), "Arrival at station 10:20"),
        (ArrivalRoute.ARRESTED_ELSEWHERE, t(10, 9), t(11, 12), None, t(11, 9), "24 hours after arrest"),
        (ArrivalRoute.ARRESTED_ELSEWHERE, t(10, 9), t(11, 9), None, t(11, 9), "Arrival at station 09:00"),
        (ArrivalRoute.VOLUNTARY_ATTENDER, t(10, 14, 5), None, None, t(10, 14, 5),
         "Time of arrest (voluntary attender)"),
        (ArrivalRoute.FROM_ANOTHER_AREA, t(9, 8), t(10, 20), t(9, 18), t(10, 18),
         "24 hours after leaving detention in the first police area"),
        (ArrivalRoute.FROM_ANOTHER_AREA, t(9, 8), t(9, 23), t(9, 18), t(9, 23),
         "Arrival at first station in this area 23:00"),
    ],
)
def test_relevant_time(route, arrested, arrived, left_first, expected, basis):
    result = relevant_time(route=route, arrested_at=arrested, arrived_at=arrived, left_first_area_at=left_first)
    assert result.at == expected
    assert result.basis == basis


def test_relevant_time_basis_is_local_wall_clock_in_summer():
    # 09:20 UTC in July is 10:20 BST: people read local time.
    r = relevant_time(route=ArrivalRoute.ARRESTED_ELSEWHERE, arrested_at=t(1, 9, month=7),
                      arrived_at=t(1, 9, 20, month=7))
    assert r.basis == "Arrival at station 10:20"


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"arrested_at": t(10, 9), "arrived_at": t(10, 10), "booked_in_at": t(10, 10, 5)}, []),
        ({"arrested_at": t(10, 11), "arrived_at": t(10, 10)}, ["arrived_at"]),
        ({"arrested_at": t(10, 9), "arrived_at": t(10, 10), "booked_in_at": t(10, 9, 50)}, ["booked_in_at"]),
        ({"arrested_at": t(10, 13)}, ["arrested_at"]),  # future
        ({"arrested_at": datetime(2026, 11, 10, 9)}, ["arrested_at"]),  # naive
        ({"arrested_at": t(10, 9), "arrived_at": t(10, 10), "detention_authorised_at": t(10, 9, 30)},
         ["detention_authorised_at"]),
    ],
)
def test_booking_time_errors(kwargs, fields):
    errors = booking_time_errors(now=t(10, 12), **kwargs)
    assert [e.field for e in errors] == fields
    assert all(e.message.endswith(".") for e in errors)


@pytest.mark.parametrize(
    ("arrived", "arrested", "fields"),
    [(t(10, 9), t(10, 10), []), (t(10, 10), t(10, 9), ["arrested_at"])],
)
def test_voluntary_attender_arrives_before_arrest(arrived, arrested, fields):
    errors = booking_time_errors(now=t(10, 12), arrested_at=arrested, arrived_at=arrived,
                                 route=ArrivalRoute.VOLUNTARY_ATTENDER)
    assert [e.field for e in errors] == fields


def test_check_before_booking_in_is_refused():
    err = event_time_error("observed_at", t(10, 9), booked_in_at=t(10, 10), now=t(10, 12))
    assert err is not None and "before the detainee was booked in" in err.message
    assert event_time_error("observed_at", t(10, 11), booked_in_at=t(10, 10), now=t(10, 12)) is None
    assert event_time_error("observed_at", t(10, 13), booked_in_at=t(10, 10), now=t(10, 12)) is not None


# §1.4 worked example: authorised 10:20 -> 16:20 -> 01:20 -> 10:20 next day, even if 1st done late at 17:00.
def test_review_schedule_worked_example():
    auth = t(10, 10, 20)
    assert [review_due_at(n, auth) for n in (1, 2, 3)] == [t(10, 16, 20), t(11, 1, 20), t(11, 10, 20)]


@pytest.mark.parametrize(
    ("reviews_done", "now", "number", "due", "overdue"),
    [
        (0, t(10, 12), 1, t(10, 16, 20), False),
        (0, t(10, 17), 1, t(10, 16, 20), True),  # first review late
        (1, t(10, 17), 2, t(11, 1, 20), False),  # done late at 17:00: the second is still due 01:20
        (2, t(11, 11), 3, t(11, 10, 20), True),
    ],
)
def test_next_review_from_due_times(reviews_done, now, number, due, overdue):
    nr = next_review(t(10, 10, 20), reviews_done, now)
    assert (nr.number, nr.due_at, nr.overdue) == (number, due, overdue)


def test_postponement_needs_reason_and_does_not_move_deadlines():
    auth = t(10, 10, 20)
    assert not check_postponement("  ", review_number=1, postponed_at=t(10, 16), detention_authorised_at=auth)
    assert check_postponement("Detainee in interview", review_number=1, postponed_at=t(10, 16),
                              detention_authorised_at=auth)
    late = check_postponement("No inspector", review_number=1, postponed_at=t(10, 18), detention_authorised_at=auth)
    assert not late and "due by 10/11/2026 16:20" in late.reason
    # A postponed review is not carried out: it stays the next one, still due at its time.
    assert next_review(auth, 0, t(10, 18)).due_at == t(10, 16, 20)


RT = t(10, 10)  # relevant time
REVIEWS = [t(10, 15), t(11, 0)]  # second review at 00:00 on the 11th


@pytest.mark.parametrize(
    ("desc", "kwargs", "ok", "reason_part"),
    [
        ("valid full 36 h", dict(authorised_at=t(11, 8), expires_at=t(11, 22)), True, ""),
        ("shorter than 36 h", dict(authorised_at=t(11, 8), expires_at=t(11, 16)), True, ""),
        ("too early: before 2nd review", dict(authorised_at=t(10, 23), expires_at=t(11, 22)), False,
         "second review"),
        ("too early: only one review", dict(authorised_at=t(11, 8), expires_at=t(11, 22), review_times=[t(10, 15)]),
         False, "second review"),
        ("too late: after 24 h", dict(authorised_at=t(11, 10, 1), expires_at=t(11, 22)), False, "run out"),
        ("not indictable", dict(authorised_at=t(11, 8), expires_at=t(11, 22), offence_indictable=False), False,
         "indictable"),
        ("beyond 36 h", dict(authorised_at=t(11, 8), expires_at=t(11, 23)), False, "at most 36 hours"),
        ("wrong rank", dict(authorised_at=t(11, 8), expires_at=t(11, 22), authoriser_role=Role.INSPECTOR), False,
         "superintendent"),
    ],
)
def test_extension_windows(desc, kwargs, ok, reason_part):
    args = dict(relevant=RT, offence_indictable=True, review_times=REVIEWS) | kwargs
    d = check_extension(**args)
    assert d.ok is ok, desc
    assert reason_part in d.reason


def test_extension_after_24h_refused_even_within_current_authority():
    # With a longer (hypothetical) base limit, the s.42(4)(a) 24 h rule still bites on its own.
    cfg = ClockConfig(basic_limit=30 * H)
    d = check_extension(relevant=RT, authorised_at=t(11, 11), expires_at=t(11, 22), offence_indictable=True,
                        review_times=REVIEWS, config=cfg)
    assert not d.ok and "within 24 hours" in d.reason


def test_extension_top_up_to_36h():
    first = Authority(AuthorityKind.SUPERINTENDENT, t(11, 8), t(11, 16))
    assert check_extension(relevant=RT, authorised_at=t(11, 15), expires_at=t(11, 22), offence_indictable=True,
                           review_times=REVIEWS, authorities=[first])
    assert not check_extension(relevant=RT, authorised_at=t(11, 17), expires_at=t(11, 22), offence_indictable=True,
                               review_times=REVIEWS, authorities=[first])
    assert current_limit(RT, [first]) == t(11, 16)


@pytest.mark.parametrize(
    ("applied_at", "court_not_sitting", "authorities", "ok"),
    [
        (t(11, 20), False, [Authority(AuthorityKind.SUPERINTENDENT, t(11, 8), t(11, 22))], True),
        (t(11, 23), False, [Authority(AuthorityKind.SUPERINTENDENT, t(11, 8), t(11, 22))], False),
        (t(12, 3), True, [Authority(AuthorityKind.SUPERINTENDENT, t(11, 8), t(11, 22))], True),  # +6 h
        (t(12, 5), True, [Authority(AuthorityKind.SUPERINTENDENT, t(11, 8), t(11, 22))], False),
        (t(11, 12), False, [], False),  # 24 h limit passed without extension
    ],
)
def test_warrant_application(applied_at, court_not_sitting, authorities, ok):
    d = check_warrant_application(relevant=RT, applied_at=applied_at, authorities=authorities,
                                  court_not_sitting=court_not_sitting)
    assert d.ok is ok, d.reason


def test_96_hour_ceiling():
    supt = Authority(AuthorityKind.SUPERINTENDENT, t(11, 8), t(11, 22))
    warrant = Authority(AuthorityKind.WARRANT, t(11, 20), t(13, 8))  # 36 h from issue
    assert check_court_authority(kind=AuthorityKind.WARRANT, relevant=RT, issued_at=t(11, 20), expires_at=t(13, 8),
                                 authorities=[supt])
    too_long = check_court_authority(kind=AuthorityKind.WARRANT, relevant=RT, issued_at=t(11, 20),
                                     expires_at=t(13, 9), authorities=[supt])
    assert not too_long and "36 hours" in too_long.reason
    ext = check_court_authority(kind=AuthorityKind.WARRANT_EXTENSION, relevant=RT, issued_at=t(13, 6),
                                expires_at=t(14, 11), authorities=[supt, warrant])
    assert not ext and "96 hours" in ext.reason
    assert check_court_authority(kind=AuthorityKind.WARRANT_EXTENSION, relevant=RT, issued_at=t(13, 6),
                                 expires_at=t(14, 10), authorities=[supt, warrant])
    everything = [supt, warrant, Authority(AuthorityKind.WARRANT_EXTENSION, t(13, 6), t(14, 10))]
    assert current_limit(RT, everything) == RT + 96 * H
    s = summarise(relevant=RT, now=t(12, 0), detention_authorised_at=t(10, 10, 20), reviews_done=3,
                  authorities=everything)
    assert s.absolute_limit == t(14, 10) and s.current_limit == t(14, 10) and s.basic_limit == t(11, 10)
    assert s.reviews_due[0] == t(10, 16, 20) and all(r <= s.current_limit for r in s.reviews_due)


def test_extension_of_warrant_needs_a_warrant():
    assert not check_court_authority(kind=AuthorityKind.WARRANT_EXTENSION, relevant=RT, issued_at=t(11, 20),
                                     expires_at=t(12, 20))


@pytest.mark.parametrize(
    ("start_local", "end_local_wall"),
    [
        # Last Sunday of March 2026 is the 29th: clocks go forward, so 24 real hours read as 25 on the wall.
        (datetime(2026, 3, 28, 12, 0, tzinfo=LONDON), datetime(2026, 3, 29, 13, 0)),
        # Last Sunday of October 2026 is the 25th: clocks go back, so 24 real hours read as 23.
        (datetime(2026, 10, 24, 12, 0, tzinfo=LONDON), datetime(2026, 10, 25, 11, 0)),
    ],
)
def test_24h_limit_is_elapsed_time_across_clock_changes(start_local, end_local_wall):
    relevant = start_local.astimezone(UTC)
    limit = summarise(relevant=relevant, now=relevant).basic_limit
    assert limit - relevant == 24 * H  # 24 real hours
    assert limit.astimezone(LONDON).replace(tzinfo=None) == end_local_wall
    wall_difference = end_local_wall - start_local.replace(tzinfo=None)
    assert abs(wall_difference - 24 * H) == H  # the local wall clock differs by one hour


@given(
    auth=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    lateness=st.lists(st.integers(min_value=0, max_value=600), min_size=1, max_size=8),
)
def test_late_reviews_never_move_later_due_times(auth, lateness):
    # However late each review is carried out, review n is always due at auth + 6 h + (n-1) * 9 h.
    for done, _ in enumerate(lateness):
        nr = next_review(auth, done, auth)
        assert nr.due_at == auth + 6 * H + done * 9 * H


@given(
    arrested=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    travel=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
)
def test_relevant_time_is_never_after_arrival_or_arrest_plus_24h(arrested, travel):
    r = relevant_time(route=ArrivalRoute.ARRESTED_ELSEWHERE, arrested_at=arrested, arrived_at=arrested + travel)
    assert arrested <= r.at <= min(arrested + travel, arrested + 24 * H)
    assert r.at == min(arrested + travel, arrested + 24 * H)


@given(hours=st.integers(min_value=0, max_value=200))
def test_limit_never_exceeds_96h(hours):
    auths = [Authority(AuthorityKind.WARRANT_EXTENSION, RT, RT + hours * H)]
    assert current_limit(RT, auths) <= RT + 96 * H


@pytest.mark.parametrize(
    ("role", "involved", "charged", "ok"),
    [
        (Role.INSPECTOR, False, False, True),
        (Role.SUPERINTENDENT, False, False, True),
        (Role.CUSTODY_SERGEANT, False, False, False),
        (Role.INSPECTOR, True, False, False),
        (Role.CUSTODY_SERGEANT, False, True, True),
        (Role.INSPECTOR, False, True, False),
    ],
)
def test_who_may_review(role, involved, charged, ok):
    assert check_reviewer(role, involved_in_investigation=involved, charged=charged).ok is ok


@pytest.mark.parametrize(
    ("now", "state", "text"),
    [(t(10, 8), "ok", "2 h 05 min left"), (t(10, 9, 50), "due soon", "15 min left"),
     (t(10, 10, 20), "overdue", "overdue by 15 min"), (t(10, 10, 5), "due soon", "0 min left")],
)
def test_urgency_and_remaining_text(now, state, text):
    deadline = t(10, 10, 5)
    assert urgency(deadline, now) == state
    assert remaining_text(deadline, now) == text
