"""Merging duplicates (supervisor), undoing a merge exactly, and the whole picture of a person."""

from __future__ import annotations

from tests.server.people.helpers import API, create_person, field_errors, headers, new_id


def _investigation_with(client, auth, person_id, role):
    inv = client.post(f"{API}/investigations", headers=auth, json={"id": new_id(), "title": "Theft of a bicycle"})
    assert inv.status_code == 201, inv.text
    linked = client.post(f"{API}/investigations/{inv.json()['id']}/people", headers=auth,
                         json={"id": new_id(), "person_id": person_id, "role": role})
    assert linked.status_code == 201, linked.text
    return inv.json()


def _report_about(client, auth, person_id, handling="P", conditions=""):
    response = client.post(f"{API}/intelligence/reports", headers=auth, json={
        "id": new_id(), "title": "Seen with stolen bikes", "source_reference": "SRC-9001",
        "original_text": "Neighbour at no. 4 saw him with bikes.", "sanitised_text": "Seen with bikes.",
        "source_evaluation": "2", "items": [{"text": "Seen with bikes", "assessment": "B"}],
        "handling_code": handling, "handling_conditions": conditions,
        "people": [{"person_id": person_id, "role": "subject"}]})
    assert response.status_code == 201, response.text
    return response.json()


def _picture(client, auth, person_id):
    response = client.get(f"{API}/people/{person_id}/picture", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def _links(picture):
    return ({c["record_id"] for c in picture["custody"]},
            {(i["investigation_id"], i["role"]) for i in picture["investigations"]},
            {(r["report_id"], r["role"]) for r in picture["intelligence"]})


def test_merge_moves_every_link_and_undo_restores_them_exactly(client, seeded, open_records):
    supervisor = headers(client, "supervisor")
    record = next(r for r in open_records if r["person"]["surname"] == "Elsworth")
    detainee_id = record["person"]["id"]
    duplicate = create_person(client, supervisor, surname="Ellsworth", forenames="Barnaby",
                              date_of_birth="1995-08-08", pnc_id="2009/0000231M",
                              aliases=[{"surname": "Elsworthy", "forenames": "Barney"}],
                              warning_markers=[{"code": "drugs"}])
    inv_a = _investigation_with(client, supervisor, detainee_id, "suspect")
    inv_b = _investigation_with(client, supervisor, duplicate["id"], "witness")
    rep_a = _report_about(client, supervisor, detainee_id)
    before_a, before_b = _links(_picture(client, supervisor, detainee_id)), _links(
        _picture(client, supervisor, duplicate["id"]))
    assert before_a == ({record["id"]}, {(inv_a["id"], "suspect")}, {(rep_a["id"], "subject")})
    assert before_b == (set(), {(inv_b["id"], "witness")}, set())

    body = {"id": new_id(), "survivor_id": duplicate["id"], "merged_id": detainee_id,
            "reason": "Same man: custody photo and PNC record match"}
    investigator = headers(client, "investigator")
    refused = client.post(f"{API}/people/merges", headers=investigator, json=body)
    assert refused.status_code == 403 and "supervisor" in refused.json()["detail"].lower()
    merged = client.post(f"{API}/people/merges", headers=supervisor, json=body)
    assert merged.status_code == 201, merged.text
    merge = merged.json()
    assert merge["merged_by"]["display_name"] == "DS Caradoc Whitlow" and merge["reason"].startswith("Same man")
    moved = {m["table"] for m in merge["moved_links"]}
    assert {"custody_records", "investigation_people", "intelligence_report_people"} <= moved

    survivor = _picture(client, supervisor, duplicate["id"])
    assert _links(survivor) == (before_a[0] | before_b[0], before_a[1] | before_b[1], before_a[2] | before_b[2])
    assert [p["id"] for p in survivor["merged_from"]] == [detainee_id]
    assert any(a["surname"] == "Elsworth" for a in survivor["person"]["aliases"]), "merged name kept as an alias"
    loser = client.get(f"{API}/people/{detainee_id}", headers=supervisor).json()
    assert loser["merged_into"] == duplicate["id"]
    custody = client.get(f"{API}/custody/records/{record['id']}", headers=headers(client, "sergeant")).json()
    assert custody["person"]["id"] == duplicate["id"]

    # The merged-away record no longer appears in searches; the survivor does.
    found = client.post(f"{API}/people/search", json={"q": "Barnaby Elsworth"}, headers=supervisor).json()
    ids = [r["person"]["id"] for r in found["results"]]
    assert duplicate["id"] in ids and detainee_id not in ids

    undo_blank = client.post(f"{API}/people/merges/{merge['id']}/undo", headers=supervisor, json={"reason": ""})
    assert "reason" in field_errors(undo_blank)
    undone = client.post(f"{API}/people/merges/{merge['id']}/undo", headers=supervisor,
                         json={"reason": "PNC bureau: two different men"})
    assert undone.status_code == 200, undone.text
    assert undone.json()["undone_by"]["display_name"] == "DS Caradoc Whitlow"
    assert _links(_picture(client, supervisor, detainee_id)) == before_a
    assert _links(_picture(client, supervisor, duplicate["id"])) == before_b
    restored = client.get(f"{API}/people/{duplicate['id']}", headers=supervisor).json()
    assert [a["surname"] for a in restored["aliases"]] == ["Elsworthy"]
    assert [m["code"] for m in restored["warning_markers"]] == ["drugs"]
    assert client.get(f"{API}/people/{detainee_id}", headers=supervisor).json()["merged_into"] is None
    assert client.post(f"{API}/people/merges/{merge['id']}/undo", headers=supervisor,
                       json={"reason": "again"}).status_code == 409
    history = client.get(f"{API}/people/{detainee_id}/merges", headers=supervisor).json()
    assert [m["id"] for m in history] == [merge["id"]]


def test_merge_into_itself_and_conflicting_pnc_ids_are_refused(client, seeded):
    supervisor = headers(client, "supervisor")
    one = create_person(client, supervisor, pnc_id="2012/0394773H")
    two = create_person(client, supervisor, pnc_id="2009/0000231M")
    itself = client.post(f"{API}/people/merges", headers=supervisor, json={
        "id": new_id(), "survivor_id": one["id"], "merged_id": one["id"], "reason": "duplicate"})
    assert itself.status_code == 422 and "itself" in field_errors(itself)["merged_id"]
    clash = client.post(f"{API}/people/merges", headers=supervisor, json={
        "id": new_id(), "survivor_id": one["id"], "merged_id": two["id"], "reason": "duplicate"})
    assert clash.status_code == 409 and "different PNC IDs" in clash.json()["detail"]


def test_picture_hides_handling_code_c_from_those_without_need_to_know(client, seeded):
    intel = headers(client, "intel")
    person = create_person(client, intel, surname="Strand", forenames="Oona")
    _report_about(client, intel, person["id"], handling="C", conditions="Force only; intelligence manager's authority")
    assert len(_picture(client, intel, person["id"])["intelligence"]) == 1
    assert _picture(client, headers(client, "investigator"), person["id"])["intelligence"] == []
