"""The local store's side of attribution (issue 11): which rows a signed-in user's sender may send, which wait for
another officer, and that only a row's author may resend or discard it. Plain Python, real SQLite file."""

from __future__ import annotations

import uuid

from desktop.sync.local_store import (PENDING, REJECTED, SETTLED_KEEP_HOURS, Author, LocalStore,
                                      settled_keep_hours)

SERGEANT = Author("u-sergeant", "Sgt Alys Penhallow (sergeant)", "CUSTODY-WS3")
DETENTION = Author("u-detention", "Morwenna Trask (detention)", "CUSTODY-WS3")


def test_author_of_the_signed_in_user():
    user = {"id": "u1", "username": "sergeant", "display_name": "Sgt Alys Penhallow"}
    author = Author.of(user, "CUSTODY-WS3")
    assert author == Author("u1", "Sgt Alys Penhallow (sergeant)", "CUSTODY-WS3")
    assert Author.of(None) is None and Author.of({"username": "no id"}) is None
    assert Author.of(user) is not None and Author.of(user).workstation  # the host name by default


def test_each_user_sends_only_their_rows_and_sees_the_others_waiting(tmp_path):
    store = LocalStore(tmp_path)
    try:
        record = f"/custody/records/{uuid.uuid4()}/log"
        theirs = store.add_outbox("POST", record, {"n": 1}, author=SERGEANT)
        mine = store.add_outbox("POST", record, {"n": 2}, author=DETENTION)
        legacy = store.add_outbox("POST", record, {"n": 3})  # queued before rows carried an author
        assert theirs.author_name == SERGEANT.name and theirs.workstation == "CUSTODY-WS3"

        assert [r.id for r in store.pending(DETENTION.id)] == [mine.id, legacy.id]  # not the sergeant's
        assert store.pending_count(DETENTION.id) == 2 and store.others_count(DETENTION.id) == 1
        assert [r.id for r in store.unsent(DETENTION.id)] == [theirs.id]  # listed, with its author
        assert [r.id for r in store.pending(SERGEANT.id)] == [theirs.id, legacy.id]
        assert [r.id for r in store.pending()] == [theirs.id, mine.id, legacy.id]  # a sender for no one: all

        # Only its author may give a row up or resend it.
        assert store.discard(theirs.id, "not mine", "detention", author_id=DETENTION.id) is None
        assert store.outbox_item(theirs.id).state == PENDING
        store.mark_rejected(theirs.id, "refused", {"status": 422})
        assert store.resend(theirs.id, {"n": 1}, author_id=DETENTION.id) is None
        assert store.outbox_item(theirs.id).state == REJECTED
        # The sergeant's set-aside row holds back nothing of the detention officer's on the same record.
        assert all(r.waiting_behind is None for r in store.pending(DETENTION.id))
        assert store.set_aside_count(DETENTION.id) == 0 and store.set_aside_count(SERGEANT.id) == 1
        assert store.resend(theirs.id, {"n": 1}, author_id=SERGEANT.id) is not None
    finally:
        store.close()


def test_the_purge_age_setting():
    assert settled_keep_hours({}) == SETTLED_KEEP_HOURS
    assert settled_keep_hours({"BRIDEWELL_OUTBOX_KEEP_HOURS": "2.5"}) == 2.5
    assert settled_keep_hours({"BRIDEWELL_OUTBOX_KEEP_HOURS": "0"}) == 0
    for bad in ("soon", "-1", "nan"):
        assert settled_keep_hours({"BRIDEWELL_OUTBOX_KEEP_HOURS": bad}) == SETTLED_KEEP_HOURS
