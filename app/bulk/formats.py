"""Reading and writing JSON Lines, JSON and CSV, keeping each record's line number."""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.bulk.records import LIST_FIELDS, NeedRecord, ProjectRecord

LIST_SEPARATOR = ";"


class FileFormat(enum.StrEnum):
    jsonl = "jsonl"
    json = "json"
    csv = "csv"

    @classmethod
    def from_path(cls, path: Path) -> FileFormat:
        suffix = path.suffix.lower()
        if suffix in {".jsonl", ".ndjson"}:
            return cls.jsonl
        if suffix == ".json":
            return cls.json
        if suffix == ".csv":
            return cls.csv
        raise ValueError(
            f"cannot tell the format of '{path.name}' from its extension; "
            "use .jsonl, .json or .csv, or pass --format"
        )


@dataclass(frozen=True)
class RawRecord:
    """A record as read: its line in the file and its fields, or why it could not be read."""

    line: int
    data: dict[str, Any] | None
    error: str | None = None


CSV_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(["type", *ProjectRecord.model_fields, *NeedRecord.model_fields])
)


def read_records(text: str, fmt: FileFormat) -> list[RawRecord]:
    text = text.removeprefix("\ufeff")
    if fmt is FileFormat.jsonl:
        return list(_read_jsonl(text))
    if fmt is FileFormat.json:
        return list(_read_json(text))
    return list(_read_csv(text))


def _as_object(line: int, value: Any) -> RawRecord:
    if not isinstance(value, dict):
        return RawRecord(line, None, f"a record must be a JSON object, not {type(value).__name__}")
    return RawRecord(line, value)


def _read_jsonl(text: str) -> Iterator[RawRecord]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RawRecord(number, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        yield _as_object(number, value)


def _read_json(text: str) -> Iterator[RawRecord]:
    """A JSON array of records; each record is reported at the line where it starts."""
    decoder = json.JSONDecoder()
    pos = _skip_space(text, 0)
    if pos >= len(text) or text[pos] != "[":
        yield RawRecord(1, None, "a JSON file must hold an array of records")
        return
    pos = _skip_space(text, pos + 1)
    if pos < len(text) and text[pos] == "]":
        return
    while pos < len(text):
        line = text.count("\n", 0, pos) + 1
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield RawRecord(exc.lineno, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
            return
        yield _as_object(line, value)
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_space(text, pos + 1)
        elif pos < len(text) and text[pos] == "]":
            return
        else:
            yield RawRecord(text.count("\n", 0, pos) + 1, None, "invalid JSON: expected , or ]")
            return
    yield RawRecord(text.count("\n") + 1, None, "invalid JSON: the array is not closed")


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _read_csv(text: str) -> Iterator[RawRecord]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    start = 2  # line 1 is the header
    for row in reader:
        line, start = start, reader.line_num + 1
        if None in row:
            yield RawRecord(line, None, "the row has more cells than the header has columns")
            continue
        record: dict[str, Any] = {}
        try:
            for key, cell in row.items():
                if cell is None or not cell.strip():
                    continue  # an empty cell is a field the record does not carry
                record[key.strip()] = _csv_cell(key.strip(), cell.strip())
        except json.JSONDecodeError as exc:
            yield RawRecord(line, None, f"invalid JSON in the patents cell: {exc.msg}")
            continue
        yield RawRecord(line, record)


def _csv_cell(key: str, cell: str) -> Any:
    if key == "patents":
        return json.loads(cell)
    if key in LIST_FIELDS:
        return [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]
    return cell


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    return {k: _jsonable(v) for k, v in record.items() if v is not None and v != []}


def write_records(records: Iterable[dict[str, Any]], fmt: FileFormat) -> str:
    cleaned = [_clean(r) for r in records]
    if fmt is FileFormat.jsonl:
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in cleaned)
    if fmt is FileFormat.json:
        body = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in cleaned)
        return f"[\n{body}\n]\n" if cleaned else "[]\n"
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in cleaned:
        writer.writerow({key: _csv_value(key, value) for key, value in record.items()})
    return out.getvalue()


def _csv_value(key: str, value: Any) -> str:
    if key == "patents":
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return f"{LIST_SEPARATOR} ".join(str(v) for v in value)
    return str(value)
