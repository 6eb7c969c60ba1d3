"""The audit log cannot be rewritten (issue 12): triggers refuse UPDATE/DELETE (and TRUNCATE on PostgreSQL)
whatever role connects; rows are hash-chained; `bridewell-server audit verify` names any change or gap."""

from __future__ import annotations

import secrets
import threading

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from server import audit
from server.__main__ import main
from server.audit import AuditEntry, verify
from server.db import make_engine, make_sessionmaker, utcnow
from server.demo import load_demo
from server.migrate import upgrade
from tests.server.conftest import PG_DB, PG_HOST, PG_PORT, _pg_reset, _pg_user, login

API = "/api/v1"


def _verify(url: str) -> audit.Verification:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return verify(session)
    finally:
        engine.dispose()


def _drop_triggers(conn, postgres: bool) -> None:
    """What only the owner (or a superuser) can do: take the triggers away."""
    if postgres:
        for name in ("audit_log_append_only", "audit_log_no_truncate"):
            conn.execute(text(f"DROP TRIGGER {name} ON audit_log"))
        for name in ("audit_subject_append_only", "audit_subject_no_truncate"):
            conn.execute(text(f"DROP TRIGGER {name} ON audit_subject"))
    else:
        for name in ("audit_log_no_update", "audit_log_no_delete", "audit_subject_no_update",
                     "audit_subject_no_delete"):
            conn.execute(text(f"DROP TRIGGER {name}"))


def test_reads_are_chained_with_workstation_and_verify_passes(client, app, seeded, database_url, capsys):
    headers = {**login(client, "sergeant"), "X-Workstation": "CUSTODY-DESK-3"}
    board = client.get(f"{API}/custody/records", params={"open": "true"}, headers=headers)
    assert board.status_code == 200 and board.json()
    with make_sessionmaker(app.state.engine)() as session:
        rows = session.query(AuditEntry).order_by(AuditEntry.id).all()
        board_rows = [r for r in rows if r.justification == "custody records list"]
        assert len(board_rows) == 1  # one row naming every record shown (issue 9)
        assert set(board_rows[0].names) == {r["id"] for r in board.json()}
        assert {r.workstation for r in board_rows} == {"CUSTODY-DESK-3 (127.0.0.1)"}
        for before, after in zip(rows, rows[1:], strict=False):  # one writer at a time: all in one chain
            assert after.prev_hash == before.row_hash and after.id == before.id + 1
            assert after.chain == before.chain and after.chain_seq == (before.chain_seq or before.id) + 1
    result = _verify(database_url)
    assert result.ok, result.problems
    assert result.rows == len(rows) and result.head_id == rows[-1].id
    assert main(["--database-url", database_url, "audit", "verify"]) == 0
    assert f"intact: {len(rows)} rows" in capsys.readouterr().out


