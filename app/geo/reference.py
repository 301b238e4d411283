"""Load the reference data every installation needs (taxonomy, cities, zones, sources).

Runs inside the ``0002`` data migration and again on every ``ketao db upgrade``; it is
idempotent and writes with Core statements against the columns it names, so later model
changes cannot break the old migration that calls it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from app.config import get_settings

_industries = sa.table(
    "industries",
    sa.column("code", sa.String),
    sa.column("parent_code", sa.String),
    sa.column("level", sa.Integer),
    sa.column("name_zh", sa.String),
    sa.column("name_en", sa.String),
    sa.column("position", sa.Integer),
)
_sources = sa.table(
    "reference_sources",
    sa.column("number", sa.Integer),
    sa.column("url", sa.String),
    sa.column("mirror", sa.Boolean),
)
_cities = sa.table(
    "cities",
    sa.column("code", sa.String),
    sa.column("kind", sa.String),
    sa.column("parent_code", sa.String),
    sa.column("name_zh", sa.String),
    sa.column("name_zh_hant", sa.String),
    sa.column("name_en", sa.String),
    sa.column("summary_zh", sa.Text),
    sa.column("summary_en", sa.Text),
    sa.column("clusters", sa.JSON),
    sa.column("platforms", sa.JSON),
    sa.column("research", sa.JSON),
    sa.column("position", sa.Integer),
)
_weights = sa.table(
    "city_industry_weights",
    sa.column("city_code", sa.String),
    sa.column("industry_code", sa.String),
    sa.column("weight", sa.Float),
    sa.column("basis_zh", sa.Text),
    sa.column("basis_en", sa.Text),
    sa.column("sources", sa.JSON),
)


def _read(directory: Path, name: str) -> Any:
    return json.loads((directory / name).read_text(encoding="utf-8"))


def _upsert(conn: Connection, table: sa.TableClause, key: str, rows: list[dict[str, Any]]) -> None:
    key_col = table.c[key]
    existing = set(conn.scalars(sa.select(key_col)))
    for row in rows:
        if row[key] in existing:
            conn.execute(table.update().where(key_col == row[key]).values(**row))
        else:
            conn.execute(table.insert().values(**row))


def sync_reference_data(conn: Connection, directory: Path | None = None) -> None:
    """Bring the taxonomy, sources, cities, zones and profiles in line with ``seed/reference``."""
    directory = directory or get_settings().seed_dir / "reference"
    taxonomy = _read(directory, "taxonomy.json")["industries"]
    industry_rows = [
        {
            "code": item["code"],
            "parent_code": item["parent"],
            "level": 1 if item["parent"] is None else 2,
            "name_zh": item["name_zh"],
            "name_en": item["name_en"],
            "position": position,
        }
        for position, item in enumerate(taxonomy)
    ]
    # Parents first, so the self-referencing foreign key holds at every step.
    industry_rows.sort(key=lambda row: row["level"])
    _upsert(conn, _industries, "code", industry_rows)

    sources = _read(directory, "sources.json")["sources"]
    _upsert(conn, _sources, "number", [dict(s) for s in sources])

    cities = _read(directory, "cities.json")["cities"]
    city_rows = [
        {
            "code": c["code"],
            "kind": c["kind"],
            "parent_code": c.get("parent"),
            "name_zh": c["name_zh"],
            "name_zh_hant": c["name_zh_hant"],
            "name_en": c["name_en"],
            "summary_zh": c.get("summary_zh", ""),
            "summary_en": c.get("summary_en", ""),
            "clusters": c.get("clusters", []),
            "platforms": c.get("platforms", []),
            "research": c.get("research", []),
            "position": position,
        }
        for position, c in enumerate(cities)
    ]
    city_rows.sort(key=lambda row: row["kind"] == "zone")  # cities before the zones inside them
    _upsert(conn, _cities, "code", city_rows)

    codes = [c["code"] for c in cities]
    conn.execute(_weights.delete().where(_weights.c.city_code.in_(codes)))
    weight_rows = [
        {
            "city_code": c["code"],
            "industry_code": entry["industry"],
            "weight": entry["weight"],
            "basis_zh": entry.get("basis_zh", ""),
            "basis_en": entry.get("basis_en", ""),
            "sources": entry.get("sources", []),
        }
        for c in cities
        for entry in c.get("profile", [])
    ]
    if weight_rows:
        conn.execute(_weights.insert(), weight_rows)
