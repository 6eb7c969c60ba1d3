"""Issue 13: the log text the server writes (and the custody record prints) names an officer's rank once and never
ends a sentence with two full stops ("premises..")."""

from __future__ import annotations

from tests.server.custody.conftest import API, ago, book, iso, new_id, reassess


def test_disposal_and_observation_text_read_cleanly(client, h):
    record = book(client, h["sergeant"])
    rid = record["id"]
    level = client.post(f"{API}/records/{rid}/observation-level", headers=h["sergeant"],
                        json={"level": 1, "reason": "No concerns.", "set_at": iso(ago(minutes=20))})
    assert level.status_code == 200, level.text
    interview = client.post(f"{API}/records/{rid}/interviews", headers=h["sergeant"],
                            json={"id": new_id(), "started_at": iso(ago(minutes=15)), "location": "Interview room 2.",
                                  "interviewing_officers": ["DC 4093 Rafe Illingsworth"]})
    assert interview.status_code == 201, interview.text
    reassess(client, h["sergeant"], rid, "release")
    done = client.post(f"{API}/records/{rid}/disposal", headers=h["sergeant"],
                       json={"outcome": "no_further_action", "released_at": iso(ago(minutes=1)),
                             "summary": "Walked out of the premises."})
    assert done.status_code == 200, done.text
    log = client.get(f"{API}/records/{rid}/log", headers=h["sergeant"]).json()
    text = " ".join(e["text"] for e in log)
    assert "Summary: Walked out of the premises." in text and ".." not in text
    assert "Location: Interview room 2." in text
    assert "by Sgt Alys Penhallow" in text and "Sergeant Sgt" not in text
