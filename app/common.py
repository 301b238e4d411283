"""Small helpers shared by the project and need services."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.errors import ConflictError, FieldError, InvalidInputError


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


def checked_edit(thing: str, current: Any, version: int, values: Mapping[str, Any]) -> None:
    """Rules every versioned edit shares: the version read must be the current one (else 409),
    and the result keeps at least one title (else 422 naming it)."""
    if version != current.version:
        raise ConflictError(
            f"The {thing} changed since version {version} (it is at version "
            f"{current.version}); reload it and edit again"
        )
    if not any(values.get(k, getattr(current, k)) for k in ("title_zh", "title_en")):
        raise InvalidInputError(
            f"A {thing} keeps at least one of title_zh and title_en",
            [FieldError(field="title_zh", location="body", message="a title is required")],
        )


def claim_version(session: Session, model: type[Any], row: Any, version: int, thing: str) -> None:
    """Move ``row``'s version from ``version`` to the next in one conditional UPDATE, for an edit
    that changes no column of the row itself (a revision of a published project). Another edit
    that claimed ``version`` first makes this one a 409, on every database."""
    claimed = session.execute(
        update(model)
        .where(model.id == row.id, model.version == version)
        .values(version=version + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise ConflictError(
            f"The {thing} changed since version {version}; reload it and edit again"
        )
    set_committed_value(row, "version", version + 1)
