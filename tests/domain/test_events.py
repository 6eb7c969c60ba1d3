"""The change-feed event types: every type the server emits is in domain.events.EventType, so the client's hub
and the server cannot drift apart. Found by reading server/ source (every call of a function named `emit`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from domain.events import EventType

SERVER = Path(__file__).resolve().parents[2] / "server"
KNOWN = {member.value for member in EventType}


def _emitted() -> list[tuple[str, ast.expr]]:
    """(where, type argument) for every emit(session, TYPE, ...) call in server/."""
    found = []
    for path in sorted(SERVER.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "emit":
                found.append((f"{path.relative_to(SERVER.parent)}:{node.lineno}", node.args[1]))
    return found


def _types_of(arg: ast.expr) -> list[str] | None:
    """The type strings one argument can take (as regexes): `EventType.X` and `a if c else b` of those; None
    for any other form (a string literal, an f-string, a variable): the server names every type it emits by
    its EventType member (server.events.emit takes one, and mypy checks the callers)."""
    if isinstance(arg, ast.IfExp):
        body, orelse = _types_of(arg.body), _types_of(arg.orelse)
        return None if body is None or orelse is None else body + orelse
    if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and arg.value.id == "EventType":
        member = EventType.__members__.get(arg.attr)
        return [re.escape(member.value)] if member is not None else [re.escape(f"EventType.{arg.attr}")]
    return None


# Calls whose type is passed through from a caller (the caller's literal is checked at its own call).
PASS_THROUGH = {"type_"}
EMITTED = [(where, arg) for where, arg in _emitted() if not (isinstance(arg, ast.Name) and arg.id in PASS_THROUGH)]


def test_the_server_emits_events():
    assert len(EMITTED) >= 15, "the scan found too few emit() calls: has server/ moved?"


@pytest.mark.parametrize(("where", "arg"), EMITTED, ids=[where for where, _ in EMITTED])
def test_every_emitted_type_is_listed(where, arg):
    patterns = _types_of(arg)
    assert patterns is not None, f"{where}: cannot read the event type {ast.unparse(arg)}; emit an EventType"
    for pattern in patterns:
        assert any(re.fullmatch(pattern, known) for known in KNOWN), (
            f"{where} emits {pattern!r}, which is not in domain.events.EventType")


def test_every_listed_type_is_emitted():
    """A listed type nobody emits is a subscriber that never hears anything."""
    patterns = [p for _, arg in EMITTED for p in (_types_of(arg) or [])]
    silent = sorted(known for known in KNOWN if not any(re.fullmatch(p, known) for p in patterns))
    assert not silent, f"listed in EventType but never emitted by server/: {silent}"


def test_values_are_the_wire_strings():
    assert EventType.CUSTODY_RECORD_UPDATED == "custody.record.updated"
    assert EventType.parse("custody.check.created") is EventType.CUSTODY_CHECK_CREATED
    assert EventType.parse("custody.something_new") is None
    assert EventType.ACTION_UPDATED.area == "investigations"
