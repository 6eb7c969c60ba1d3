"""The PACE clock through the API: who may review, the review schedule from due times, postponement, the
superintendent's extension window and warrants of further detention."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.custody.models import DetentionAuthority, Review
from tests.server.custody.conftest import API, ago, book, count, fields, iso, new_id


def review(client, headers, record_id, at, kind="review", **extra):
    body = {"id": new_id(), "kind": kind, "at": iso(at), "outcome": "continue" if kind == "review" else None,
            "grounds": "Interview still to be held.", **extra}
    return client.post(f"{API}/records/{record_id}/reviews", json=body, headers=headers)


def authorised(record) -> datetime:
    return datetime.fromisoformat(record["detention_authorised_at"])


def test_review_rules_of_authority(client, h, users):
    record = book(client, h["sergeant"], arrived=ago(hours=7), officer_in_case_id=users["inspector"])
    assert users["inspector"] in record["involved_officer_ids"]
    involved = review(client, h["inspector"], record["id"], ago(minutes=30))
    assert involved.status_code == 403 and "involved" in involved.json()["detail"]
    for who in ("sergeant", "detention"):
        wrong_rank = review(client, h[who], record["id"], ago(minutes=30))
        assert wrong_rank.status_code == 403 and "inspector" in wrong_rank.json()["detail"]
    other = book(client, h["sergeant"], arrived=ago(hours=7),
                 person={"id": new_id(), "surname": "Roskilly", "forenames": "Anneka"})
    done = review(client, h["inspector"], other["id"], ago(minutes=30))
    assert done.status_code == 201, done.text
    assert done.json()["number"] == 1 and done.json()["reviewer"]["rank"] == "Inspector"
    by_supt = review(client, h["superintendent"], other["id"], ago(minutes=20))
    assert by_supt.status_code == 201 and by_supt.json()["number"] == 2


def test_after_charge_the_custody_sergeant_reviews(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=7))
    client.post(f"{API}/records/{record['id']}/charge", json={"charged_at": iso(ago(minutes=40)), "summary": "Theft."},
                headers=h["sergeant"])
    inspector = review(client, h["inspector"], record["id"], ago(minutes=30))
    assert inspector.status_code == 403 and "custody officer" in inspector.json()["detail"]
    sergeant = review(client, h["sergeant"], record["id"], ago(minutes=30))
    assert sergeant.status_code == 201 and sergeant.json()["charged"] is True


def test_a_late_review_does_not_move_the_next_due_time(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=9))
    first_due = authorised(record) + timedelta(hours=6)
    late = review(client, h["inspector"], record["id"], first_due + timedelta(hours=2))
    assert late.status_code == 201
    assert late.json()["late"] is True and datetime.fromisoformat(late.json()["due_at"]) == first_due
    current = client.get(f"{API}/records/{record['id']}", headers=h["sergeant"]).json()
    assert current["reviews_done"] == 1 and current["review_number_due"] == 2
    assert datetime.fromisoformat(current["next_review_due"]) == first_due + timedelta(hours=9)
    log = client.get(f"{API}/records/{record['id']}/log", headers=h["sergeant"]).json()
    assert any(e["kind"] == "review" and "late" in e["text"] for e in log)


def test_postponement_needs_a_reason_and_keeps_the_review_due(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=6))  # review 1 due in 10 minutes
    due = authorised(record) + timedelta(hours=6)
    no_reason = review(client, h["inspector"], record["id"], ago(minutes=5), kind="postponement", grounds=" ")
    assert no_reason.status_code == 422 and "grounds" in fields(no_reason)
    postponed = review(client, h["inspector"], record["id"], ago(minutes=5), kind="postponement",
                       grounds="Detainee being interviewed; review now would prejudice it.")
    assert postponed.status_code == 201 and postponed.json()["kind"] == "postponement"
    current = client.get(f"{API}/records/{record['id']}", headers=h["sergeant"]).json()
    assert current["reviews_done"] == 0 and current["review_number_due"] == 1
    assert datetime.fromisoformat(current["next_review_due"]) == due


def test_a_review_without_an_outcome_or_before_authorisation_is_refused(client, h, app):
    record = book(client, h["sergeant"], arrived=ago(hours=2), detention=False)
    unauthorised = review(client, h["inspector"], record["id"], ago(minutes=5))
    assert unauthorised.status_code == 422 and "kind" in fields(unauthorised)
    other = book(client, h["sergeant"], arrived=ago(hours=2), person={"id": new_id(), "surname": "Jago",
                                                                       "forenames": "Wenna"})
    no_outcome = review(client, h["inspector"], other["id"], ago(minutes=5), outcome=None)
    assert no_outcome.status_code == 422 and "outcome" in fields(no_outcome)
    assert count(app, Review) == 0


def _two_reviews(client, h, record):
    for _n, at in ((1, authorised(record) + timedelta(hours=5)), (2, authorised(record) + timedelta(hours=14))):
        assert review(client, h["inspector"], record["id"], at).status_code == 201


def extension(client, headers, record_id, authorised_at, expires_at):
    return client.post(f"{API}/records/{record_id}/extensions", headers=headers,
                       json={"id": new_id(), "authorised_at": iso(authorised_at), "expires_at": iso(expires_at),
                             "grounds": "Forensic results awaited; detention necessary to secure evidence."})


def test_superintendent_extension_window(client, h, app):
    arrived = ago(hours=20)
    record = book(client, h["sergeant"], arrived=arrived)
    relevant = datetime.fromisoformat(record["relevant_time"])
    early = extension(client, h["superintendent"], record["id"], ago(minutes=1), relevant + timedelta(hours=36))
    assert early.status_code == 422 and "second review" in fields(early)["authorised_at"]
    _two_reviews(client, h, record)
    by_inspector = extension(client, h["inspector"], record["id"], ago(minutes=1), relevant + timedelta(hours=36))
    assert by_inspector.status_code == 403 and "superintendent" in by_inspector.json()["detail"]
    too_long = extension(client, h["superintendent"], record["id"], ago(minutes=1), relevant + timedelta(hours=40))
    assert too_long.status_code == 422 and "36 hours" in fields(too_long)["expires_at"]
    ok = extension(client, h["superintendent"], record["id"], ago(minutes=1), relevant + timedelta(hours=36))
    assert ok.status_code == 201, ok.text
    assert ok.json()["kind"] == "superintendent_extension" and ok.json()["authorised_by"]["rank"] == "Superintendent"
    current = client.get(f"{API}/records/{record['id']}", headers=h["sergeant"]).json()
    assert datetime.fromisoformat(current["detention_limit_at"]) == relevant + timedelta(hours=36)
    assert len(current["authorities"]) == 1
    assert count(app, DetentionAuthority) == 1


def test_no_extension_after_24_hours_or_for_a_summary_offence(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=26))
    _two_reviews(client, h, record)
    relevant = datetime.fromisoformat(record["relevant_time"])
    late = extension(client, h["superintendent"], record["id"], ago(minutes=1), relevant + timedelta(hours=36))
    assert late.status_code == 422 and "authorised_at" in fields(late)
    summary = book(client, h["sergeant"], arrived=ago(hours=20), offences=["CJ88001"],
                   person={"id": new_id(), "surname": "Nance", "forenames": "Bryok"})
    assert summary["offence_indictable"] is False
    _two_reviews(client, h, summary)
    refused = extension(client, h["superintendent"], summary["id"], ago(minutes=1),
                        datetime.fromisoformat(summary["relevant_time"]) + timedelta(hours=36))
    assert refused.status_code == 422 and "indictable" in refused.json()["detail"]


def warrant(client, headers, record_id, issued, expires, kind="warrant_of_further_detention", applied=None,
            court_not_sitting=False):
    applied = applied or issued - timedelta(minutes=30)
    return client.post(f"{API}/records/{record_id}/warrants", headers=headers,
                       json={"id": new_id(), "kind": kind, "applied_at": iso(applied), "issued_at": iso(issued),
                             "expires_at": iso(expires), "court_not_sitting": court_not_sitting,
                             "court": "Portharrow Magistrates' Court", "reference": "WFD/2026/0042"})


def test_warrants_are_recorded_by_the_custody_sergeant_within_96_hours(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=30))
    _two_reviews(client, h, record)
    relevant = datetime.fromisoformat(record["relevant_time"])
    ext = extension(client, h["superintendent"], record["id"], relevant + timedelta(hours=23),
                    relevant + timedelta(hours=36))
    assert ext.status_code == 201, ext.text
    issued = ago(minutes=5)
    by_inspector = warrant(client, h["inspector"], record["id"], issued, issued + timedelta(hours=30))
    assert by_inspector.status_code == 403
    extension_first = warrant(client, h["sergeant"], record["id"], issued, issued + timedelta(hours=30),
                              kind="extension_of_warrant")
    assert extension_first.status_code == 422 and "kind" in fields(extension_first)
    too_long = warrant(client, h["sergeant"], record["id"], issued, issued + timedelta(hours=37))
    assert too_long.status_code == 422 and "expires_at" in fields(too_long)
    ok = warrant(client, h["sergeant"], record["id"], issued, issued + timedelta(hours=36))
    assert ok.status_code == 201, ok.text
    assert ok.json()["court"] == "Portharrow Magistrates' Court"
    current = client.get(f"{API}/records/{record['id']}", headers=h["sergeant"]).json()
    assert datetime.fromisoformat(current["detention_limit_at"]) == issued + timedelta(hours=36)


def test_a_warrant_extension_never_runs_past_96_hours(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=70))
    _two_reviews(client, h, record)
    relevant = datetime.fromisoformat(record["relevant_time"])
    assert extension(client, h["superintendent"], record["id"], relevant + timedelta(hours=23),
                     relevant + timedelta(hours=36)).status_code == 201
    first = warrant(client, h["sergeant"], record["id"], relevant + timedelta(hours=35), relevant + timedelta(hours=71))
    assert first.status_code == 201, first.text
    beyond = warrant(client, h["sergeant"], record["id"], relevant + timedelta(hours=69),
                     relevant + timedelta(hours=97), kind="extension_of_warrant")
    assert beyond.status_code == 422 and "96 hours" in fields(beyond)["expires_at"]
    to_96 = warrant(client, h["sergeant"], record["id"], relevant + timedelta(hours=69),
                    relevant + timedelta(hours=96), kind="extension_of_warrant")
    assert to_96.status_code == 201
    current = client.get(f"{API}/records/{record['id']}", headers=h["sergeant"]).json()
    assert current["detention_limit_at"] == current["absolute_limit_at"]


def test_a_warrant_applied_for_late_or_after_the_authority_ran_out_is_refused(client, h):
    """s.43(5): the application within 36 h of the relevant time (42 h when the court could not sit), while the
    detention is still authorised; a warrant issued after the authority ran out cannot revive it (issue 14: one was
    recorded at +50 h with no superintendent's extension and moved the limit to +86 h)."""
    record = book(client, h["sergeant"], arrived=ago(hours=51))
    relevant = datetime.fromisoformat(record["relevant_time"])
    at = relevant + timedelta(hours=50)
    no_extension = warrant(client, h["sergeant"], record["id"], at, at + timedelta(hours=36),
                           applied=relevant + timedelta(hours=30))
    assert no_extension.status_code == 422 and "authority to detain ended" in fields(no_extension)["applied_at"]
    revived = warrant(client, h["sergeant"], record["id"], at, at + timedelta(hours=36),
                      applied=relevant + timedelta(hours=20))
    assert revived.status_code == 422 and "cannot revive" in fields(revived)["issued_at"]
    current = client.get(f"{API}/records/{record['id']}", headers=h["sergeant"]).json()
    assert current["authorities"] == [] and \
        datetime.fromisoformat(current["detention_limit_at"]) == relevant + timedelta(hours=24)


def test_a_warrant_application_after_36_hours_needs_the_court_not_sitting(client, h):
    record = book(client, h["sergeant"], arrived=ago(hours=41))
    _two_reviews(client, h, record)
    relevant = datetime.fromisoformat(record["relevant_time"])
    assert extension(client, h["superintendent"], record["id"], relevant + timedelta(hours=23),
                     relevant + timedelta(hours=36)).status_code == 201
    applied, issued = relevant + timedelta(hours=37), relevant + timedelta(hours=40)
    late = warrant(client, h["sergeant"], record["id"], issued, issued + timedelta(hours=30), applied=applied)
    assert late.status_code == 422 and "must be made by" in fields(late)["applied_at"]
    before_applying = warrant(client, h["sergeant"], record["id"], applied - timedelta(hours=1),
                              issued + timedelta(hours=30), applied=applied, court_not_sitting=True)
    assert before_applying.status_code == 422 and "before the application" in fields(before_applying)["issued_at"]
    sitting_next = warrant(client, h["sergeant"], record["id"], issued, issued + timedelta(hours=30),
                           applied=applied, court_not_sitting=True)
    assert sitting_next.status_code == 201, sitting_next.text
    log = client.get(f"{API}/records/{record['id']}/log", headers=h["sergeant"]).json()
    assert any("the court could not sit" in e["text"] for e in log if e["kind"] == "extension")
