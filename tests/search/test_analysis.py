"""The shared text analysis: folding, segmentation with the domain dictionary, synonyms."""

from __future__ import annotations

from app.search.analysis import Analyzer, cjk_bigrams, fold, fold_with_offsets


def test_fold_traditional_full_width_accents_and_case() -> None:
    assert fold("香港科技大學 半導體 碳化矽") == "香港科技大学 半导体 碳化硅"
    assert fold("ＧａＮ Café") == "gan cafe"


def test_fold_with_offsets_maps_back_to_the_original() -> None:
    text = "電池Ａ"
    folded, origin = fold_with_offsets(text)
    assert folded == "电池a"
    assert origin == [0, 1, 2]


def test_domain_terms_stay_whole(analyzer: Analyzer) -> None:
    for term in ("碳化硅", "仿生鹰眼", "钠离子电池", "体外膜肺氧合"):
        assert term in analyzer.terms(f"一种{term}技术")


def test_latin_words_are_stemmed_and_stop_words_dropped(analyzer: Analyzer) -> None:
    assert analyzer.terms("The batteries of storage") == ["batteri", "storag"]


def test_synonym_groups_are_shared_by_languages(analyzer: Analyzer) -> None:
    tags = analyzer.synonym_tags
    assert set(tags("SiC MOSFET")) & set(tags("碳化硅器件"))
    assert set(tags("ECMO")) & set(tags("体外膜肺氧合"))
    assert set(tags("energy storage")) & set(tags("储能电站"))


def test_query_units_merge_a_multi_word_synonym(analyzer: Analyzer) -> None:
    units = analyzer.query_units("energy storage 钠离子", prefix_last=True)
    assert [u.text for u in units] == ["energy storage", "钠离子"]
    assert units[0].synonym is not None
    assert units[1].bigrams == ("钠离", "离子")


def test_bigrams() -> None:
    assert cjk_bigrams("碳化硅 a 电") == ["碳化", "化硅", "电"]


def test_a_fresh_analyzer_without_data_still_segments() -> None:
    bare = Analyzer()
    assert bare.terms("无人机目标检测") != []


def test_a_query_finds_the_synonym_group_of_a_long_chinese_term(analyzer: Analyzer) -> None:
    """Keys and queries are split alike: a dictionary word with sub-words still maps."""
    [ecmo] = analyzer.query_units("ECMO")
    for query in ("体外膜肺氧合", "人工肺"):
        [unit] = analyzer.query_units(query)
        assert unit.synonym == ecmo.synonym is not None


def test_a_query_in_the_other_language_through_the_synonym_groups() -> None:
    analyzer = Analyzer(
        synonyms=[["储能", "energy storage"], ["相变材料", "pcm", "phase change material"]]
    )
    assert analyzer.in_other_language("儲能") == "energy storage"  # Traditional folded first
    assert analyzer.in_other_language("储能 相变材料") == "energy storage phase change material"
    assert analyzer.in_other_language("PCM") == "相变材料"
    assert analyzer.in_other_language("储能 电池") is None  # 电池 has no English variant here
    assert analyzer.in_other_language("pcm 储能") is None  # both languages already
    assert analyzer.in_other_language("2024") is None
