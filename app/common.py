"""Small helpers shared by the project and need services."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any


def new_external_id(prefix: str) -> str:
    """An ``external_id`` for a record created without one, e.g. ``KTP-3F9A0C12DE``."""
    return f"{prefix}-{secrets.token_hex(5).upper()}"


def _normalised(value: Any) -> Any:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def same_record(a: Mapping[str, Any], b: Mapping[str, Any], ignore: Iterable[str] = ()) -> bool:
    """Whether two import-format records say the same thing (``800`` equals ``800.00``)."""
    keys = {*a, *b} - set(ignore)
    return all(_normalised(a.get(k)) == _normalised(b.get(k)) for k in keys)
