"""A 412 where there is no form to compare in (a panel's button, a change queued earlier whose form is gone) is
said in words a person understands: what changed, by whom, and what to do; never a bare error (issue 11)."""

from __future__ import annotations

import uuid

from desktop.sync.client import ApiError
from desktop.sync.local_store import CONFLICT, OutboxItem
from desktop.timefmt import utc_now
from desktop.views.forms.refusal import conflict_text, conflict_words, refusal_text
from desktop.views.shell.unsent_changes import why
from tests.desktop.custody.helpers import Announcements
from tests.desktop.harness import signed_in_client


def _stale_step(url: str) -> tuple[dict, ApiError]:
    """A real 412 from the server: a step on an action sent with a version it is not at (nothing changes)."""
    client = signed_in_client(url, "supervisor")
    try:
        action = next(a for a in client.actions(mine=False) if a["status"] not in ("cancelled", "filed"))
        try:
            client.request("POST", f"/actions/{action['id']}/transitions",
                           json={"event": "cancel", "reason": "Fictional: duplicate."},
                           headers={"If-Match": str(int(action["version"]) + 7),
                                    "Idempotency-Key": str(uuid.uuid4())})
        except ApiError as exc:
            return action, exc
    finally:
        client.close()
    raise AssertionError("the stale step was accepted")


def test_a_panel_step_on_a_stale_copy_says_what_changed_by_whom_and_what_to_do(demo_server):
    action, error = _stale_step(demo_server.url)
    assert error.status == 412 and error.current is not None
    text = refusal_text(error, "action")
    last = action["history"][-1]
    assert text.startswith(f"Someone else changed this action meanwhile: {last['by']['display_name']} ")  # who
    assert f"it is now {action['status_title']}, version {action['version']}" in text  # what it is now
    assert "Your change was not applied and theirs was not overwritten" in text  # what happened
    assert "if yours still applies, make it again" in text and "Unsent changes (Ctrl+Alt+O)" in text  # what to do
    assert "412" not in text and "Precondition" not in text  # no bare error


def test_without_the_current_copy_the_plain_conflict_wording_is_kept():
    assert conflict_words(ApiError(412, "Precondition failed"), "report") == conflict_text("report")
    assert refusal_text(ApiError(412, "Stale")) == conflict_text("record")


def test_unsent_changes_says_who_changed_a_conflicted_record_first():
    current = {"version": 4, "status": "allocated",
               "history": [{"at": "2026-11-30T09:00:00+00:00", "by": {"display_name": "DC Rafe Illingsworth"},
                            "event": "raise", "to_status": "raised"},
                           {"at": "2026-11-30T10:15:00+00:00", "by": {"display_name": "DS Caradoc Whitlow"},
                            "event": "allocate", "to_status": "allocated"}]}
    item = OutboxItem(str(uuid.uuid4()), "POST", f"/actions/{uuid.uuid4()}/transitions", {"event": "cancel"},
                      utc_now(), 1, "changed", CONFLICT, error={"status": 412, "body": {"current": current}})
    words = why(item, {item.id: item}, {item.id: "Action step"})
    assert words.startswith("Conflict: DS Caradoc Whitlow (made it allocated at ")
    assert "Resending sends yours over the current version; discarding keeps theirs" in words


def test_an_earlier_change_in_conflict_with_nothing_to_compare_is_announced_in_words(qtbot, make_window,
                                                                                      demo_server):
    window = make_window(demo_server.url)
    from desktop.views.shell.offline_work import install_offline_work

    install_offline_work(window)
    heard = Announcements()
    try:
        item = OutboxItem(str(uuid.uuid4()), "POST", f"/intelligence/reports/{uuid.uuid4()}/disseminate", {},
                          utc_now(), 1, "changed", CONFLICT)
        window.writes.conflict_handler(item, ApiError(412, "Precondition failed"))
        assert heard.assertive("Intelligence report: Someone else changed this record meanwhile")
    finally:
        heard.close()
