"""What chaining the audit costs writers on PostgreSQL: audited transactions per second from several threads, in a
scratch schema of database `test`, for four ways of writing an audited board read's audit (14 detainees shown):

  unchained, row per subject      before issue 12: a bulk INSERT of 14 rows, no chain, no lock
  1 chain, row per subject        issue 12 as first built: 14 rows chained at commit under the one head's lock
  1 chain, one row                one row naming the 14 (audit_subject), still under one head
  32 chains, one row              server.audit now (issue 9): one row, any free head (FOR UPDATE SKIP LOCKED)

(The one-head runs hold head 1's row lock for the transaction, as the single head did.)

Run: .venv/bin/python bench/bench_audit_chain.py [--threads 8] [--seconds 10] [--quick]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from sqlalchemy import Table, insert, text  # noqa: E402

from server import audit  # noqa: E402
from server.db import make_engine, make_sessionmaker, utcnow  # noqa: E402
from server.migrate import upgrade  # noqa: E402

ROWS = 14
MODES = ("unchained, row per subject", "1 chain, row per subject", "1 chain, one row", "32 chains, one row")


def run(url: str, threads: int, seconds: float, mode: str) -> float:
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    done = [0] * threads
    stop = threading.Event()

    def worker(n: int) -> None:
        ids = [str(uuid.uuid4()) for _ in range(ROWS)]
        while not stop.is_set():
            with factory() as session, session.begin():
                if mode.startswith("1 chain"):  # the single head: every committer queues at it
                    session.execute(text("SELECT id FROM audit_chain_head WHERE id = 1 FOR UPDATE"))
                if mode.endswith("row per subject") and not mode.startswith("unchained"):
                    for i in ids:
                        audit.record(session, None, audit.AuditAction.CONSULTATION, "custody_record", i,
                                     "custody records list")
                elif mode.endswith("one row"):
                    audit.record_many(session, None, audit.AuditAction.CONSULTATION, "custody_record", ids,
                                      "custody records list")
                else:  # the pre-chain write: one bulk INSERT, ids from the sequence, no lock
                    at = utcnow()
                    session.execute(insert(cast(Table, audit.AuditEntry.__table__)), [
                        {"at": at, "user_id": None, "action": "consultation", "entity": "custody_record",
                         "entity_id": i, "justification": "custody records list", "workstation": None,
                         "prev_hash": "-", "row_hash": secrets.token_hex(32)} for i in ids])
            done[n] += 1

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    time.sleep(seconds)
    stop.set()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    engine.dispose()
    return sum(done) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true", help="3 s per run")
    parser.add_argument("--rounds", type=int, default=2, help="times each mode is run, interleaved")
    args = parser.parse_args()
    seconds = 3.0 if args.quick else args.seconds
    admin = psycopg.connect(host="127.0.0.1", dbname="test", user="postgres", autocommit=True)
    try:
        for mode in MODES * args.rounds:  # each run in a fresh schema
            schema = f"bench_audit_{secrets.token_hex(4)}"
            admin.execute(f"CREATE SCHEMA {schema}")
            try:
                url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
                upgrade(url)
                rate = run(url, args.threads, seconds, mode)
            finally:
                admin.execute(f"DROP SCHEMA {schema} CASCADE")
            print(f"{mode:28}: {rate:7.0f} audited transactions/s with {args.threads} threads", flush=True)
    finally:
        admin.close()


if __name__ == "__main__":
    main()
