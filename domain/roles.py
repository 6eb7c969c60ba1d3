"""The roles of the design and what each may see in the menus. The server enforces; the client reflects."""

from enum import StrEnum


class Role(StrEnum):
    DETENTION_OFFICER = "detention_officer"
    CUSTODY_SERGEANT = "custody_sergeant"
    INSPECTOR = "inspector"
    SUPERINTENDENT = "superintendent"
    INVESTIGATOR = "investigator"
    INTELLIGENCE_OFFICER = "intelligence_officer"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"


ROLE_TITLES: dict[Role, str] = {
    Role.DETENTION_OFFICER: "Detention officer",
    Role.CUSTODY_SERGEANT: "Custody sergeant",
    Role.INSPECTOR: "Inspector",
    Role.SUPERINTENDENT: "Superintendent",
    Role.INVESTIGATOR: "Investigator",
    Role.INTELLIGENCE_OFFICER: "Intelligence officer",
    Role.SUPERVISOR: "Supervisor",
    Role.ADMINISTRATOR: "Administrator",
}

# Roles that work in the custody suite and may write to a detainee's log.
CUSTODY_STAFF = frozenset(
    {Role.DETENTION_OFFICER, Role.CUSTODY_SERGEANT, Role.INSPECTOR, Role.SUPERINTENDENT}
)
# Need to know: intelligence with handling code C and unsanitised originals.
INTELLIGENCE_ROLES = frozenset({Role.INTELLIGENCE_OFFICER, Role.SUPERVISOR})
