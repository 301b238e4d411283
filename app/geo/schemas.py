"""API shapes for the taxonomy and for cities and zones."""

from __future__ import annotations

from pydantic import BaseModel


class IndustryPublic(BaseModel):
    code: str
    parent: str | None
    name_zh: str
    name_en: str


class IndustryNode(IndustryPublic):
    children: list[IndustryPublic]


class TrlLevel(BaseModel):
    level: int
    name_zh: str
    name_en: str


class TransferModePublic(BaseModel):
    code: str
    name_zh: str
    name_en: str
    legal_basis: str


class Taxonomy(BaseModel):
    industries: list[IndustryNode]
    trl: list[TrlLevel]
    transfer_modes: list[TransferModePublic]


class SourcePublic(BaseModel):
    number: int
    url: str
    mirror: bool


class NamedAsset(BaseModel):
    """A cluster, platform or research asset behind a profile, with the sources that name it."""

    name_zh: str
    name_en: str
    sources: list[int] = []


class ProfileEntry(BaseModel):
    industry: str
    industry_name_zh: str
    industry_name_en: str
    weight: float
    basis_zh: str
    basis_en: str
    sources: list[int]


class CitySummary(BaseModel):
    code: str
    kind: str
    parent: str | None
    name_zh: str
    name_zh_hant: str
    name_en: str


class CityList(BaseModel):
    items: list[CitySummary]
    total: int


class CityDetail(CitySummary):
    summary_zh: str
    summary_en: str
    zones: list[CitySummary]
    profile: list[ProfileEntry]
    clusters: list[NamedAsset]
    platforms: list[NamedAsset]
    research: list[NamedAsset]
    sources: list[SourcePublic]
