"""Explainable scoring of a (need, project) pair and of a (project, city or zone) pair.

Pure functions over plain data: every component is in [0, 1] or ``None`` when the need says
nothing about it (it then leaves the weighting), the total is the weighted mean of the rest,
and every component leaves a reason a person can read, in Chinese and English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.config import CITY_MATCH_WEIGHTS, MATCH_WEIGHTS, ROADSHOW_MATCH_WEIGHTS
from app.geo.taxonomy import TRANSFER_MODE_NAMES, TransferMode
from app.matching.schemas import Reason

DEFAULT_WEIGHTS = MATCH_WEIGHTS
DEFAULT_CITY_WEIGHTS = CITY_MATCH_WEIGHTS
DEFAULT_ROADSHOW_WEIGHTS = ROADSHOW_MATCH_WEIGHTS
TRL_STEP = 0.25  # each level below the need's minimum costs this much maturity fit
TEXT_GATE = 0.5  # the share of a total kept by a candidate whose text matches nothing
_MODES = frozenset(m.value for m in TransferMode)


@dataclass(frozen=True)
class NeedSpec:
    industries: tuple[str, ...] = ()
    city: str | None = None
    min_trl: int | None = None
    modes: tuple[str, ...] = ()
    budget: float | None = None


@dataclass(frozen=True)
class ProjectSpec:
    industries: tuple[str, ...] = ()
    trl: int | None = None
    modes: tuple[str, ...] = ()
    price: float | None = None
    city: str | None = None
    targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Place:
    """A city or zone as matching sees it."""

    code: str
    name_zh: str
    name_en: str
    parent: str | None
    weights: Mapping[str, float]  # industry code → weight
    basis: Mapping[str, tuple[str, str, tuple[int, ...]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Names:
    """Display names the reasons use."""

    industries: Mapping[str, tuple[str, str]]
    places: Mapping[str, tuple[str, str]]
    parents: Mapping[str, str | None] = field(default_factory=dict)

    def industry(self, code: str) -> tuple[str, str]:
        return self.industries.get(code, (code, code))

    def place(self, code: str) -> tuple[str, str]:
        return self.places.get(code, (code, code))


@dataclass
class Scored:
    score: float
    components: dict[str, float | None]
    reasons: list[Reason]


def _reason(code: str, zh: str, en: str) -> Reason:
    return Reason(code=code, message_zh=zh, message_en=en)


def _top(code: str) -> str:
    return code.split(".")[0]


def weighted(components: Mapping[str, float | None], weights: Mapping[str, float]) -> float:
    used = [(weights.get(k, 0.0), v) for k, v in components.items() if v is not None]
    total = sum(w for w, _ in used)
    return round(sum(w * v for w, v in used) / total, 4) if total else 0.0


def industry_fit(
    need: Sequence[str], project: Sequence[str], names: Names
) -> tuple[float | None, Reason | None]:
    """``None`` when either side names no industry (nothing to compare; a roadshow theme told
    in words only, or a project not yet classified)."""
    if not need or not project:
        return None, None
    shared = [c for c in project if c in need]
    if shared:
        zh, en = names.industry(shared[0])
        return 1.0, _reason(
            "industry.same", f"同属{zh}（{shared[0]}）", f"Same industry: {en} ({shared[0]})"
        )
    tops = {_top(c) for c in need}
    sector = [c for c in project if _top(c) in tops]
    if sector:
        zh, en = names.industry(_top(sector[0]))
        return 0.5, _reason(
            "industry.same_sector",
            f"同属{zh}大类，细分领域不同",
            f"Same sector ({en}), different field",
        )
    want_zh, want_en = names.industry(need[0])
    return 0.0, _reason(
        "industry.different",
        f"行业不同：需求属于{want_zh}",
        f"Different industry: the need is in {want_en}",
    )


def maturity_fit(min_trl: int | None, trl: int | None) -> tuple[float | None, Reason | None]:
    if min_trl is None:
        return None, None
    if trl is None:
        return 0.5, _reason(
            "trl.unknown",
            f"项目未标注技术就绪水平，需求要求至少 TRL {min_trl}",
            f"The project states no TRL; the need asks for TRL {min_trl} or more",
        )
    if trl >= min_trl:
        return 1.0, _reason(
            "trl.meets",
            f"TRL {trl}，达到需求的最低要求 {min_trl}",
            f"TRL {trl} meets the need's minimum {min_trl}",
        )
    fit = max(0.0, 1.0 - TRL_STEP * (min_trl - trl))
    return fit, _reason(
        "trl.below",
        f"TRL {trl}，低于需求的最低要求 {min_trl}",
        f"TRL {trl}, below the need's minimum {min_trl}",
    )


def _mode_names(modes: Sequence[str]) -> tuple[str, str]:
    known = [TRANSFER_MODE_NAMES[TransferMode(m)] for m in modes if m in _MODES]
    return "、".join(k[0] for k in known), ", ".join(k[1].lower() for k in known)


def mode_fit(need: Sequence[str], project: Sequence[str]) -> tuple[float | None, Reason | None]:
    if not need:
        return None, None
    shared = [m for m in project if m in need]
    if shared:
        zh, en = _mode_names(shared)
        return 1.0, _reason("mode.match", f"可按需求的方式合作：{zh}", f"Offers the requested {en}")
    offer_zh, offer_en = _mode_names(project)
    want_zh, want_en = _mode_names(need)
    if not project:
        return 0.5, _reason(
            "mode.unknown", "项目未说明转化方式", "The project states no transfer mode"
        )
    return 0.0, _reason(
        "mode.mismatch",
        f"仅提供{offer_zh}；需求方希望{want_zh}",
        f"Offers {offer_en} only; the need asks for {want_en}",
    )


def budget_fit(budget: float | None, price: float | None) -> tuple[float | None, Reason | None]:
    if budget is None or price is None:
        return None, None
    if price <= budget:
        return 1.0, _reason(
            "budget.within",
            f"报价 {price:g} 万元，在预算 {budget:g} 万元以内",
            f"Asking {price:g} 万元, within the budget of {budget:g} 万元",
        )
    return round(budget / price, 4), _reason(
        "budget.over",
        f"报价 {price:g} 万元，超出预算 {budget:g} 万元",
        f"Asking {price:g} 万元, above the budget of {budget:g} 万元",
    )


def location_fit(
    city: str | None, project: ProjectSpec, place: Place | None, names: Names
) -> tuple[float | None, Reason | None]:
    if city is None:
        return None, None
    zh, en = names.place(city)
    if project.city == city:
        return 1.0, _reason("location.same_city", f"项目就在{zh}", f"Based in {en}")
    if city in project.targets:
        return 0.9, _reason("location.target", f"项目计划落地{zh}", f"Aims to land in {en}")
    if place is not None and (
        project.city == place.parent or city == names.parents.get(project.city or "")
    ):
        return 0.7, _reason(
            "location.nearby", f"项目位于{zh}所在城市", f"Based in the city around {en}"
        )
    best = max((place.weights.get(c, 0.0) for c in project.industries), default=0.0) if place else 0
    if best > 0:
        return round(0.6 * best, 4), _reason(
            "location.profile",
            f"{zh}的产业画像包含该领域（权重 {best:.2f}）",
            f"{en}'s industry profile includes this field (weight {best:.2f})",
        )
    return 0.0, _reason(
        "location.far",
        f"项目不在{zh}，也未计划落地{zh}",
        f"Neither based in nor aiming for {en}",
    )


def text_reason(shared: Sequence[str], text: float) -> Reason | None:
    if shared:
        terms = "、".join(shared[:6])
        return _reason(
            "text.shared_terms", f"共同关键词：{terms}", f"Shared terms: {', '.join(shared[:6])}"
        )
    if text > 0:
        return _reason("text.related", "内容相关", "Related content")
    return None


def score_pair(
    need: NeedSpec,
    project: ProjectSpec,
    *,
    text: float | None,
    shared_terms: Sequence[str],
    place: Place | None,
    names: Names,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
) -> Scored:
    """Score one (need, project) pair; ``text`` is the engine's relevance normalised per query."""
    components: dict[str, float | None] = {"text": text}
    reasons: list[Reason] = []
    if (r := text_reason(shared_terms, text or 0.0)) is not None:
        reasons.append(r)
    for name, (value, reason) in (
        ("industry", industry_fit(need.industries, project.industries, names)),
        ("maturity", maturity_fit(need.min_trl, project.trl)),
        ("mode", mode_fit(need.modes, project.modes)),
        ("budget", budget_fit(need.budget, project.price)),
        ("location", location_fit(need.city, project, place, names)),
    ):
        components[name] = value
        if reason is not None:
            reasons.append(reason)
    total = weighted(components, weights)
    if text is not None:
        # Fit on paper (industry, TRL, mode…) without saying anything alike is rarely an answer:
        # with a need's text to go on, the total is damped by how little the texts have in common.
        total = round(total * (TEXT_GATE + (1 - TEXT_GATE) * text), 4)
    return Scored(total, components, reasons)