def test_triggers_refuse_rewriting_then_verify_catches_a_change_a_removal_and_a_cut_end(
        client, app, seeded, database_url, capsys):
    sergeant = login(client, "sergeant")  # at least a few rows beyond the demo's
    board = client.get(f"{API}/custody/records", headers=sergeant).json()
    assert len(board) > 1  # a row naming several
    assert client.get(f"{API}/custody/records/{board[0]['id']}", headers=sergeant).status_code == 200  # the last
    postgres = database_url.startswith("postgresql")
    engine = app.state.engine
    with engine.connect() as conn:
        listed = conn.execute(text("SELECT audit_id, min(entity_id) FROM audit_subject GROUP BY audit_id "
                                   "ORDER BY audit_id DESC")).first()
    assert listed is not None
    statements = ["UPDATE audit_log SET justification = 'nothing to see' WHERE id = 2",
                  "DELETE FROM audit_log WHERE id = 2", "DELETE FROM audit_chain_head",
                  "UPDATE audit_subject SET entity_id = 'someone else'", "DELETE FROM audit_subject"]
    if postgres:
        statements += ["TRUNCATE audit_log", "TRUNCATE audit_chain_head", "TRUNCATE audit_subject"]
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only|is kept"), engine.begin() as conn:
            conn.execute(text(statement))
    assert _verify(database_url).ok

    with engine.begin() as conn:
        _drop_triggers(conn, postgres)
        last = conn.scalar(text("SELECT max(id) FROM audit_log"))
        assert last is not None and last > 4
        conn.execute(text("UPDATE audit_log SET justification = 'nothing to see' WHERE id = 2"))
        conn.execute(text("DELETE FROM audit_log WHERE id = 3"))
        conn.execute(text("DELETE FROM audit_log WHERE id = :last"), {"last": last})
        # A subject taken out of a list read's row: the row no longer matches its hash.
        conn.execute(text("DELETE FROM audit_subject WHERE audit_id = :a AND entity_id = :e"),
                     {"a": listed[0], "e": listed[1]})
    problems = _verify(database_url).problems
    assert any(p.startswith(f"row {listed[0]}: changed") for p in problems), problems
    assert any(p.startswith("row 2: changed") for p in problems), problems
    assert any(p.startswith("gap: rows 3..3 are missing") for p in problems), problems
    assert any(f"names row {last} but the last row is {last - 1}" in p for p in problems), problems
    assert main(["--database-url", database_url, "audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert "tampered with" in err and "row 2: changed" in err


@pytest.mark.postgres
def test_concurrent_writers_keep_one_unbroken_chain(postgres_url):
    """Transactions auditing at once from many threads (as many workers would) chain side by side in several
    chains, each unbroken. (PostgreSQL only: SQLite serialises writers itself.)"""
    _pg_reset(postgres_url, None)
    database_url = postgres_url
    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with factory() as session, session.begin():
                    audit.record_many(session, None, audit.AuditAction.CONSULTATION, "person",
                                      [f"p-{n}-{i}-{k}" for k in range(3)], "concurrency test")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        engine.dispose()
    assert not errors
    result = _verify(database_url)
    assert result.ok, result.problems
    assert result.rows == 8 * 15  # one row per list read, naming its 3 subjects
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM audit_subject")) == 8 * 15 * 3
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_held_chain_head_does_not_hold_up_other_committers(postgres_url):
    """Issue 9: audited reads must not queue behind one global lock. While two transactions are chaining (heads 1
    and 2 held), a third commits at once on the next free chain; the next one, alone, takes chain 1 again."""
    _pg_reset(postgres_url, None)
    engine = make_engine(postgres_url)
    factory = make_sessionmaker(engine)
    try:
        with engine.connect() as holder:
            holder.execute(text("SELECT id FROM audit_chain_head WHERE id IN (1, 2) FOR UPDATE"))
            with factory() as session, session.begin():
                session.execute(text("SET LOCAL lock_timeout = '5s'"))  # waiting for a held head fails the test
                audit.record_many(session, None, audit.AuditAction.CONSULTATION, "person", ["p-1", "p-2"], "held")
            holder.rollback()
        with factory() as session, session.begin():
            audit.record(session, None, audit.AuditAction.CONSULTATION, "person", "p-3")
        with engine.connect() as conn:
            chains = conn.execute(text("SELECT chain, chain_seq FROM audit_log ORDER BY id")).all()
    finally:
        engine.dispose()
    assert [tuple(c) for c in chains] == [(3, 1), (1, 1)]
    assert _verify(postgres_url).ok


def operator_guide_grants() -> str:
    """The grants as docs/operator-guide.md gives them (the test runs the documented SQL, not a copy)."""
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "operator-guide.md").read_text(encoding="utf-8")
    start = guide.index("-- grants: the server role")
    end = guide.index("```", start)
    return guide[start:end]


@pytest.mark.postgres
def test_owner_and_least_privilege_server_roles(postgres_url, capsys):
    """The operator guide's two roles: the owner migrates; the server role runs the API and may only add to
    the audit. Neither can rewrite it while the triggers stand; the owner can drop them, and verify notices."""
    admin_user = _pg_user()
    suffix = secrets.token_hex(4)
    owner, server, schema = f"bw_owner_{suffix}", f"bw_server_{suffix}", f"bw_roles_{suffix}"
    admin = psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=admin_user, autocommit=True)

    def url(role: str) -> str:
        return f"postgresql+psycopg://{role}@{PG_HOST}:{PG_PORT}/{PG_DB}?options=-csearch_path%3D{schema}"

    try:
        admin.execute(f"CREATE ROLE {owner} LOGIN")
        admin.execute(f"CREATE ROLE {server} LOGIN")
        admin.execute(f"GRANT CREATE ON DATABASE {PG_DB} TO {owner}")
        admin.execute(f"CREATE SCHEMA {schema} AUTHORIZATION {owner}")
        upgrade(url(owner))
        grants = operator_guide_grants().replace("bridewell_server", server).replace("bridewell", schema)
        with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=owner, autocommit=True) as conn:
            conn.execute(grants)

        # The server role runs the API: migrations up to date (a no-op), demo data, a sign-in, an audited read.
        upgrade(url(server))
        engine = make_engine(url(server))
        try:
            with make_sessionmaker(engine)() as session, session.begin():
                load_demo(session)
            from server.app import create_app
            from server.settings import Settings
            from tests.server.asgi_client import AsgiClient

            application = create_app(Settings(database_url=url(server)))
            try:
                with AsgiClient(application) as client:
                    board = client.get(f"{API}/custody/records", headers=login(client, "sergeant"))
                    assert board.status_code == 200 and board.json()
            finally:
                application.state.engine.dispose()
            for statement in ("UPDATE audit_log SET justification = 'x' WHERE id = 1", "DELETE FROM audit_log",
                              "TRUNCATE audit_log", "DELETE FROM audit_chain_head", "TRUNCATE audit_chain_head"):
                with pytest.raises(DBAPIError, match="permission denied|append-only"), engine.begin() as conn:
                    conn.execute(text(statement))
        finally:
            engine.dispose()

        owner_engine = make_engine(url(owner))
        try:
            for statement in ("UPDATE audit_log SET justification = 'x' WHERE id = 1", "DELETE FROM audit_log",
                              "TRUNCATE audit_log"):  # the owner holds every privilege; the triggers still refuse
                with pytest.raises(DBAPIError, match="append-only"), owner_engine.begin() as conn:
                    conn.execute(text(statement))
            assert main(["--database-url", url(server), "audit", "verify"]) == 0
            with owner_engine.begin() as conn:
                _drop_triggers(conn, postgres=True)
                conn.execute(text("UPDATE audit_log SET justification = 'x' WHERE id = 1"))
        finally:
            owner_engine.dispose()
        capsys.readouterr()
        assert main(["--database-url", url(server), "audit", "verify"]) == 1
        assert "row 1: changed" in capsys.readouterr().err
    finally:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        for role in (server, owner):
            admin.execute(f"DROP OWNED BY {role} CASCADE") if _role_exists(admin, role) else None
            admin.execute(f"DROP ROLE IF EXISTS {role}")
        admin.close()


