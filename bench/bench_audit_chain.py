"""What chaining the audit costs writers on PostgreSQL: audited transactions per second from several threads,
with the hash chain (server.audit: rows chained at commit under the chain head's row lock) and without it (the
same rows inserted as before the chain, with no lock), in a scratch schema of database `test`.

Each transaction is an audited board read's audit: one bulk INSERT of 14 rows (a row per detainee shown).

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
from sqlalchemy import Table, insert  # noqa: E402

from server import audit  # noqa: E402
from server.db import make_engine, make_sessionmaker, utcnow  # noqa: E402
from server.migrate import upgrade  # noqa: E402

ROWS = 14
ORDER = (False, True, False, True)


def run(url: str, threads: int, seconds: float, chained: bool) -> float:
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    done = [0] * threads
    stop = threading.Event()

    def worker(n: int) -> None:
        ids = [str(uuid.uuid4()) for _ in range(ROWS)]
        while not stop.is_set():
            with factory() as session, session.begin():
                if chained:
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
    args = parser.parse_args()
    seconds = 3.0 if args.quick else args.seconds
    admin = psycopg.connect(host="127.0.0.1", dbname="test", user="postgres", autocommit=True)
    try:
        for chained in ORDER:  # each run in a fresh schema: the two ways of writing ids do not mix
            schema = f"bench_audit_{secrets.token_hex(4)}"
            admin.execute(f"CREATE SCHEMA {schema}")
            try:
                url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
                upgrade(url)
                rate = run(url, args.threads, seconds, chained)
            finally:
                admin.execute(f"DROP SCHEMA {schema} CASCADE")
            print(f"{'chained  ' if chained else 'unchained'}: {rate:7.0f} audited transactions/s "
                  f"({rate * ROWS:7.0f} rows/s) with {args.threads} threads", flush=True)
    finally:
        admin.close()


if __name__ == "__main__":
    main()
