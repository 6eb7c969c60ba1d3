"""Interviews of a detainee: who may authorise an urgent interview without the appropriate adult, and the words
the custody record uses for special warnings and outcomes (domain.md §1.9, §1.10; Code C 11.15, 11.18).

The rank that may authorise an urgent interview is force configuration (`interviews.urgent_authority_role`),
because domain.md marks it [U] (superintendent by default).
"""

from domain.decision import ALLOWED, Decision, refuse
from domain.rights import RANK
from domain.roles import ROLE_TITLES, Role

# Criminal Justice and Public Order Act 1994: inferences from failure to account for objects, marks or presence.
SPECIAL_WARNINGS: dict[str, str] = {
    "s36": "s.36 CJPOA 1994 (objects, substances or marks)",
    "s37": "s.37 CJPOA 1994 (presence at a place)",
}

OUTCOMES: dict[str, str] = {
    "answered_questions": "Answered questions",
    "no_comment": "No comment",
    "prepared_statement": "Prepared statement, then no comment",
    "admission": "Admitted the offence",
    "denial": "Denied the offence",
    "terminated": "Interview terminated",
}

URGENT_ROLES = tuple(RANK)  # the roles a force may name as the rank that authorises an urgent interview


def check_interview_start(*, appropriate_adult_awaited: bool, urgent_grounds: str | None,
                          authoriser_role: Role, required_role: Role) -> Decision:
    """May an interview start now? A juvenile or vulnerable detainee is not interviewed while the appropriate
    adult is awaited, unless an officer of `required_role` or above authorises an urgent interview, with grounds."""
    if not appropriate_adult_awaited:
        return ALLOWED
    title = ROLE_TITLES[required_role].lower()
    if urgent_grounds is None or not urgent_grounds.strip():
        return refuse("The appropriate adult has not arrived: wait for them, or record urgent-interview authority "
                      f"(a {title} or above, with the grounds; Code C 11.18).")
    if RANK.get(authoriser_role, 0) < RANK.get(required_role, 99):
        return refuse(f"Only a {title} or above may authorise an urgent interview without the appropriate adult.")
    return ALLOWED
