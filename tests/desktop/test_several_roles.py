"""A user holding several roles (issue 12) sees every one of their roles' menus, docks and buttons, not only the
first role's: the client decides by session.roles, as the server does."""

from __future__ import annotations

import uuid

from desktop.session import roles_of
from desktop.views.custody.rights_dialog import may_delay
from desktop.views.custody.review_dialog import reviewer_refusal
from domain.rights import Right
from server.demo import DEMO_PASSWORD
from tests.desktop.harness import signed_in_client


def _two_role_user(url: str, *roles: str) -> str:
    admin = signed_in_client(url, "admin")
    try:
        username = f"ds.{uuid.uuid4().hex[:8]}"
        admin.request("POST", "/admin/users", json={
            "id": str(uuid.uuid4()), "username": username, "display_name": "DS Kenver Polglase",
            "rank": "Detective sergeant", "collar_number": "DS2290", "home_suite": "Portharrow custody suite",
            "roles": list(roles), "password": DEMO_PASSWORD})
        return username
    finally:
        admin.close()


def test_a_supervisor_who_is_also_a_custody_sergeant_sees_both_roles_menus(qtbot, make_window, demo_server):
    # Supervisor first: what went by the first role alone hid every custody-suite action from this user.
    username = _two_role_user(demo_server.url, "supervisor", "custody_sergeant")
    window = make_window(demo_server.url, username=username)
    assert window.session.role == "supervisor"
    assert window.session.roles == {"supervisor", "custody_sergeant"}

    custody = window.areas["custody"]
    for key in ("book_in", "cell_check", "rights"):
        assert custody.actions[key].isVisible(), key  # custody staff
    assert custody.risk_panel.reassess_button.isVisibleTo(custody.risk_panel)  # a custody sergeant's button

    people = window.areas["people"]
    assert people.actions["merge"].isVisible()  # a supervisor's
    assert people.person_panel.merge_button.isVisibleTo(people.person_panel)
    investigations = window.areas["investigations"]
    panel = investigations.actions_panel
    # An action's buttons need an action chosen (issue 13): open an investigation's actions, choose one. One that
    # has actions: other tests on the shared demo server add investigations without any, which may list first.
    api = signed_in_client(demo_server.url, "supervisor")
    try:
        with_actions = next(i["id"] for i in api.request("GET", "/investigations")
                            if api.request("GET", f"/investigations/{i['id']}/actions"))
    finally:
        api.close()
    qtbot.waitUntil(lambda: panel.scope_combo.count() > 1, timeout=10_000)
    panel.show_investigation(with_actions)
    # Waited on what is shown, not on the next `loaded` (an earlier load of "My actions" may be the one heard).
    qtbot.waitUntil(lambda: panel.scope_combo.currentData() == with_actions and panel.model.rowCount() > 0,
                    timeout=10_000)
    assert panel.select_action(panel.model.row(0)["id"])
    for key in ("allocate", "review", "refer", "cancel"):
        assert investigations.actions[key].isEnabled(), key  # the action manager's
        assert investigations.actions_panel.buttons[key].isEnabled(), key
    admin = window.areas["admin"]
    assert admin.actions["audit"].isVisible() and not admin.actions["users"].isVisible()  # not an administrator


def test_rules_checked_before_sending_go_by_every_role_held():
    inspector_too = roles_of({"role": "investigator", "roles": ["investigator", "inspector"]})
    assert inspector_too == {"investigator", "inspector"}
    assert roles_of({"role": "custody_sergeant"}) == {"custody_sergeant"}  # an older server
    assert may_delay(inspector_too, Right.SOMEONE_INFORMED)
    assert not may_delay(frozenset({"investigator"}), Right.SOMEONE_INFORMED)
    record = {"involved_officer_ids": [], "charged_at": None}
    assert reviewer_refusal(record, "u1", inspector_too) is None
    assert reviewer_refusal(record, "u1", frozenset({"investigator"})) is not None