def profile_fit(project: ProjectSpec, place: Place, names: Names) -> tuple[float, Reason | None]:
    """How strongly the place's profile wants the project's industries (partial for the sector)."""
    best, best_code, exact = 0.0, None, False
    for code in project.industries:
        weight = place.weights.get(code, 0.0)
        if weight > best:
            best, best_code, exact = weight, code, True
        for other, w in place.weights.items():
            if other != code and _top(other) == _top(code) and 0.5 * w > best:
                best, best_code, exact = 0.5 * w, other, False
    if best_code is None:
        return 0.0, None
    zh, en = names.industry(best_code)
    basis_zh, basis_en, sources = place.basis.get(best_code, ("", "", ()))
    cited = "".join(f"[{n}]" for n in sources)
    if exact:
        return best, _reason(
            "city.profile",
            f"{place.name_zh}产业画像：{zh} 权重 {place.weights[best_code]:.2f}"
            + (f"（{basis_zh}）" if basis_zh else "")
            + cited,
            f"{place.name_en}'s industry profile: {en}, weight {place.weights[best_code]:.2f}"
            + (f" ({basis_en})" if basis_en else "")
            + cited,
        )
    return best, _reason(
        "city.profile_sector",
        f"{place.name_zh}产业画像包含同一大类的{zh}（权重 {place.weights[best_code]:.2f}）{cited}",
        f"{place.name_en}'s profile covers the same sector: {en} "
        f"(weight {place.weights[best_code]:.2f}){cited}",
    )


