"""Import (all or nothing, upsert by external_id) and export of projects and needs."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from app.bulk.formats import FileFormat, RawRecord, read_records, write_records
from app.bulk.records import NeedRecord, ProjectRecord
from app.catalog import records as catalog
from app.common import same_record
from app.db import session_scope
from app.errors import FieldError, InvalidInputError
from app.geo.service import ReferenceCodes, reference_codes
from app.needs import records as needs

RecordType = Literal["project", "need"]
# A batch holds SQLite's write lock for about 0.45 s (2.2 ms a record) on an idle machine, a few
# times that on a busy one: short enough that a request queued behind it (app.db.WriteGate)
# gets the lock well inside its 5 s.
BATCH_SIZE = 200
# Writers of other processes get in by polling (SQLite's busy handler sleeps up to 100 ms
# between tries); a gap between two batches gives their next try a chance.
BATCH_PAUSE = 0.05
_MODELS: dict[str, type[ProjectRecord] | type[NeedRecord]] = {
    "project": ProjectRecord,
    "need": NeedRecord,
}


class ImportRejectedError(InvalidInputError):
    """At least one record is bad: nothing was imported; ``errors`` names every bad field."""

    code = "import-rejected"
    title = "Import rejected"


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    def merge(self, other: ImportReport) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged

    def summary(self) -> str:
        parts = []
        for kind in ("project", "need"):
            counts = (self.created[kind], self.updated[kind], self.unchanged[kind])
            if any(counts):
                parts.append(
                    f"{kind}s: {counts[0]} created, {counts[1]} updated, {counts[2]} unchanged"
                )
        return "; ".join(parts) or "nothing to import"


@dataclass(frozen=True)
class CheckedRecord:
    """A record that passed every check, ready to be written."""

    line: int
    type: RecordType
    record: BaseModel


def _error(raw: RawRecord, field_name: str, message: str) -> FieldError:
    external_id = raw.data.get("external_id") if raw.data else None
    return FieldError(
        field=field_name,
        location="record",
        message=message,
        line=raw.line,
        external_id=external_id if isinstance(external_id, str) else None,
    )


def _validate(
    raw: RawRecord, refs: ReferenceCodes
) -> tuple[CheckedRecord | None, list[FieldError]]:
    if raw.data is None:
        return None, [_error(raw, raw.field, raw.error or "unreadable record")]
    kind = raw.data.get("type")
    model = _MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        return None, [_error(raw, "type", "type must be 'project' or 'need'")]
    try:
        record = model.model_validate(raw.data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc = ".".join(str(part) for part in err["loc"]) or "title_zh"
            errors.append(_error(raw, loc, err["msg"].removeprefix("Value error, ")))
        return None, errors
    errors = []
    for code_field, known, what in (
        ("industries", refs.industries, "industry code"),
        ("city", refs.cities, "city or zone code"),
        ("target_cities", refs.cities, "city or zone code"),
    ):
        value = getattr(record, code_field, None)
        codes = [value] if isinstance(value, str) else (value or [])
        for index, code in enumerate(codes):
            if code not in known:
                where = code_field if isinstance(value, str) else f"{code_field}.{index}"
                errors.append(_error(raw, where, f"unknown {what} '{code}'"))
    if errors:
        return None, errors
    return CheckedRecord(raw.line, kind, record), []  # type: ignore[arg-type]


def check_records(session: Session, raws: Sequence[RawRecord]) -> list[CheckedRecord]:
    """Every record checked; raises ``ImportRejectedError`` naming each bad one."""
    refs = reference_codes(session)
    valid: list[CheckedRecord] = []
    errors: list[FieldError] = []
    first_line: dict[tuple[str, str], int] = {}
    for raw in raws:
        item, bad = _validate(raw, refs)
        errors.extend(bad)
        if item is None:
            continue
        external_id = getattr(item.record, "external_id", None)
        if external_id is not None:
            key = (item.type, external_id)
            if key in first_line:
                errors.append(
                    _error(
                        raw,
                        "external_id",
                        f"external_id '{external_id}' appears again "
                        f"(first on line {first_line[key]})",
                    )
                )
                continue
            first_line[key] = raw.line
        valid.append(item)
    if errors:
        bad_lines = len({e.line for e in errors})
        raise ImportRejectedError(
            f"{bad_lines} bad record(s); nothing was imported", sorted(errors, key=_line)
        )
    if not valid:
        raise ImportRejectedError("the file holds no records; nothing was imported")
    return valid


def _line(error: FieldError) -> int:
    return error.line or 0


def check_text(session: Session, text: str, fmt: FileFormat) -> list[CheckedRecord]:
    """Read and check every record of a file; reads only (no write lock is taken)."""
    return check_records(session, read_records(text, fmt))


def import_text(
    session: Session, text: str, fmt: FileFormat, *, dry_run: bool = False
) -> ImportReport:
    """Check every record, then upsert them all in the caller's transaction; a dry run counts
    what the upserts would do and writes nothing."""
    records = check_text(session, text, fmt)
    return preview_records(session, records) if dry_run else upsert_records(session, records)


def preview_records(session: Session, records: Sequence[CheckedRecord]) -> ImportReport:
    """What ``upsert_records`` would create, update and leave unchanged, read only (a dry run):
    an upsert merges a record into the stored one and writes nothing when that changes nothing."""
    ids: dict[str, list[str]] = {"project": [], "need": []}
    for item in records:
        external_id = getattr(item.record, "external_id", None)
        if external_id:
            ids[item.type].append(external_id)
    stored = {
        "project": {
            k: catalog.to_record(p)
            for k, p in catalog.projects_by_external_id(session, ids["project"]).items()
        },
        "need": {
            k: needs.to_record(n)
            for k, n in needs.needs_by_external_id(session, ids["need"]).items()
        },
    }
    # organization_kind only says what kind a new organisation is; it changes no need.
    ignore = {"project": (), "need": ("organization_kind",)}
    report = ImportReport()
    for item in records:
        values = item.record.model_dump(exclude_unset=True, exclude={"type"})
        current = stored[item.type].get(values.get("external_id") or "")
        if current is None:
            outcome = "created"
        elif same_record({**current, **values}, current, ignore=ignore[item.type]):
            outcome = "unchanged"
        else:
            outcome = "updated"
        getattr(report, outcome)[item.type] += 1
    return report


def upsert_records(session: Session, records: Sequence[CheckedRecord]) -> ImportReport:
    """Upsert checked records in the caller's transaction, each with its search-outbox row."""
    ids: dict[str, list[str]] = {"project": [], "need": []}
    for item in records:
        external_id = getattr(item.record, "external_id", None)
        if external_id:
            ids[item.type].append(external_id)
    existing_projects = catalog.projects_by_external_id(session, ids["project"])
    existing_needs = needs.needs_by_external_id(session, ids["need"])
    report = ImportReport()
    for item in records:
        values = item.record.model_dump(exclude_unset=True, exclude={"type"})
        external_id = values.get("external_id")
        if item.type == "project":
            outcome, _ = catalog.upsert_project(
                session, existing_projects.get(external_id or ""), values
            )
        else:
            outcome, _ = needs.upsert_need(session, existing_needs.get(external_id or ""), values)
        getattr(report, outcome)[item.type] += 1
    return report


