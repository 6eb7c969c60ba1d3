"""The users an administrator manages. Locked is said in words, not only shown."""

from __future__ import annotations

from typing import Any

from desktop.models.record_table import Column, RecordTable
from domain.roles import ROLE_TITLES, Role


def role_titles(user: dict[str, Any]) -> str:
    titles = []
    for role in user.get("roles") or [user.get("role")]:
        try:
            titles.append(ROLE_TITLES[Role(role)])
        except ValueError:
            titles.append(str(role))
    return ", ".join(titles)


def status_text(user: dict[str, Any]) -> str:
    return "Active" if user.get("active", True) else "Locked"


def sessions_text(user: dict[str, Any]) -> str:
    n = int(user.get("live_sessions") or 0)
    if not n:
        return "none"
    where = f", newest on {user['last_workstation']}" if user.get("last_workstation") else ""
    return f"{n}{where}"


class UsersModel(RecordTable):
    columns = (
        Column("Name", lambda u: u.get("display_name") or "", spoken=lambda u: f"{u.get('display_name', '')}, user "
                                                                             f"name {u.get('username', '')}"),
        Column("User name", lambda u: u.get("username") or ""),
        Column("Rank", lambda u: u.get("rank") or ""),
        Column("Collar", lambda u: u.get("collar_number") or "",
               spoken=lambda u: f"Collar number {u.get('collar_number') or 'none'}"),
        Column("Roles", role_titles, spoken=lambda u: f"Roles: {role_titles(u)}"),
        Column("Home suite", lambda u: u.get("home_suite") or "", spoken=lambda u: f"Home suite: "
                                                                                    f"{u.get('home_suite') or 'none'}"),
        Column("Status", status_text, spoken=lambda u: f"Account {status_text(u).lower()}"),
        Column("Sessions", sessions_text, spoken=lambda u: f"Signed-in sessions: {sessions_text(u)}"),
    )
