"""HTTP routes for the taxonomy and for cities and zones."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from app.deps import SessionDep
from app.errors import Problem
from app.geo import schemas, service

router = APIRouter(tags=["geo"])


@router.get("/taxonomy", response_model=schemas.Taxonomy)
def get_taxonomy(session: SessionDep) -> schemas.Taxonomy:
    """Industry codes (two levels), TRL levels and transfer modes, in Chinese and English."""
    return service.taxonomy(session)


@router.get("/cities", response_model=schemas.CityList)
def list_cities(
    session: SessionDep,
    kind: Annotated[Literal["city", "zone"] | None, Query(description="city or zone")] = None,
) -> schemas.CityList:
    """The 11 GBA cities and the 4 cooperation zones."""
    return service.list_cities(session, kind)


@router.get(
    "/cities/{code}",
    response_model=schemas.CityDetail,
    responses={404: {"model": Problem, "description": "No such city or zone"}},
)
def get_city(session: SessionDep, code: Annotated[str, Path(max_length=16)]) -> schemas.CityDetail:
    """A city or zone with its industry profile, clusters, platforms and sources."""
    return service.city_detail(session, code)
