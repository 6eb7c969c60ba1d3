"""Investigation actions (MIR / HOLMES practice): states, allowed transitions, priority and numbering.

Source: /work/shared/domain.md §5.2 – queue order for allocation → allocated → completed/resulted → filed;
actions are reviewed and stay referred, are allocated or are filed; cancel/refer need a reason; every
transition timed and attributed (the caller records who and when).

Who may do what ([U]: MIRSAP role names were not retrieved; mapped onto the product's roles): the action
manager / receiver is a `supervisor`; the allocated officer submits the result.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.roles import Role


class ActionState(StrEnum):
    RAISED = "raised"  # for allocation
    ALLOCATED = "allocated"
    RESULTED = "resulted"  # completed, result submitted, awaiting review
    REFERRED = "referred"  # held back by the SIO/office manager for a decision
    FILED = "filed"
    CANCELLED = "cancelled"


STATE_TITLES: dict[ActionState, str] = {
    ActionState.RAISED: "For allocation",
    ActionState.ALLOCATED: "Allocated",
    ActionState.RESULTED: "Resulted – awaiting review",
    ActionState.REFERRED: "Referred",
    ActionState.FILED: "Filed",
    ActionState.CANCELLED: "Cancelled",
}


class ActionEvent(StrEnum):
    ALLOCATE = "allocate"
    SUBMIT_RESULT = "submit_result"
    FILE = "file"  # reviewed: nothing further
    FURTHER_ACTION = "further_action"  # reviewed: filed, and a further action is to be raised
    RETURN = "return"  # reviewed: result not good enough, back to the allocated officer
    REFER = "refer"
    CANCEL = "cancel"


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


TERMINAL = frozenset({ActionState.FILED, ActionState.CANCELLED})
MANAGERS = frozenset({Role.SUPERVISOR})

# (from, event) -> to
_TABLE: dict[tuple[ActionState, ActionEvent], ActionState] = {
    (ActionState.RAISED, ActionEvent.ALLOCATE): ActionState.ALLOCATED,
    (ActionState.REFERRED, ActionEvent.ALLOCATE): ActionState.ALLOCATED,
    (ActionState.ALLOCATED, ActionEvent.ALLOCATE): ActionState.ALLOCATED,  # re-allocation
    (ActionState.ALLOCATED, ActionEvent.SUBMIT_RESULT): ActionState.RESULTED,
    (ActionState.RESULTED, ActionEvent.FILE): ActionState.FILED,
    (ActionState.RESULTED, ActionEvent.FURTHER_ACTION): ActionState.FILED,
    (ActionState.RESULTED, ActionEvent.RETURN): ActionState.ALLOCATED,
    (ActionState.REFERRED, ActionEvent.FILE): ActionState.FILED,
    (ActionState.RAISED, ActionEvent.REFER): ActionState.REFERRED,
    (ActionState.ALLOCATED, ActionEvent.REFER): ActionState.REFERRED,
    (ActionState.RESULTED, ActionEvent.REFER): ActionState.REFERRED,
}
NEEDS_REASON = frozenset({ActionEvent.CANCEL, ActionEvent.REFER, ActionEvent.RETURN})


@dataclass(frozen=True)
class Transition:
    ok: bool
    new_state: ActionState | None = None
    reason: str = ""  # why refused
    raise_further_action: bool = False

    def __bool__(self) -> bool:
        return self.ok


def transition(
    state: ActionState,
    event: ActionEvent,
    actor_role: Role,
    is_allocated_officer: bool,
    *,
    reason: str = "",
) -> Transition:
    """The state after `event`, or a refusal in plain English."""
    if state in TERMINAL:
        return Transition(False, reason=f"This action is {state.value}; it cannot be changed. Raise a new action.")
    if event is ActionEvent.SUBMIT_RESULT:
        if not is_allocated_officer:
            return Transition(False, reason="Only the officer the action is allocated to can submit its result.")
    elif actor_role not in MANAGERS:
        return Transition(False, reason="Only the action manager (a supervisor) can allocate, review, refer or "
                                        "cancel actions.")
    if event in NEEDS_REASON and not reason.strip():
        return Transition(False, reason=f"Give the reason to {event.value} this action; it is recorded.")
    if event is ActionEvent.CANCEL:
        return Transition(True, ActionState.CANCELLED)
    target = _TABLE.get((state, event))
    if target is None:
        return Transition(False, reason=f"An action that is '{STATE_TITLES[state]}' cannot be "
                                        f"{_PAST[event]}.")
    return Transition(True, target, raise_further_action=event is ActionEvent.FURTHER_ACTION)


_PAST = {
    ActionEvent.ALLOCATE: "allocated",
    ActionEvent.SUBMIT_RESULT: "resulted",
    ActionEvent.FILE: "filed",
    ActionEvent.FURTHER_ACTION: "reviewed for further action",
    ActionEvent.RETURN: "returned",
    ActionEvent.REFER: "referred",
    ActionEvent.CANCEL: "cancelled",
}

_NUMBER = re.compile(r"^A(\d+)$")


def next_action_number(existing: Iterable[str]) -> str:
    """Actions are numbered A1, A2, … per investigation; gaps (cancelled actions) are never reused."""
    highest = 0
    for ref in existing:
        if m := _NUMBER.match(ref):
            highest = max(highest, int(m.group(1)))
    return f"A{highest + 1}"
