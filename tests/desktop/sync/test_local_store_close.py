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
