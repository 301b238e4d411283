"""One behavioural suite for ``SearchBackend``: the embedded engine always, Meilisearch when
``KETAO_TEST_MEILI_URL`` names a running server (skipped, saying so, otherwise)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.search.analysis import Analyzer
from app.search.backend import (
    SearchBackend,
    SearchFilters,
    SearchRequest,
    SearchSort,
)
from app.search.embedded import EmbeddedBackend
from tests.search.corpus import DOCS, PUBLISHED

MEILI_URL = os.environ.get("KETAO_TEST_MEILI_URL")
PUBLIC = SearchFilters(status=("published",))


@pytest.fixture(params=["embedded", "meilisearch"])
def backend(
    request: pytest.FixtureRequest, analyzer: Analyzer, tmp_path: Path
) -> Iterator[SearchBackend]:
    if request.param == "embedded":
        engine: SearchBackend = EmbeddedBackend(tmp_path, analyzer)
    else:
        if not MEILI_URL:
            pytest.skip("Meilisearch suite: set KETAO_TEST_MEILI_URL to a running server to run it")
        from app.search.meili import MeiliBackend

        engine = MeiliBackend(
            MEILI_URL,
            os.environ.get("KETAO_TEST_MEILI_KEY"),
            analyzer,
            prefix=f"ketao_test_{uuid.uuid4().hex[:8]}_",
        )
    engine.ensure()
    engine.upsert("projects", DOCS)
    yield engine
    if request.param == "meilisearch":
        for index in ("projects", "needs"):
            engine.client.delete_index(engine.uid(index))  # type: ignore[attr-defined]
    engine.close()


def ids(backend: SearchBackend, q: str, filters: SearchFilters = PUBLIC, **kw: object) -> list[int]:
    result = backend.search("projects", SearchRequest(q=q, filters=filters, **kw))  # type: ignore[arg-type]
    return [h.id for h in result.hits]


def test_traditional_query_finds_simplified_text(backend: SearchBackend) -> None:
    assert ids(backend, "半導體")[:1] == [1]
    assert 1 in ids(backend, "碳化矽")


def test_simplified_query_finds_traditional_text(backend: SearchBackend) -> None:
    assert ids(backend, "电池监测芯片") == [5]


def test_english_query_finds_english_summary(backend: SearchBackend) -> None:
    assert ids(backend, "traction inverters") == [1]
    assert ids(backend, "ambulances") == [4]


def test_typo_in_a_latin_word_still_finds_it(backend: SearchBackend) -> None:
    assert set(ids(backend, "batery")) >= {3, 5}
    assert ids(backend, "ambulanses") == [4]


def test_part_of_a_domain_term_finds_the_whole(backend: SearchBackend) -> None:
    assert ids(backend, "鹰眼") == [2]
    assert ids(backend, "钠离子") == [3]


def test_synonyms_bridge_abbreviation_chinese_and_english(backend: SearchBackend) -> None:
    assert set(ids(backend, "SiC")) == {1}
    assert 4 in ids(backend, "体外膜肺氧合")
    assert 4 in ids(backend, "ECMO")
    assert set(ids(backend, "energy storage")) >= {3, 5}


def test_last_word_is_a_prefix_while_typing(backend: SearchBackend) -> None:
    assert ids(backend, "ambul") == [4]
    suggestions = backend.suggest("projects", "bionic eag", PUBLIC, 10)
    assert [h.id for h in suggestions] == [2]
    assert [h.id for h in backend.suggest("projects", "青稞", PUBLIC, 10)] == [7]


def test_filters_facets_and_exact_totals(backend: SearchBackend) -> None:
    everything = backend.search("projects", SearchRequest(filters=PUBLIC, facets=True, limit=2))
    assert everything.total == len(PUBLISHED)
    assert len(everything.hits) == 2
    facets = everything.facets
    assert facets["industry"]["1"] == 3
    assert facets["industry"]["1.2"] == 2
    assert facets["city"]["shenzhen"] == 3
    assert facets["mode"]["license"] == 4
    assert facets["trl"]["6"] == 2
    for code, count in facets["industry"].items():
        narrowed = SearchFilters(status=("published",), industry=(code,))
        assert backend.search("projects", SearchRequest(filters=narrowed)).total == count

    filtered = SearchFilters(
        status=("published",), city=("shenzhen",), trl_min=7, mode=("license",)
    )
    assert ids(backend, "", filtered) == [4]


def test_drafts_stay_out_of_public_results(backend: SearchBackend) -> None:
    assert 6 not in ids(backend, "碳化硅")
    assert 6 in ids(backend, "碳化硅", SearchFilters())


def test_sort_by_trl_and_newest(backend: SearchBackend) -> None:
    by_trl = ids(backend, "", sort=SearchSort.trl_desc, limit=10)
    assert by_trl[:2] == [7, 4]
    assert ids(backend, "", sort=SearchSort.newest, limit=3) == [7, 5, 4]
    assert ids(backend, "", sort=SearchSort.price_asc, limit=2) == [7, 3]


def test_paging_is_stable_and_complete(backend: SearchBackend) -> None:
    seen = []
    for page in range(3):
        seen += ids(backend, "", sort=SearchSort.oldest, offset=page * 2, limit=2)
    assert seen == [d.id for d in PUBLISHED]


@pytest.mark.parametrize(
    "value",
    ['x" OR status = "draft', "a\\", 'T-"QUOTE\\OR', "1.2 OR 1 = 1", "AND", "(", "' OR ''='"],
)
def test_filter_values_stay_inert(backend: SearchBackend, value: str) -> None:
    hostile = SearchFilters(status=("published",), industry=(value,), city=(value,))
    assert backend.search("projects", SearchRequest(filters=hostile)).total == 0
    by_id = SearchFilters(status=("published",), external_id=value)
    expected = [7] if value == 'T-"QUOTE\\OR' else []
    assert ids(backend, "", by_id) == expected


def test_upsert_replaces_and_delete_removes(backend: SearchBackend) -> None:
    from dataclasses import replace

    renamed = replace(DOCS[3], title_en="Wearable artificial lung", keywords=())
    backend.upsert("projects", [renamed])
    assert 4 in ids(backend, "artificial lung")
    assert backend.search("projects", SearchRequest(filters=PUBLIC)).total == len(PUBLISHED)
    backend.delete("projects", [4, 999])
    assert 4 not in ids(backend, "ECMO")
    assert backend.count("projects") == len(DOCS) - 1


def test_rebuild_swaps_in_a_new_index(backend: SearchBackend) -> None:
    assert backend.rebuild("projects", iter(DOCS[:3])) == 3
    assert backend.count("projects") == 3
    assert ids(backend, "ECMO") == []
    assert ids(backend, "鹰眼") == [2]


def test_exclude_ids_and_any_match(backend: SearchBackend) -> None:
    request = SearchRequest(q="碳化硅 储能 zzzz", filters=PUBLIC, match="any")
    found = [h.id for h in backend.search("projects", request).hits]
    assert set(found) >= {1, 3}
    excluded = SearchFilters(status=("published",), exclude_ids=(1,))
    request = SearchRequest(q="碳化硅 储能", filters=excluded, match="any")
    assert 1 not in [h.id for h in backend.search("projects", request).hits]


def test_embedded_searches_run_while_the_writer_writes(analyzer: Analyzer, tmp_path: Path) -> None:
    """Several threads search while one writes: no errors, and every search sees a whole index."""
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace

    engine = EmbeddedBackend(tmp_path, analyzer)
    engine.ensure()
    engine.upsert("projects", DOCS)

    def write() -> None:
        for n in range(40):
            engine.upsert("projects", [replace(DOCS[n % len(DOCS)], id=100 + n)])

    def read() -> int:
        seen = 0
        for _ in range(40):
            result = engine.search(
                "projects", SearchRequest(q="碳化硅", filters=PUBLIC, facets=True)
            )
            assert result.total >= 1
            assert sum(result.facets["mode"].values()) >= result.total
            seen += result.total
        return seen

    with ThreadPoolExecutor(max_workers=5) as pool:
        writer = pool.submit(write)
        readers = [pool.submit(read) for _ in range(4)]
        writer.result()
        assert all(r.result() > 0 for r in readers)
    assert engine.count("projects") == len(DOCS) + 40
    engine.close()
