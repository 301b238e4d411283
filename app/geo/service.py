"""Reads of the taxonomy and of cities and zones; the code sets other domains validate against."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.errors import FieldError, InvalidInputError, NotFoundError
from app.geo import schemas
from app.geo.models import City, CityIndustryWeight, Industry, ReferenceSource
from app.geo.taxonomy import TRANSFER_MODE_NAMES, TRL_LEVELS


@dataclass(frozen=True)
class ReferenceCodes:
    """The industry and city/zone codes that exist, for validating filters and records."""

    industries: frozenset[str]
    children: dict[str, frozenset[str]] = field(default_factory=dict)
    cities: frozenset[str] = frozenset()

    def expand_industry(self, code: str) -> frozenset[str]:
        """A top-level code stands for itself and every code under it."""
        return frozenset({code}) | self.children.get(code, frozenset())


_REFERENCE_TTL_SECONDS = 60.0
_reference_cache: dict[tuple[str, str], tuple[float, Any]] = {}
_T = TypeVar("_T")


def _reference(session: Session, name: str, read: Callable[[], _T]) -> _T:
    """Reference data (codes, the taxonomy, the cities and zones), read at most once a minute
    per database: it changes only on upgrade. Copies are not made: callers must not change it."""
    key = (str(session.get_bind().engine.url), name)
    hit = _reference_cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < _REFERENCE_TTL_SECONDS:
        return cast(_T, hit[1])
    value = read()
    _reference_cache[key] = (time.monotonic(), value)
    return value


def reference_codes(session: Session) -> ReferenceCodes:
    """The known codes."""
    return _reference(session, "codes", lambda: _read_codes(session))


def _read_codes(session: Session) -> ReferenceCodes:
    rows = session.execute(select(Industry.code, Industry.parent_code)).all()
    children: dict[str, set[str]] = {}
    for code, parent in rows:
        if parent is not None:
            children.setdefault(parent, set()).add(code)
    return ReferenceCodes(
        industries=frozenset(code for code, _ in rows),
        children={parent: frozenset(codes) for parent, codes in children.items()},
        cities=frozenset(session.scalars(select(City.code))),
    )


def taxonomy(session: Session) -> schemas.Taxonomy:
    """The industry tree and the TRL and transfer-mode vocabularies."""
    return _reference(session, "taxonomy", lambda: _read_taxonomy(session))


def _read_taxonomy(session: Session) -> schemas.Taxonomy:
    industries = session.scalars(select(Industry).order_by(Industry.position)).all()
    nodes = [
        schemas.IndustryNode(
            code=top.code,
            parent=None,
            name_zh=top.name_zh,
            name_en=top.name_en,
            children=[
                schemas.IndustryPublic(
                    code=child.code, parent=top.code, name_zh=child.name_zh, name_en=child.name_en
                )
                for child in industries
                if child.parent_code == top.code
            ],
        )
        for top in industries
        if top.parent_code is None
    ]
    return schemas.Taxonomy(
        industries=nodes,
        trl=[
            schemas.TrlLevel(level=level, name_zh=zh, name_en=en)
            for level, (zh, en) in TRL_LEVELS.items()
        ],
        transfer_modes=[
            schemas.TransferModePublic(code=mode.value, name_zh=zh, name_en=en, legal_basis=basis)
            for mode, (zh, en, basis) in TRANSFER_MODE_NAMES.items()
        ],
    )


def _summary(city: City) -> schemas.CitySummary:
    return schemas.CitySummary(
        code=city.code,
        kind=city.kind,
        parent=city.parent_code,
        name_zh=city.name_zh,
        name_zh_hant=city.name_zh_hant,
        name_en=city.name_en,
    )


def list_cities(session: Session, kind: str | None = None) -> schemas.CityList:
    """The 11 cities and 4 zones (or those of one kind), in their order."""
    return _reference(session, f"cities:{kind}", lambda: _read_cities(session, kind))


def _read_cities(session: Session, kind: str | None) -> schemas.CityList:
    stmt = select(City).order_by(City.position)
    if kind is not None:
        stmt = stmt.where(City.kind == kind)
    items = [_summary(c) for c in session.scalars(stmt)]
    return schemas.CityList(items=items, total=len(items))


def city_detail(session: Session, code: str) -> schemas.CityDetail:
    city = session.scalar(select(City).where(City.code == code).options(selectinload(City.profile)))
    if city is None:
        raise NotFoundError(f"No city or zone has the code '{code}'")
    names = {i.code: i for i in session.scalars(select(Industry))}
    zones = session.scalars(
        select(City).where(City.parent_code == code).order_by(City.position)
    ).all()
    profile = [_profile_entry(entry, names[entry.industry_code]) for entry in city.profile]
    assets = [
        [schemas.NamedAsset.model_validate(a) for a in group]
        for group in (city.clusters, city.platforms, city.research)
    ]
    cited = {n for entry in profile for n in entry.sources} | {
        n for group in assets for asset in group for n in asset.sources
    }
    sources = session.scalars(
        select(ReferenceSource)
        .where(ReferenceSource.number.in_(cited))
        .order_by(ReferenceSource.number)
    )
    return schemas.CityDetail(
        **_summary(city).model_dump(),
        summary_zh=city.summary_zh,
        summary_en=city.summary_en,
        zones=[_summary(z) for z in zones],
        profile=profile,
        clusters=assets[0],
        platforms=assets[1],
        research=assets[2],
        sources=[
            schemas.SourcePublic(number=s.number, url=s.url, mirror=s.mirror) for s in sources
        ],
    )


def _profile_entry(entry: CityIndustryWeight, industry: Industry) -> schemas.ProfileEntry:
    return schemas.ProfileEntry(
        industry=entry.industry_code,
        industry_name_zh=industry.name_zh,
        industry_name_en=industry.name_en,
        weight=entry.weight,
        basis_zh=entry.basis_zh,
        basis_en=entry.basis_en,
        sources=entry.sources,
    )


def check_references(values: dict[str, Any], refs: ReferenceCodes) -> None:
    """Industry and city codes must exist: a 422 naming each unknown one."""
    errors = []
    for name, known, what in (
        ("industries", refs.industries, "industry code"),
        ("city", refs.cities, "city or zone code"),
        ("target_cities", refs.cities, "city or zone code"),
    ):
        value = values.get(name)
        codes = [value] if isinstance(value, str) else (value or [])
        errors += [
            FieldError(field=name, location="body", message=f"unknown {what} '{code}'")
            for code in codes
            if code not in known
        ]
    if errors:
        raise InvalidInputError("Unknown codes: " + ", ".join(e.message for e in errors), errors)
