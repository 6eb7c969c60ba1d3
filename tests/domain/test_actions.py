"""Investigation action state machine (domain.md §5.2)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.actions import ActionEvent as E
from domain.actions import ActionState as S
from domain.actions import next_action_number, transition
from domain.roles import Role

SUP, INV = Role.SUPERVISOR, Role.INVESTIGATOR


@pytest.mark.parametrize(
    ("state", "event", "role", "allocated", "reason", "to", "refusal"),
    [
        (S.RAISED, E.ALLOCATE, SUP, False, "", S.ALLOCATED, ""),
        (S.RAISED, E.ALLOCATE, INV, False, "", None, "action manager"),
        (S.ALLOCATED, E.SUBMIT_RESULT, INV, True, "", S.RESULTED, ""),
        (S.ALLOCATED, E.SUBMIT_RESULT, INV, False, "", None, "allocated to"),
        (S.RAISED, E.SUBMIT_RESULT, INV, True, "", None, "cannot be resulted"),
        (S.RESULTED, E.FILE, SUP, False, "", S.FILED, ""),
        (S.RESULTED, E.FURTHER_ACTION, SUP, False, "", S.FILED, ""),
        (S.RESULTED, E.RETURN, SUP, False, "Statement unsigned", S.ALLOCATED, ""),
        (S.RESULTED, E.RETURN, SUP, False, "", None, "reason"),
        (S.ALLOCATED, E.REFER, SUP, False, "Await forensic results", S.REFERRED, ""),
        (S.REFERRED, E.ALLOCATE, SUP, False, "", S.ALLOCATED, ""),
        (S.REFERRED, E.FILE, SUP, False, "", S.FILED, ""),
        (S.ALLOCATED, E.CANCEL, SUP, False, "Duplicate of A3", S.CANCELLED, ""),
        (S.ALLOCATED, E.CANCEL, SUP, False, " ", None, "reason"),
        (S.ALLOCATED, E.FILE, SUP, False, "", None, "cannot be filed"),
        (S.FILED, E.ALLOCATE, SUP, False, "", None, "cannot be changed"),
        (S.CANCELLED, E.CANCEL, SUP, False, "again", None, "cannot be changed"),
    ],
)
def test_transitions(state, event, role, allocated, reason, to, refusal):
    t = transition(state, event, role, allocated, reason=reason)
    assert t.new_state == to
    assert refusal in t.reason
    assert t.ok is (to is not None)


def test_further_action_asks_for_new_action():
    assert transition(S.RESULTED, E.FURTHER_ACTION, SUP, False).raise_further_action
    assert not transition(S.RESULTED, E.FILE, SUP, False).raise_further_action


@pytest.mark.parametrize(("existing", "nxt"), [([], "A1"), (["A1", "A2"], "A3"), (["A1", "A7", "S3"], "A8")])
def test_numbering(existing, nxt):
    assert next_action_number(existing) == nxt


@given(st.lists(st.sampled_from(list(E)), max_size=20), st.sampled_from([SUP, INV]), st.booleans())
def test_terminal_states_are_final(events, role, allocated):
    state = S.RAISED
    for ev in events:
        t = transition(state, ev, role, allocated, reason="r")
        if state in (S.FILED, S.CANCELLED):
            assert not t.ok
        if t.ok:
            state = t.new_state
