"""A workstation's outbox as a process of its own, for the fault tests (tests/e2e/test_outbox_faults.py): it
queues a burst of numbered log entries (deterministic ids, so a restarted copy queues only those its store
lacks, in order) while the sender delivers them, and exits 0 once every entry is queued and sent.

    python -m tests.e2e.outbox_client SERVER_URL DATA_DIR RECORD_ID COUNT TAG [GAP_S]
"""

from __future__ import annotations

import sys
import threading
import time
import uuid
from datetime import UTC, datetime

from desktop.sync.client import ApiClient
from desktop.sync.local_store import LocalStore
from desktop.sync.outbox_sender import OutboxSender

NAMESPACE = uuid.UUID("6f1c7c2e-6d0e-4d55-9a55-0d5b1d0c0a11")
PASSWORD = "bridewell-demo"


def entry_id(tag: str, n: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{tag}-{n}"))


def entry_text(tag: str, n: int) -> str:
    return f"Burst {tag} entry {n:04d}, fictional"


def sign_in(url: str) -> ApiClient:
    client = ApiClient(url, timeout=5.0)
    while True:  # the server may be down at this moment (it is being restarted): try until it answers
        try:
            client.login("detention", PASSWORD)
            return client
        except Exception:  # noqa: BLE001 - unreachable or not ready yet
            time.sleep(0.2)


def main(argv: list[str]) -> int:
    url, data_dir, record_id, count, tag = argv[0], argv[1], argv[2], int(argv[3]), argv[4]
    gap = float(argv[5]) if len(argv) > 5 else 0.01
    store = LocalStore(data_dir)
    client = sign_in(url)
    empty = threading.Event()
    sender = OutboxSender(store, client, backoff=(0.05, 0.1, 0.2, 0.4),
                          on_pending=lambda n: empty.set() if n == 0 else empty.clear(),
                          on_rejected=lambda row, error: print(f"REJECTED {row.id}: {error}", flush=True))
    sender.start()
    have = {item.id for item in store.outbox_items()}
    path = f"/custody/records/{record_id}/log"
    for n in range(count):
        if entry_id(tag, n) in have:
            continue
        body = {"id": entry_id(tag, n), "kind": "note", "text": entry_text(tag, n),
                "observed_at": datetime.now(UTC).isoformat()}
        store.add_outbox("POST", path, body, row_id=body["id"])
        print(f"queued {n}", flush=True)
        sender.wake()
        time.sleep(gap)
    while store.pending_count():
        empty.wait(0.5)
        sender.wake()
    print("done", flush=True)
    sender.stop()
    client.close()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
