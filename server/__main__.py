"""bridewell-server: serve the central API, migrate the database, or create a user."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys

from domain.roles import Role
from server.runtime import StartupError, check_url, check_workers, prepare_database
from server.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bridewell-server", description="Bridewell central API")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: env BRIDEWELL_DATABASE_URL, "
                                               "else a SQLite file in the user data folder)")
    parser.add_argument("--host", metavar="ADDRESS",
                        help="network address to listen on: 127.0.0.1 serves this computer only, 0.0.0.0 every "
                             "workstation that can reach it (default: env BRIDEWELL_HOST, else 127.0.0.1)")
    parser.add_argument("--port", type=int, help="TCP port to listen on (default: env BRIDEWELL_PORT, else 8080; "
                                                 "0 picks a free port, printed on start)")
    parser.add_argument("--demo-data", action="store_true", help="load the fictional demo suite")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="serve with N processes sharing the port (PostgreSQL only); default: env "
                             "BRIDEWELL_WORKERS, else 1")
    parser.add_argument("--access-log", action="store_true", default=None,
                        help="log a line per request (default: env BRIDEWELL_ACCESS_LOG, else off: the audit log "
                             "records every use of personal data, and a reverse proxy keeps its own access log)")
    parser.add_argument("--certfile", help="serve HTTPS with this PEM certificate chain (with --keyfile); default: "
                                           "env BRIDEWELL_CERTFILE, else plain HTTP (for loopback only)")
    parser.add_argument("--keyfile", help="the certificate's PEM private key; default: env BRIDEWELL_KEYFILE")
    parser.add_argument("--broker-url", metavar="AMQP_URL",
                        help="send domain events to RabbitMQ (amqp://user:password@host:5672/vhost; "
                             "docs/integration.md); default: env BRIDEWELL_BROKER_URL, else no integration bus")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("migrate", help="apply database migrations and exit")
    user = sub.add_parser("create-user", help="add a user (password from a prompt or --password-stdin)")
    user.add_argument("--username", required=True)
    user.add_argument("--display-name", required=True)
    user.add_argument("--rank", required=True)
    user.add_argument("--collar", required=True)
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--password-stdin", action="store_true")
    sub.add_parser("relay", help="relay the integration bus's outbox to the broker (--broker-url) until stopped; "
                                 "run several for failover: one relays at a time")
    consume = sub.add_parser("consume", help="run one hand-off consumer of the integration bus until stopped")
    consume.add_argument("handoff", choices=["escort", "prosecution", "national-records"])
    consume.add_argument("--out", metavar="FOLDER", help="escort, prosecution: write each document here as JSON")
    audit = sub.add_parser("audit", help="check the audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="walk the hash chain: exit 0 if intact, 1 naming every gap or change")
    return parser


def _serve(settings: Settings) -> None:
    from server.embedded import bind_socket
    from server.runtime import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s")
    host, port = settings.host, settings.port
    try:
        sock = bind_socket(host, port)
    except OSError as exc:
        raise StartupError(f"Cannot listen on {host}:{port}: {exc.strerror}") from None
    bound_host, bound_port = sock.getsockname()[:2]
    workers = f" with {settings.workers} worker processes" if settings.workers > 1 else ""
    scheme = "https" if settings.certfile else "http"
    print(f"Bridewell server listening on {scheme}://{bound_host}:{bound_port}{workers}", flush=True)
    serve(settings, sock)


def _create_user(url: str, args: argparse.Namespace) -> None:
    from server.auth.service import create_user
    from server.db import make_engine, make_sessionmaker
    from server.errors import ProblemError

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise StartupError("The passwords differ; nothing was saved.")
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            create_user(session, username=args.username, display_name=args.display_name, rank=args.rank,
                        collar_number=args.collar, role=args.role, password=password)
    except ProblemError as exc:
        raise StartupError(exc.detail) from None
    finally:
        engine.dispose()
    print(f"Created user {args.username} ({args.role}).")


def _audit_verify(url: str) -> int:
    from server.audit import verify
    from server.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            result = verify(session)
    finally:
        engine.dispose()
    if result.ok:
        print(f"The audit log is intact: {result.rows} rows, chain head row {result.head_id} "
              f"hash {result.head_hash}; digest of all {len(result.heads)} chain heads {result.heads_digest}.")
        return 0
    print(f"The audit log has been tampered with ({len(result.problems)} problems in {result.rows} rows):",
          file=sys.stderr)
    for problem in result.problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def _bus_process(settings: Settings, url: str, args: argparse.Namespace) -> int:
    """`relay` or `consume`: runs until interrupted (SIGINT/SIGTERM)."""
    import signal
    import threading
    from pathlib import Path

    from server.db import make_engine
    from server.integration import handoffs
    from server.integration.consumer import Consumer
    from server.integration.relay import Relay

    if settings.broker_url is None:
        raise StartupError("No broker: give --broker-url amqp://… or set BRIDEWELL_BROKER_URL.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s")
    engine = make_engine(url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker: Relay | Consumer
    if args.command == "relay":
        worker = Relay(engine, settings.broker_url, exchange=settings.bus_exchange,
                       keep_hours=settings.bus_keep_hours)
        print("Bridewell relay started: waiting for the relay lock, then relaying.", flush=True)
    else:
        sink = handoffs.FolderSink(Path(args.out)) if args.out else None
        if args.handoff != handoffs.NATIONAL_RECORDS and sink is None:
            raise StartupError(f"The {args.handoff} consumer needs --out FOLDER.")
        worker = handoffs.consumer(args.handoff, settings.broker_url, engine, exchange=settings.bus_exchange,
                                   sink=sink)
        print(f"Bridewell {args.handoff} consumer started on queue {worker.queue}.", flush=True)
    worker.start()
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        worker.stop()
        engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(database_url=args.database_url, host=args.host, port=args.port,
                                     workers=args.workers, access_log=args.access_log, certfile=args.certfile,
                                     keyfile=args.keyfile, broker_url=args.broker_url)
        database_url = settings.database_url
        check_url(database_url)
        if args.command == "migrate":
            prepare_database(database_url, demo=args.demo_data)
            print("The database schema is up to date." + (" Demo data loaded." if args.demo_data else ""))
        elif args.command in ("relay", "consume"):
            return _bus_process(settings, prepare_database(database_url), args)
        elif args.command == "audit":
            return _audit_verify(database_url)
        elif args.command == "create-user":
            url = prepare_database(database_url)
            _create_user(url, args)
        else:
            check_workers(database_url, settings.workers)
            url = prepare_database(database_url, demo=args.demo_data)
            _serve(settings.with_(database_url=url))
    except StartupError as exc:
        print(f"bridewell-server: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