def write_checked(
    factory: sessionmaker[Session],
    records: Sequence[CheckedRecord],
    *,
    batch_size: int | None = None,
    pause: float | None = None,
) -> ImportReport:
    """Write checked records with sessions from ``factory``, committing as it goes.

    The one place in Ketao where a service commits: a long import must not hold SQLite's single
    write lock for its whole run (every other write would fail after busy_timeout), so there it
    writes ``batch_size`` records per transaction and pauses between two. A crash leaves the
    batches already committed; running the same file again writes the rest and leaves those
    unchanged (upserts by external_id). On PostgreSQL, where a long transaction blocks no other
    writer, the whole file is one transaction.
    """
    with factory() as probe:
        sqlite = probe.get_bind().dialect.name == "sqlite"
    if sqlite:
        batch_size = batch_size or BATCH_SIZE
        pause = BATCH_PAUSE if pause is None else pause
    else:
        batch_size, pause = max(len(records), 1), 0.0
    report = ImportReport()
    for start in range(0, len(records), batch_size):
        if start and pause:
            time.sleep(pause)
        with session_scope(factory) as session:
            report.merge(upsert_records(session, records[start : start + batch_size]))
    return report


def export_text(
    session: Session,
    fmt: FileFormat,
    types: Sequence[RecordType],
    *,
    only: Mapping[RecordType, Collection[int]] | None = None,
) -> str:
    """The library in ``fmt``; ``only`` keeps the records of a type whose ids it lists (the
    secretariat's export of a filter)."""
    keep = only or {}
    records: list[dict[str, Any]] = []
    if "project" in types:
        ids = set(keep["project"]) if "project" in keep else None
        records.extend(
            catalog.to_record(p)
            for p in catalog.all_projects(session)
            if ids is None or p.id in ids
        )
    if "need" in types:
        ids = set(keep["need"]) if "need" in keep else None
        records.extend(
            needs.to_record(n) for n in needs.all_needs(session) if ids is None or n.id in ids
        )
    return write_records(records, fmt)
