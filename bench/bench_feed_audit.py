"""The board update path with the audit chain, on PostgreSQL: many workstations told of the same change at once
each read it with POST /events/data (audited). Their audit rows are stored in groups (server.audit.AuditWriter),
so they share turns at the chain head. Prints reads answered per second and how many groups carried them.

Run: .venv/bin/python bench/bench_feed_audit.py [--clients 64] [--seconds 10] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from server.app import create_app  # noqa: E402
from server.db import make_engine, make_sessionmaker  # noqa: E402
from server.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from server.migrate import upgrade  # noqa: E402
from server.settings import Settings  # noqa: E402


async def run(url: str, clients: int, seconds: float) -> None:
    app = create_app(Settings(database_url=url, db_pool_size=10, db_max_overflow=5))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
        token = (await http.post("/api/v1/auth/login", json={"username": "sergeant",
                                                             "password": DEMO_PASSWORD})).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        seqs = [e["seq"] for e in (await http.get("/api/v1/events", headers=headers)).json()["events"][-3:]]
        answered = 0
        stop = time.monotonic() + seconds

        async def workstation() -> None:
            nonlocal answered
            while time.monotonic() < stop:
                response = await http.post("/api/v1/events/data", json={"seqs": seqs}, headers=headers)
                assert response.status_code == 200, response.text
                answered += 1

        groups_before, started = app.state.audit_writer.groups, time.monotonic()
        await asyncio.gather(*(workstation() for _ in range(clients)))
        elapsed = time.monotonic() - started
        groups = app.state.audit_writer.groups - groups_before
    app.state.engine.dispose()
    print(f"{clients} workstations: {answered / elapsed:6.0f} audited feed reads/s ({answered * 3 / elapsed:6.0f} "
          f"audit rows/s) in {groups} groups ({answered / max(groups, 1):.1f} reads per turn at the chain)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true", help="3 s")
    args = parser.parse_args()
    schema = f"bench_feed_{secrets.token_hex(4)}"
    admin = psycopg.connect(host="127.0.0.1", dbname="test", user="postgres", autocommit=True)
    admin.execute(f"CREATE SCHEMA {schema}")
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        engine = make_engine(url)
        with make_sessionmaker(engine)() as session, session.begin():
            load_demo(session)
        engine.dispose()
        for clients in (1, 8, args.clients):
            asyncio.run(run(url, clients, 3.0 if args.quick else args.seconds))
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


if __name__ == "__main__":
    main()
