"""Reading and writing JSON Lines, JSON and CSV, keeping each record's line number."""

from __future__ import annotations

import csv
import enum
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.bulk.records import LIST_FIELDS, NeedRecord, ProjectRecord

LIST_SEPARATOR = ";"
ESCAPE = "\\"
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP CSV injection);
# an exported cell that does, after any apostrophes, gets one more apostrophe in front.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_MARK = "'"
# Deeper than any record (a record holds patents, a list of objects): refused before a deeper
# structure reaches code that recurses.
MAX_DEPTH = 8


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
    field: str = ""


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
    for key, field_value in value.items():
        if _depth(field_value) >= MAX_DEPTH:
            return RawRecord(line, None, _TOO_DEEP, field=str(key))
    return RawRecord(line, value)


def _depth(value: Any) -> int:
    """How deeply ``value`` nests lists and objects, counted without recursing."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                children = item.values() if isinstance(item, dict) else item
                stack.extend((child, level + 1) for child in children)
    return deepest


# Control characters inside strings are let through, so that the field they are in is named
# (a NUL in a title is reported as the title's problem, not as unreadable JSON).
_DECODER = json.JSONDecoder(strict=False)
_TOO_DEEP = f"invalid JSON: nested more than {MAX_DEPTH} levels deep"


def _read_jsonl(text: str) -> Iterator[RawRecord]:
    # Lines end at \n only: str.splitlines() would also break at U+2028, U+0085 and other
    # characters that json.dumps writes unescaped inside a string.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = _DECODER.decode(line)
        except json.JSONDecodeError as exc:
            yield RawRecord(number, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield RawRecord(number, None, _TOO_DEEP)
            continue
        yield _as_object(number, value)


def _read_json(text: str) -> Iterator[RawRecord]:
    """A JSON array of records; each record is reported at the line where it starts."""
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
            value, pos = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield RawRecord(exc.lineno, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
            return
        except RecursionError:  # where this record ends is unknown: stop reading here
            yield RawRecord(line, None, _TOO_DEEP)
            return
        yield _as_object(line, value)
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_space(text, pos + 1)
        elif pos < len(text) and text[pos] == "]":
            pos = _skip_space(text, pos + 1)
            if pos < len(text):
                yield RawRecord(
                    text.count("\n", 0, pos) + 1, None, "invalid JSON: text after the closing ]"
                )
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
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        columns = [name.strip() for name in next(reader, [])]
    except csv.Error as exc:
        yield _unreadable_row(text, 1, [], exc)
        return
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # where this row ends is unknown: stop reading here
            yield _unreadable_row(text, line, columns, exc)
            return
        if not cells:
            continue  # a blank line
        if len(cells) > len(columns):
            yield RawRecord(line, None, "the row has more cells than the header has columns")
            continue
        record: dict[str, Any] = {}
        for key, cell in zip(columns, cells, strict=False):
            if not cell.strip():
                continue  # an empty cell is a field the record does not carry
            try:
                record[key] = _csv_cell(key, cell.strip())
            except json.JSONDecodeError as exc:
                yield RawRecord(line, None, f"invalid JSON in the cell: {exc.msg}", field=key)
                break
            except RecursionError:
                yield RawRecord(line, None, _TOO_DEEP, field=key)
                break
        else:
            yield _as_object(line, record)


def _csv_cell(key: str, cell: str) -> Any:
    cell = _restore_formula(cell)
    if key == "patents":
        return _DECODER.decode(cell)
    if key in LIST_FIELDS:
        return _split_list(cell)
    return cell


def _unreadable_row(text: str, line: int, columns: list[str], exc: csv.Error) -> RawRecord:
    limit = csv.field_size_limit()
    if "field limit" not in str(exc):
        return RawRecord(line, None, f"unreadable CSV: {exc}; the rows after it were not read")
    offset = sum(len(s) for s in itertools.islice(io.StringIO(text, newline=""), line - 1))
    return RawRecord(
        line,
        None,
        f"a cell is longer than {limit:,} characters; the rows after it were not read",
        field=_column_over(text, offset, columns, limit),
    )


def _column_over(text: str, pos: int, columns: list[str], limit: int) -> str:
    """The column of the first cell longer than ``limit`` in the CSV row starting at ``pos``
    (the csv module says only that there is one)."""
    column, size, quoted = 0, 0, False
    while pos < len(text):
        char = text[pos]
        pos += 1
        if quoted and char == '"':
            if text.startswith('"', pos):  # a doubled quote is one character of the cell
                pos += 1
            else:
                quoted = False
                continue
        elif not quoted and char == '"' and size == 0:
            quoted = True
            continue
        elif not quoted and char == ",":
            column, size = column + 1, 0
            continue
        elif not quoted and char in "\r\n":
            break
        size += 1
        if size > limit:
            return columns[column] if column < len(columns) else ""
    return ""


def _neutralise_formula(cell: str) -> str:
    """A cell a spreadsheet will not run: one that starts with ``= + - @``, tab or CR, after any
    apostrophes, gets one more apostrophe in front (``_restore_formula`` takes it off)."""
    return FORMULA_MARK + cell if cell.lstrip(FORMULA_MARK)[:1] in FORMULA_START else cell


def _restore_formula(cell: str) -> str:
    if cell.startswith(FORMULA_MARK) and cell.lstrip(FORMULA_MARK)[:1] in FORMULA_START:
        return cell[1:]
    return cell


def _join_list(values: Iterable[Any]) -> str:
    """A list in one cell: items separated by ``; ``, a ``;`` or ``\\`` inside an item escaped
    with a backslash (``\\;``, ``\\\\``)."""
    escaped = (
        str(v).replace(ESCAPE, ESCAPE + ESCAPE).replace(LIST_SEPARATOR, ESCAPE + LIST_SEPARATOR)
        for v in values
    )
    return f"{LIST_SEPARATOR} ".join(escaped)


def _split_list(cell: str) -> list[str]:
    """The items of a list cell; a backslash before anything but ``;`` or ``\\`` is kept."""
    items: list[str] = []
    current: list[str] = []
    pos = 0
    while pos < len(cell):
        char = cell[pos]
        if char == ESCAPE and cell[pos + 1 : pos + 2] in (ESCAPE, LIST_SEPARATOR):
            current.append(cell[pos + 1])
            pos += 2
            continue
        if char == LIST_SEPARATOR:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
        pos += 1
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


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
        cell = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, list):
        cell = _join_list(value)
    else:
        cell = str(value)
    return _neutralise_formula(cell)
