"""Need to know: who may see which intelligence report (domain.roles.INTELLIGENCE_ROLES)."""

from __future__ import annotations

from domain.grading import HandlingCode
from domain.roles import INTELLIGENCE_ROLES, Role

DISSEMINATED = "disseminated"


def in_intelligence_role(role: str) -> bool:
    return Role(role) in INTELLIGENCE_ROLES


def may_see(role: str, handling_code: str, status: str) -> bool:
    """Intelligence roles see everything; others only disseminated reports with handling code P."""
    if in_intelligence_role(role):
        return True
    return handling_code == HandlingCode.PERMITTED.value and status == DISSEMINATED


def refusal(handling_code: str, status: str) -> str:
    if handling_code == HandlingCode.CONDITIONS.value:
        return ("This report has handling code C (sharing with conditions): only intelligence officers and "
                "supervisors may open it.")
    return (f"This report is {status}, not yet disseminated: only intelligence officers and supervisors may "
            "open it before it has been quality-assured and disseminated.")
