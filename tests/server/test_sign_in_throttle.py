"""Sign-in throttle and password policy (issue 12): per user and per address, growing delay, 429 + Retry-After,
state in the database (every server process sees it), every failure audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.app import create_app
from server.audit import AuditEntry
from server.auth.service import create_user
from server.auth.throttle import SignInThrottle
from server.db import make_sessionmaker, utcnow
from server.demo import DEMO_PASSWORD
from server.errors import ProblemError
from server.settings import Settings
from tests.server.asgi_client import AsgiClient

API = "/api/v1"
SLOW = 60.0  # the first lock-out, long enough that no slow machine outlasts one mid-test; time "passes" below


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings(database_url=database_url, sign_in_base_delay_s=SLOW)


def _login(client, username: str, password: str):
    return client.post(f"{API}/auth/login", json={"username": username, "password": password})


def _time_passes(app, seconds: float) -> None:
    """As if `seconds` went by: every lock-out ends that much sooner (the clock itself is not faked)."""
    with make_sessionmaker(app.state.engine)() as session, session.begin():
        for row in session.scalars(select(SignInThrottle).where(SignInThrottle.locked_until.is_not(None))):
            row.locked_until = row.locked_until - timedelta(seconds=seconds) if row.locked_until else None


def _refusals(app) -> list[str]:
    with make_sessionmaker(app.state.engine)() as session:
        return list(session.scalars(select(AuditEntry.justification).where(
            AuditEntry.entity == "sign_in", AuditEntry.action == "refusal").order_by(AuditEntry.id)))


def test_sixty_wrong_passwords_then_the_right_one_is_refused_until_retry_after(client, app, seeded):
    answers = [_login(client, "sergeant", f"wrong guess {n}") for n in range(60)]
    codes = [r.status_code for r in answers]
    assert codes[:6] == [401] * 6  # five typing mistakes are free; the sixth failure starts a lock-out
    assert codes[6:] == [429] * 54  # the lock-out is not extended by attempts during it: nothing is checked
    locked = answers[-1]
    assert locked.headers["content-type"] == "application/problem+json"
    assert int(locked.headers["retry-after"]) >= 1
    assert "Too many failed sign-ins" in locked.json()["detail"]

    right = _login(client, "sergeant", DEMO_PASSWORD)
    assert right.status_code == 429 and int(right.headers["retry-after"]) >= 1

    refusals = _refusals(app)
    assert sum("wrong user name or password" in r for r in refusals) == 6
    assert sum("throttled" in r for r in refusals) == 55  # each refused attempt, the right password's too

    _time_passes(app, int(right.headers["retry-after"]))
    assert _login(client, "sergeant", DEMO_PASSWORD).status_code == 200
    # A success forgets the user's failures: the next mistake is a plain 401 again.
    assert _login(client, "sergeant", "one more slip").status_code == 401


def test_the_delay_grows_with_each_failure_after_a_lock_out(client, app, seeded):
    for n in range(5):
        assert _login(client, "inspector", f"nope {n}").status_code == 401
    waits = []
    for n in range(4):
        assert _login(client, "inspector", f"still wrong {n}").status_code == 401  # counted: not locked now
        locked = _login(client, "inspector", "and again")
        assert locked.status_code == 429
        waits.append(int(locked.headers["retry-after"]))
        _time_passes(app, waits[-1])
    assert waits == [60, 120, 240, 480]  # doubling from the base


def test_per_address_throttle_covers_every_user_name_from_that_address(database_url, seeded):
    app = create_app(Settings(database_url=database_url, sign_in_free_failures_per_address=6,
                                sign_in_base_delay_s=SLOW))
    try:
        with AsgiClient(app, client=("10.20.30.40", 5000)) as client, \
                AsgiClient(app, client=("10.20.30.41", 5000)) as elsewhere:
            for n in range(7):  # spread over user names, so no one user's count is reached
                assert _login(client, f"guess{n % 3}", "password-spray").status_code == 401
            refused = _login(client, "detention", DEMO_PASSWORD)  # the same address
            assert refused.status_code == 429
            assert _login(elsewhere, "detention", DEMO_PASSWORD).status_code == 200  # another workstation
    finally:
        app.state.engine.dispose()


def test_throttle_is_shared_by_every_server_process(database_url, seeded):
    """Two apps on one database stand for two worker processes: failures through one lock out the other."""
    first, second = (create_app(Settings(database_url=database_url, sign_in_base_delay_s=SLOW)) for _ in range(2))
    try:
        with AsgiClient(first) as one, AsgiClient(second) as two:
            for n in range(6):
                assert (one if n % 2 else two).post(f"{API}/auth/login", json={
                    "username": "intel", "password": f"wrong {n}"}).status_code == 401
            assert _login(one, "intel", "wrong again").status_code == 429
            assert _login(two, "intel", DEMO_PASSWORD).status_code == 429
    finally:
        first.state.engine.dispose()
        second.state.engine.dispose()


@pytest.mark.parametrize("password, why", [
    ("short-one", "at least 12 characters"),
    ("password1234", "common passwords"),
    ("qwertyqwerty", "common passwords"),
    ("Sunshine!!2026", "common passwords"),
    ("pcjones-pcjones", "common passwords"),
])
def test_password_policy_at_create_user(app, password, why):
    with make_sessionmaker(app.state.engine)() as session, session.begin():
        with pytest.raises(ProblemError) as refused:
            create_user(session, username="pcjones", display_name="PC Jones", rank="Constable",
                        collar_number="1", role="investigator", password=password)
        assert refused.value.errors == [{"field": "password", "message": refused.value.errors[0]["message"]}]
        assert why in refused.value.errors[0]["message"]
        create_user(session, username="pcjones", display_name="PC Jones", rank="Constable", collar_number="1",
                    role="investigator", password="correct horse battery staple")
        assert session.scalar(select(func.count()).select_from(SignInThrottle)) == 0


def test_a_lock_out_has_an_end_set_by_the_policy(client, app, seeded):
    for n in range(6):
        _login(client, "supervisor", f"no {n}")
    with make_sessionmaker(app.state.engine)() as session:
        until = session.scalar(select(func.max(SignInThrottle.locked_until)))
    assert until is not None and utcnow() + timedelta(seconds=SLOW - 10) < until <= utcnow() + timedelta(seconds=SLOW)


def test_loopback_is_not_throttled_as_an_address(client, seeded):
    """The embedded server's one client (and a same-host proxy) is loopback: only the per-user count applies."""
    for n in range(30):
        assert _login(client, f"nobody{n}", "password-spray").status_code == 401
    assert _login(client, "detention", DEMO_PASSWORD).status_code == 200
