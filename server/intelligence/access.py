"""Need to know: who may see which intelligence report (domain.roles.INTELLIGENCE_ROLES)."""

from __future__ import annotations

from collections.abc import Iterable

from domain.grading import HandlingCode
from domain.roles import INTELLIGENCE_ROLES, Role

DISSEMINATED = "disseminated"


def in_intelligence_role(roles: Iterable[str]) -> bool:
    """Any one of the roles held (a user may hold several, issue 12) is enough."""
    return any(Role(r) in INTELLIGENCE_ROLES for r in roles)


def may_see(roles: Iterable[str], handling_code: str, status: str) -> bool:
    """Intelligence roles see everything; others only disseminated reports with handling code P."""
    if in_intelligence_role(roles):
        return True
    return handling_code == HandlingCode.PERMITTED.value and status == DISSEMINATED


def refusal(handling_code: str, status: str) -> str:
    if handling_code == HandlingCode.CONDITIONS.value:
        return ("This report has handling code C (sharing with conditions): only intelligence officers and "
                "supervisors may open it.")
    return (f"This report is {status}, not yet disseminated: only intelligence officers and supervisors may "
            "open it before it has been quality-assured and disseminated.")
