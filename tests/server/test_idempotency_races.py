"""A retry that arrives while its first attempt is still running waits for it (issue 9), on SQLite and
PostgreSQL: it replays the first answer when the first attempt succeeded, and does the work itself when the first
attempt failed and rolled back. Two real sessions on the real database, no mocks."""

from __future__ import annotations

import threading
import uuid

import pytest

from server.db import make_sessionmaker
from server.errors import ProblemError
from server.idempotency import Idempotency


def _attempt(factory, key: str, outcome: list, *, started: threading.Event | None = None,
             gate: threading.Event | None = None, fail: bool = False) -> None:
    def produce() -> dict:
        if started is not None:
            started.set()
        if gate is not None:
            assert gate.wait(30)
        if fail:
            raise ProblemError(422, "The first attempt was refused.")
        return {"id": "first" if started is not None else "retry"}

    with factory() as session:
        try:
            response = Idempotency(session, "user-1", key, "POST", "/api/v1/people", "digest").run(201, produce)
            session.commit()
            outcome.append((response.status_code, response.body, response.headers.get("idempotent-replayed")))
        except ProblemError as error:
            session.rollback()
            outcome.append((error.status, None, None))


@pytest.mark.parametrize("first_fails", [False, True], ids=["first-succeeds", "first-fails"])
def test_a_racing_retry_waits_for_the_first_attempt(app, first_fails):
    factory = make_sessionmaker(app.state.engine)
    key, first, retry = str(uuid.uuid4()), [], []
    started, gate = threading.Event(), threading.Event()
    one = threading.Thread(target=_attempt, args=(factory, key, first),
                           kwargs={"started": started, "gate": gate, "fail": first_fails})
    one.start()
    assert started.wait(30)  # the first attempt holds the key and is still working
    two = threading.Thread(target=_attempt, args=(factory, key, retry))
    two.start()
    two.join(0.5)
    assert two.is_alive() and not retry  # the retry waits; it does not answer 409 or run the work alongside
    gate.set()
    one.join(30)
    two.join(30)
    if first_fails:
        assert first == [(422, None, None)]
        assert retry == [(201, b'{"id":"retry"}', None)]  # the retry did the work itself
    else:
        assert first == [(201, b'{"id":"first"}', None)]
        assert retry == [(201, b'{"id":"first"}', "true")]  # the first answer, replayed