def presence(project: ProjectSpec, place: Place) -> tuple[float, Reason | None]:
    """Whether the project is at home in the place (1), aims for it (0.8), or is based in the
    city a zone lies in (0.5)."""
    if project.city == place.code:
        return 1.0, _reason(
            "city.home", f"项目就在{place.name_zh}", f"The project is based in {place.name_en}"
        )
    if place.code in project.targets:
        return 0.8, _reason(
            "city.target", f"项目计划落地{place.name_zh}", f"The project aims for {place.name_en}"
        )
    if place.parent is not None and project.city == place.parent:
        return 0.5, _reason(
            "city.zone_of_home",
            f"{place.name_zh}位于项目所在城市",
            f"{place.name_en} lies in the project's home city",
        )
    return 0.0, None


def score_city(
    project: ProjectSpec,
    place: Place,
    *,
    needs: float,
    needs_reason: Reason | None,
    platforms: float,
    platforms_reason: Reason | None,
    names: Names,
    weights: Mapping[str, float] = DEFAULT_CITY_WEIGHTS,
) -> Scored:
    """Score one (project, city or zone) pair from the profile, open needs, platforms, presence."""
    industry, industry_reason = profile_fit(project, place, names)
    location, where = presence(project, place)
    components: dict[str, float | None] = {
        "industry": round(industry, 4),
        "needs": round(needs, 4),
        "platforms": round(platforms, 4),
        "location": location,
    }
    reasons = [r for r in (industry_reason, needs_reason, platforms_reason, where) if r]
    return Scored(weighted(components, weights), components, reasons)


def theme_fit(
    theme: Sequence[str], project: Sequence[str], names: Names
) -> tuple[float | None, Reason | None]:
    """Industry fit against a roadshow's theme industries."""
    value, reason = industry_fit(theme, project, names)
    if value == 0.0:
        zh, en = names.industry(theme[0])
        reason = _reason(
            "industry.off_theme", f"不属于路演主题行业（{zh}等）", f"Outside the theme ({en} …)"
        )
    return value, reason


def score_roadshow(
    theme: Sequence[str],
    project: ProjectSpec,
    place: Place,
    *,
    text: float,
    text_reason_: Reason | None,
    needs: float,
    needs_reason: Reason | None,
    platforms: float,
    platforms_reason: Reason | None,
    names: Names,
    weights: Mapping[str, float] = DEFAULT_ROADSHOW_WEIGHTS,
) -> Scored:
    """Score a project for a roadshow: its theme (text relevance, theme industries), then the
    host's profile, the open needs there, its platforms and the project's presence."""
    industry, industry_reason = theme_fit(theme, project.industries, names)
    profile, profile_reason = profile_fit(project, place, names)
    location, where = presence(project, place)
    components: dict[str, float | None] = {
        "text": round(text, 4),
        "industry": industry,
        "profile": round(profile, 4),
        "needs": round(needs, 4),
        "platforms": round(platforms, 4),
        "location": location,
    }
    reasons = [
        r
        for r in (
            text_reason_,
            industry_reason,
            profile_reason,
            needs_reason,
            platforms_reason,
            where,
        )
        if r
    ]
    return Scored(weighted(components, weights), components, reasons)