def _role_exists(conn, role: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None


def test_a_chain_written_before_0012_still_verifies_and_goes_on(tmp_path):
    """Migration 0012 rewrites no row: rows chained by one head before it keep their hashes (chain 1, position =
    id), and new rows follow them. (SQLite: the same migration path as PostgreSQL, minus the sequence.)"""
    url = f"sqlite:///{tmp_path / 'before-0012.sqlite3'}"
    upgrade(url, "0007")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:  # three rows as the single head wrote them
            last_hash = audit.GENESIS
            for rid in (1, 2, 3):
                row = {"id": rid, "at": utcnow(), "user_id": None, "action": "consultation",
                       "entity": "person", "entity_id": f"p-{rid}", "justification": None, "workstation": None,
                       "prev_hash": last_hash}
                last_hash = audit.row_hash(row)
                conn.execute(text("INSERT INTO audit_log (id, at, user_id, action, entity, entity_id, justification, "
                                  "workstation, prev_hash, row_hash) VALUES (:id, :at, :user_id, :action, :entity, "
                                  ":entity_id, :justification, :workstation, :prev_hash, :h)"),
                             {**row, "at": row["at"].replace(tzinfo=None).isoformat(sep=" "), "h": last_hash})
            conn.execute(text("UPDATE audit_chain_head SET last_id = 3, last_hash = :h WHERE id = 1"), {"h": last_hash})
    finally:
        engine.dispose()
    upgrade(url)
    assert _verify(url).ok
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            audit.record_many(session, None, audit.AuditAction.CONSULTATION, "person", ["p-1", "p-2"], "list")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT id, chain, chain_seq, prev_hash FROM audit_log WHERE id = 4")).one() \
                == (4, 1, 4, last_hash)
    finally:
        engine.dispose()
    result = _verify(url)
    assert result.ok and result.rows == 4, result.problems
