"""The scorer's components and reasons, one at a time."""

from __future__ import annotations

import pytest

from app.matching import scoring

NAMES = scoring.Names(
    industries={
        "1": ("新一代信息技术产业", "New-generation IT"),
        "1.2": ("电子核心产业", "Core electronics"),
        "1.5": ("人工智能", "Artificial intelligence"),
        "6.5": ("智能电网产业", "Smart grid"),
    },
    places={
        "shenzhen": ("深圳", "Shenzhen"),
        "qianhai": ("前海", "Qianhai"),
        "jiangmen": ("江门", "Jiangmen"),
    },
    parents={"qianhai": "shenzhen"},
)
SHENZHEN = scoring.Place(
    code="shenzhen", name_zh="深圳", name_en="Shenzhen", parent=None, weights={"1.2": 1.0}
)


def test_industry_fit_exact_sector_and_different() -> None:
    assert scoring.industry_fit(["1.2"], ["6.5", "1.2"], NAMES)[0] == 1.0
    fit, reason = scoring.industry_fit(["1.2"], ["1.5"], NAMES)
    assert fit == 0.5
    assert reason is not None
    assert reason.code == "industry.same_sector"
    assert scoring.industry_fit(["1.2"], ["6.5"], NAMES)[0] == 0.0
    assert scoring.industry_fit([], ["6.5"], NAMES) == (None, None)


@pytest.mark.parametrize(
    ("trl", "fit", "code"),
    [(7, 1.0, "trl.meets"), (6, 1.0, "trl.meets"), (5, 0.75, "trl.below"), (2, 0.0, "trl.below")],
)
def test_a_trl_gap_lowers_maturity_fit_without_zeroing_a_near_miss(
    trl: int, fit: float, code: str
) -> None:
    value, reason = scoring.maturity_fit(6, trl)
    assert value == fit
    assert reason is not None
    assert reason.code == code


def test_near_miss_advice_reads_as_the_issue_asks() -> None:
    _, trl = scoring.maturity_fit(6, 5)
    assert trl is not None
    assert trl.message_en == "TRL 5, below the need's minimum 6"
    assert trl.message_zh == "TRL 5，低于需求的最低要求 6"
    fit, mode = scoring.mode_fit(["equity"], ["license"])
    assert fit == 0.0
    assert mode is not None
    assert mode.message_en == "Offers licence only; the need asks for equity contribution"


def test_budget_and_location() -> None:
    assert scoring.budget_fit(500, 300)[0] == 1.0
    assert scoring.budget_fit(500, 1000)[0] == 0.5
    assert scoring.budget_fit(None, 1000) == (None, None)
    project = scoring.ProjectSpec(industries=("1.2",), city="qianhai", targets=("jiangmen",))
    assert scoring.location_fit("qianhai", project, None, NAMES)[0] == 1.0
    assert scoring.location_fit("jiangmen", project, None, NAMES)[0] == 0.9
    assert scoring.location_fit("shenzhen", project, SHENZHEN, NAMES)[0] == 0.7
    elsewhere = scoring.ProjectSpec(industries=("1.2",), city="jiangmen")
    assert scoring.location_fit("shenzhen", elsewhere, SHENZHEN, NAMES)[0] == 0.6


def test_the_total_is_a_weighted_mean_of_what_the_need_speaks_to() -> None:
    need = scoring.NeedSpec(industries=("1.2",), min_trl=6)
    project = scoring.ProjectSpec(industries=("1.2",), trl=7, modes=("license",))
    result = scoring.score_pair(
        need, project, text=1.0, shared_terms=["碳化硅"], place=None, names=NAMES
    )
    assert result.components == {
        "text": 1.0,
        "industry": 1.0,
        "maturity": 1.0,
        "mode": None,
        "budget": None,
        "location": None,
    }
    assert result.score == 1.0
    assert [r.code for r in result.reasons] == ["text.shared_terms", "industry.same", "trl.meets"]


def test_a_pair_with_nothing_in_common_in_its_text_is_damped() -> None:
    need = scoring.NeedSpec(industries=("1.2",))
    project = scoring.ProjectSpec(industries=("1.2",))
    silent = scoring.score_pair(need, project, text=0.0, shared_terms=(), place=None, names=NAMES)
    assert silent.score < 0.5
    no_text = scoring.score_pair(need, project, text=None, shared_terms=(), place=None, names=NAMES)
    assert no_text.score == 1.0


def test_city_profile_reason_cites_its_sources() -> None:
    place = scoring.Place(
        code="shenzhen",
        name_zh="深圳",
        name_en="Shenzhen",
        parent=None,
        weights={"1.2": 0.9},
        basis={"1.2": ("半导体集群", "semiconductor cluster", (9, 10))},
    )
    fit, reason = scoring.profile_fit(scoring.ProjectSpec(industries=("1.2",)), place, NAMES)
    assert fit == 0.9
    assert reason is not None
    assert reason.message_en.endswith("[9][10]")
    assert "权重 0.90" in reason.message_zh
