"""A closed local store stays closed: a worker that outlives the window gets an error, not a fresh connection
that nobody closes (which surfaced as "ResourceWarning: unclosed database" in whichever test GC ran next)."""

import gc
import warnings

import pytest

from desktop.sync.local_store import LocalStore, StoreClosed


def test_a_closed_store_refuses_work_instead_of_reopening_the_file(tmp_path):
    store = LocalStore(tmp_path)
    store.add_outbox("POST", "/custody/records/r1/log", {"text": "Fictional entry"})
    store.close()
    with pytest.raises(StoreClosed):
        store.pending()
    with pytest.raises(StoreClosed):
        store.cache_put("k", "v")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        del store
        gc.collect()  # nothing left open to warn about


def test_pending_for_record_reads_only_that_records_pending_rows(tmp_path):
    """A detainee switch reads that record's waiting writes, not the whole outbox (issue 17)."""
    store = LocalStore(tmp_path)
    # Record ids are client-made UUIDs (the outbox's record key is found from them).
    r1, r10, r2 = ("3f1c0b6e-0000-4000-8000-000000000001", "3f1c0b6e-0000-4000-8000-00000000000a",
                   "3f1c0b6e-0000-4000-8000-000000000002")
    try:
        mine = store.add_outbox("POST", f"/custody/records/{r1}/log", {"n": 1})
        store.add_outbox("POST", f"/custody/records/{r10}/log", {"n": 2})
        store.add_outbox("POST", f"/custody/records/{r2}/log", {"n": 3})
        sent = store.add_outbox("POST", f"/custody/records/{r1}/checks", {"n": 4})
        store.mark_sent(sent.id, {})
        later = store.add_outbox("PATCH", f"/custody/records/{r1}/observation", {"n": 5})
        assert [item.id for item in store.pending_for_record(r1)] == [mine.id, later.id]
        assert store.pending_for_record("r_%") == []  # LIKE wildcards in an id match nothing else
    finally:
        store.close()
