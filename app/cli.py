"""The ``ketao`` command: database, seed, import/export and the server."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from app.config import Environment, get_settings
from app.db import make_engine, make_sessionmaker, session_scope


def _session_factory() -> sessionmaker[Session]:
    return make_sessionmaker(make_engine(get_settings().effective_database_url))


def cmd_db_upgrade(_: argparse.Namespace) -> int:
    """Migrate to the newest schema and bring the reference data up to date."""
    from alembic import command
    from alembic.config import Config

    from app.config import REPO_ROOT
    from app.geo.reference import sync_reference_data

    settings = get_settings()
    engine = make_engine(settings.effective_database_url)
    try:
        with engine.begin() as conn:
            config = Config(str(REPO_ROOT / "alembic.ini"))
            config.attributes["connection"] = conn
            config.attributes["configure_logging"] = False
            command.upgrade(config, "head")
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
    with session_scope(_session_factory()) as session:
        report = load_demo(session, settings.seed_dir)
    print(f"seeded: {report.summary()}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import a JSON Lines, JSON or CSV file; one bad record and nothing is imported."""
    from app.bulk.formats import FileFormat
    from app.bulk.service import ImportRejectedError, import_text

    path = Path(args.file)
    try:
        fmt = FileFormat(args.format) if args.format else FileFormat.from_path(path)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"ketao import: {exc}", file=sys.stderr)
        return 2
    try:
        with session_scope(_session_factory()) as session:
            report = import_text(session, text, fmt)
    except ImportRejectedError as exc:
        print(f"ketao import: {path.name}: {exc.detail}", file=sys.stderr)
        for err in exc.errors:
            who = f" ({err.external_id})" if err.external_id else ""
            where = f"{err.field}: " if err.field else ""
            print(f"  line {err.line}{who}: {where}{err.message}", file=sys.stderr)
        return 1
    print(f"imported {path.name}: {report.summary()}")
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
    with _session_factory()() as session:
        text = export_text(session, fmt, types)  # type: ignore[arg-type]
    path.write_text(text, encoding="utf-8")
    print(f"exported to {path}")
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
        log_level=get_settings().log_level,
    )
    return 0


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
