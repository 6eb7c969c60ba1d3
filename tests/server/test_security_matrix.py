"""The role x endpoint matrix of docs/security.md, checked against the running server (issue 12).

The table in the document is the data: each row's role gate is parsed and every endpoint is called by each of
the eight roles (and without a token). A role outside the gate must get 403; a role inside must not (it may get
404 or 422: the ids are made up and the bodies empty, which is the point: the gate is checked first)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from domain.roles import Role
from server.demo import DEMO_USERS
from tests.server.conftest import login

API = "/api/v1"
DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
ROW = re.compile(r"^\| (GET|POST|PATCH|PUT|DELETE) \| `([^`]+)` \| ([^|]+) \|")


def matrix() -> list[tuple[str, str, str]]:
    text = DOC.read_text(encoding="utf-8")
    block = text[text.index("<!-- matrix:start -->"):text.index("<!-- matrix:end -->")]
    return [(m[1], m[2], m[3].strip()) for line in block.splitlines() if (m := ROW.match(line))]


def allowed(gate: str) -> frozenset[Role] | None:
    """None: no sign-in needed; else the roles the gate lets through."""
    if gate == "anyone":
        return None
    if gate == "signed in":
        return frozenset(Role)
    return frozenset(Role(name.strip()) for name in gate.split(","))


def test_the_matrix_lists_every_endpoint_once(api_description):
    rows = matrix()
    listed = [(method, path) for method, path, _ in rows]
    assert len(listed) == len(set(listed)), "an endpoint is listed twice"
    served = {(method.upper(), path.removeprefix(API)) for path, ops in api_description["paths"].items()
              for method in ops}
    assert set(listed) == served, (f"missing from docs/security.md: {sorted(served - set(listed))}; "
                                   f"listed but not served: {sorted(set(listed) - served)}")
    for _, _, gate in rows:
        allowed(gate)  # every gate names real roles


def _call(client, method: str, path: str, headers: dict[str, str]):
    concrete = re.sub(r"\{[a-z_]+\}", lambda _: str(uuid.uuid4()), path)
    headers = {**headers, "Idempotency-Key": str(uuid.uuid4()), "If-Match": "1", "X-Access-Reason": "matrix"}
    body = {} if method in ("POST", "PATCH", "PUT") else None
    return client.request(method, API + concrete, headers=headers, json=body)


def test_each_role_is_let_through_exactly_the_gates_that_name_it(client, seeded):
    role_of = {username: Role(role) for username, _, _, _, role in DEMO_USERS}
    tokens = {role_of[username]: login(client, username) for username in role_of}
    assert set(tokens) == set(Role)
    wrong = []
    rows = sorted(matrix(), key=lambda row: row[1] == "/auth/logout")  # signing out last: it ends the session
    for method, path, gate in rows:
        roles = allowed(gate)
        anonymous = _call(client, method, path, {})
        if roles is not None and anonymous.status_code != 401:
            wrong.append(f"{method} {path} without a token: {anonymous.status_code}")
        if roles is None:
            continue
        for role, auth in tokens.items():
            status = _call(client, method, path, auth).status_code
            if (status == 403) == (role in roles):
                wrong.append(f"{method} {path} as {role.value}: {status}")
    assert not wrong, "the server and docs/security.md disagree:\n" + "\n".join(wrong)


@pytest.mark.parametrize("gate, roles", [("supervisor", {Role.SUPERVISOR}), ("anyone", None)])
def test_gates_are_read_as_written(gate, roles):
    assert allowed(gate) == (frozenset(roles) if roles is not None else None)
