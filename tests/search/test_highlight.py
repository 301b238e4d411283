"""Highlighting marks what a query matched, in the original text, whatever its script."""

from __future__ import annotations

from app.search.analysis import Analyzer
from app.search.highlight import Highlighter


def mark(analyzer: Analyzer, query: str, text: str, window: int = 0) -> str | None:
    units = analyzer.query_units(query, prefix_last=True)
    return Highlighter(analyzer, units).highlight(text, window)


def test_simplified_query_marks_traditional_text(analyzer: Analyzer) -> None:
    assert mark(analyzer, "电池", "高精度電池監測晶片") == "高精度<mark>電池</mark>監測晶片"


def test_english_words_are_marked_by_stem_prefix_and_typo(analyzer: Analyzer) -> None:
    assert mark(analyzer, "battery", "Batteries for grids") == "<mark>Batteries</mark> for grids"
    assert mark(analyzer, "ambul", "Travels with ambulances.") == (
        "Travels with <mark>ambulances</mark>."
    )
    assert mark(analyzer, "batery", "A battery pack") == "A <mark>battery</mark> pack"
    assert mark(analyzer, "batery", "Material science") is None


def test_a_synonym_query_marks_the_other_form(analyzer: Analyzer) -> None:
    assert mark(analyzer, "SiC", "1200V碳化硅MOSFET") == "1200V<mark>碳化硅</mark>MOSFET"
    assert mark(analyzer, "碳化硅", "SiC MOSFET") == "<mark>SiC</mark> MOSFET"


def test_text_is_escaped_and_long_text_cut_to_a_snippet(analyzer: Analyzer) -> None:
    assert mark(analyzer, "储能", "<b>储能</b>") == "&lt;b&gt;<mark>储能</mark>&lt;/b&gt;"
    long_text = "前言。" * 100 + "钠离子电池储能" + "结尾。" * 100
    snippet = mark(analyzer, "钠离子电池", long_text, window=60)
    assert snippet is not None
    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert "<mark>钠离子电池</mark>" in snippet
    assert len(snippet) < 120
