"""The ``ketao`` command: database, seed, import/export and the server."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from app.config import Environment, Settings, get_settings
from app.db import make_engine, make_sessionmaker, session_scope
from app.search.backend import INDEXES, SearchUnavailableError
from app.search.indexer import retry_now
from app.search.service import SearchEngine, make_search_engine


def _session_factory() -> sessionmaker[Session]:
    return make_sessionmaker(make_engine(get_settings().effective_database_url), write=True)


def _search_engine(factory: sessionmaker[Session]) -> SearchEngine:
    """The engine for a command: it indexes right after each commit, in this process."""
    engine = make_search_engine(get_settings(), factory, background=False)
    try:
        engine.backend.ensure()
    except SearchUnavailableError as exc:  # writes go on; the outbox keeps every change
        print(f"search: engine unavailable ({exc}); changes wait in the outbox", file=sys.stderr)
    return engine


def _index_after(engine: SearchEngine) -> None:
    status = engine.indexer.status()
    if status.pending:
        print(
            f"search: {status.pending} change(s) wait in the outbox "
            f"(last error: {status.last_error}); `ketao index drain` retries",
            file=sys.stderr,
        )


def cmd_db_upgrade(_: argparse.Namespace) -> int:
    """Migrate to the newest schema and bring the reference data up to date."""
    from alembic import command

    from app.dbmigrate import alembic_config, migrating
    from app.geo.reference import sync_reference_data

    settings = get_settings()
    engine = make_engine(settings.effective_database_url)
    try:
        with migrating(engine) as conn:
            command.upgrade(alembic_config(conn), "head")
            sync_reference_data(conn)
    finally:
        engine.dispose()
    print(f"database at head: {engine.url.render_as_string(hide_password=True)}")
    return 0


def cmd_seed(_: argparse.Namespace) -> int:
    """Load the demo projects, needs and accounts (idempotent)."""
    from app.demo import load_demo

    settings = get_settings()
    if settings.environment is Environment.production:
        print("ketao seed: refusing to load demo accounts in production", file=sys.stderr)
        return 2
    factory = _session_factory()
    search = _search_engine(factory)
    with session_scope(factory) as session:
        report = load_demo(session, settings.seed_dir)
    print(f"seeded: {report.summary()}")
    _index_after(search)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import a JSON Lines, JSON or CSV file; one bad record and nothing is imported."""
    from app.bulk.formats import FileFormat
    from app.bulk.service import ImportRejectedError, check_text, write_checked

    path = Path(args.file)
    try:
        fmt = FileFormat(args.format) if args.format else FileFormat.from_path(path)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"ketao import: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(get_settings().effective_database_url)
    try:  # checked on a read session: a bad file is reported without waiting for the write lock
        with make_sessionmaker(engine)() as session:
            records = check_text(session, text, fmt)
    except ImportRejectedError as exc:
        print(f"ketao import: {path.name}: {exc.detail}", file=sys.stderr)
        for err in exc.errors:
            who = f" ({err.external_id})" if err.external_id else ""
            where = f"{err.field}: " if err.field else ""
            print(f"  line {err.line}{who}: {where}{err.message}", file=sys.stderr)
        return 1
    # Written in batches on SQLite (other writers get in between two), in one transaction on
    # PostgreSQL; the search outbox rows go in with their records.
    factory = make_sessionmaker(engine, write=True)
    search = _search_engine(factory)
    report = write_checked(factory, records)
    print(f"imported {path.name}: {report.summary()}")
    _index_after(search)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write projects and needs in the import format."""
    from app.bulk.formats import FileFormat
    from app.bulk.service import export_text

    path = Path(args.file)
    try:
        fmt = FileFormat(args.format) if args.format else FileFormat.from_path(path)
    except ValueError as exc:
        print(f"ketao export: {exc}", file=sys.stderr)
        return 2
    types = ["project", "need"] if args.type == "all" else [args.type]
    # A read session: an export takes no write lock, so writers go on while it reads.
    engine = make_engine(get_settings().effective_database_url)
    with make_sessionmaker(engine)() as session:
        text = export_text(session, fmt, types)  # type: ignore[arg-type]
    path.write_text(text, encoding="utf-8")
    print(f"exported to {path}")
    return 0


def cmd_index_drain(_: argparse.Namespace) -> int:
    """Index every change waiting in the search outbox (retrying failed ones now)."""
    factory = _session_factory()
    search = _search_engine(factory)
    with session_scope(factory) as session:
        retry_now(session)
    report = search.indexer.drain()
    print(f"indexed {report.indexed}, deleted {report.deleted}, failed {report.failed}")
    _index_after(search)
    return 1 if report.failed else 0


def cmd_index_status(args: argparse.Namespace) -> int:
    """Show the search backlog: pending changes, lag, the last error."""
    factory = _session_factory()
    search = make_search_engine(get_settings(), factory, background=False)
    status = search.indexer.status()
    try:
        search.backend.ping()
        counts = {i: search.backend.count(i) for i in INDEXES}
        engine = "ok"
    except SearchUnavailableError as exc:
        counts, engine = {}, f"unavailable: {exc}"
    body = {
        "backend": search.backend.name,
        "engine": engine,
        "documents": counts,
        "pending": status.pending,
        "failing": status.failing,
        "oldest_pending_at": status.oldest_pending_at.isoformat()
        if status.oldest_pending_at
        else None,
        "lag_seconds": round(status.lag_seconds, 1),
        "last_error": status.last_error,
    }
    if args.json:
        print(json.dumps(body, ensure_ascii=False))
    else:
        for key, value in body.items():
            print(f"{key:18s} {value}")
    return 0


def cmd_index_rebuild(_: argparse.Namespace) -> int:
    """Rebuild the search indexes from SQL into new ones and swap them in (no downtime)."""
    factory = _session_factory()
    search = _search_engine(factory)
    started = time.perf_counter()
    counts = search.indexer.rebuild()
    took = time.perf_counter() - started
    print(f"rebuilt {', '.join(f'{k}: {v}' for k, v in counts.items())} in {took:.1f} s")
    return 0


def cmd_match(args: argparse.Namespace) -> int:
    """Print the matches of a need (projects) or of a project (needs, cities and zones)."""
    from app.errors import NotFoundError
    from app.matching import service as matching

    settings = get_settings()
    factory = _session_factory()
    search = make_search_engine(settings, factory, background=False)
    matcher = matching.Matcher(settings)
    with factory() as session:
        try:
            if args.kind == "need":
                result: Any = matching.need_to_projects_by_external_id(
                    session, search, matcher, args.external_id, args.limit
                )
                rows = [(m.project.external_id, _title(m.project), m) for m in result.items]
                sections = [("projects", result.model_dump(mode="json"), rows)]
            else:
                needs, cities = matching.project_to_needs_by_external_id(
                    session, search, matcher, args.external_id, args.limit
                )
                sections = [
                    (
                        "needs",
                        needs.model_dump(mode="json"),
                        [(m.need.external_id, _title(m.need), m) for m in needs.items],
                    ),
                    (
                        "cities",
                        cities.model_dump(mode="json"),
                        [(m.city.code, m.city.name_zh, m) for m in cities.items],
                    ),
                ]
        except NotFoundError as exc:
            print(f"ketao match: {exc.detail}", file=sys.stderr)
            return 1
    if args.json:
        print(json.dumps({name: body for name, body, _ in sections}, ensure_ascii=False))
        return 0
    for name, _, rows in sections:
        print(f"== {name}")
        for key, title, match in rows:
            print(f"{match.score:6.3f}  {key}  {title}")
            for reason in match.reasons:
                print(f"          {reason.message_zh} / {reason.message_en}")
    return 0


def _title(item: Any) -> str:
    return str(item.title_zh or item.title_en or "")


def cmd_users_create(args: argparse.Namespace) -> int:
    """Create an account of any role (the only way to make a secretariat account)."""
    from sqlalchemy import select

    from app.auth.models import OrganizationKind, Role, User
    from app.auth.service import ensure_user, get_or_create_organization

    if len(args.password) < 10:
        print("ketao users create: the password needs 10 characters or more", file=sys.stderr)
        return 2
    kind = {
        "secretariat": OrganizationKind.secretariat,
        "researcher": OrganizationKind.research,
        "enterprise": OrganizationKind.enterprise,
    }[args.role]
    with session_scope(_session_factory()) as session:
        if session.scalar(select(User.id).where(User.email == args.email.lower())) is not None:
            print(f"ketao users create: {args.email} already has an account", file=sys.stderr)
            return 1
        org = get_or_create_organization(session, args.org, kind)
        user, _ = ensure_user(
            session,
            email=args.email,
            password=args.password,
            role=Role(args.role),
            organization=org,
            full_name=args.name or "",
        )
        print(f"created {user.role} {user.email} (id {user.id}) in {org.name}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the API with uvicorn."""
    import uvicorn

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        **uvicorn_options(get_settings()),
    )
    return 0


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn serves Ketao: forwarded headers believed only from the configured proxies
    (uvicorn would otherwise trust X-Forwarded-For from 127.0.0.1, resetting the login
    throttle's per-address count), and no ``server`` banner."""
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    return {
        "log_level": settings.log_level,
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or "",
        "server_header": False,
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ketao", description="科淘网 Ketao — technology-transfer marketplace of the GBA."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = sub.add_parser("db", help="database schema and reference data")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = db_sub.add_parser(
        "upgrade", help=cmd_db_upgrade.__doc__, description=cmd_db_upgrade.__doc__
    )
    up.set_defaults(func=cmd_db_upgrade)

    index = sub.add_parser("index", help="the search index: status, drain, rebuild")
    index_sub = index.add_subparsers(dest="index_command", required=True, metavar="ACTION")
    for name, fn in (
        ("drain", cmd_index_drain),
        ("status", cmd_index_status),
        ("rebuild", cmd_index_rebuild),
    ):
        action = index_sub.add_parser(name, help=fn.__doc__, description=fn.__doc__)
        action.set_defaults(func=fn)
        if name == "status":
            action.add_argument("--json", action="store_true", help="print JSON")

    match = sub.add_parser("match", help=cmd_match.__doc__, description=cmd_match.__doc__)
    match.add_argument("kind", choices=["need", "project"])
    match.add_argument("external_id", metavar="EXTERNAL_ID")
    match.add_argument("--limit", type=int, default=10, choices=range(1, 51), metavar="1-50")
    match.add_argument("--json", action="store_true", help="print JSON")
    match.set_defaults(func=cmd_match)

    users = sub.add_parser("users", help="accounts")
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    create = users_sub.add_parser(
        "create", help=cmd_users_create.__doc__, description=cmd_users_create.__doc__
    )
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument(
        "--role", required=True, choices=["enterprise", "researcher", "secretariat"]
    )
    create.add_argument("--org", required=True, help="organisation name (created if new)")
    create.add_argument("--name", help="full name")
    create.set_defaults(func=cmd_users_create)

    seed = sub.add_parser("seed", help=cmd_seed.__doc__, description=cmd_seed.__doc__)
    seed.set_defaults(func=cmd_seed)

    fmt_help = "jsonl, json or csv (default: from the file's extension)"
    imp = sub.add_parser("import", help=cmd_import.__doc__, description=cmd_import.__doc__)
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--format", choices=["jsonl", "json", "csv"], help=fmt_help)
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help=cmd_export.__doc__, description=cmd_export.__doc__)
    exp.add_argument("file", metavar="FILE")
    exp.add_argument("--format", choices=["jsonl", "json", "csv"], help=fmt_help)
    exp.add_argument("--type", choices=["all", "project", "need"], default="all")
    exp.set_defaults(func=cmd_export)

    serve = sub.add_parser("serve", help=cmd_serve.__doc__, description=cmd_serve.__doc__)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
