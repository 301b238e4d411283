"""Rules for text that people type: no NUL or control characters, names normalised.

Every field a person fills in is one of two kinds. A *line* (a title, a name, a venue) holds no
control character at all: a CR/LF in a title would end up in an HTTP header, a CSV row or an
iCalendar property. A *text* (a summary, a description, a note) may hold line breaks and tabs,
but no other control character. Neither may hold NUL, which PostgreSQL refuses to store.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

# C0 controls, DEL and C1 controls; line separators U+2028/U+2029 too (they break lines in
# most viewers).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


def line_problem(value: str) -> str | None:
    """Why ``value`` cannot be a one-line field, or None when it can."""
    if "\x00" in value:
        return "must not contain a NUL character"
    found = _CONTROL.search(value)
    if found:
        return f"must not contain control characters (found U+{ord(found.group()):04X})"
    return None


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be a multi-line text field, or None when it can."""
    if "\x00" in value:
        return "must not contain a NUL character"
    found = _CONTROL_IN_TEXT.search(value)
    if found:
        return f"must not contain control characters (found U+{ord(found.group()):04X})"
    return None


def check_line(value: str) -> str:
    problem = line_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def check_text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def normalise_name(value: str) -> str:
    """A name as stored: Unicode NFC, trimmed, inner runs of whitespace made one space.

    Control characters are refused, not silently removed (``line_problem`` says which).
    """
    problem = line_problem(value.replace("\t", " "))
    if problem:
        raise ValueError(problem)
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


Line = Annotated[str, AfterValidator(check_line)]
"""A one-line field: no control characters."""

Text = Annotated[str, AfterValidator(check_text)]
"""A multi-line field: line breaks and tabs allowed, no other control character."""

Name = Annotated[str, AfterValidator(normalise_name)]
"""A name (of a person, an organisation): normalised, no control characters."""
