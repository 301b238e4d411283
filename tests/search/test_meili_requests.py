"""The Meilisearch adapter's requests, checked with recorded responses and validated against
Meilisearch's own OpenAPI document (``shared/reference/meilisearch-openapi.json``, v1.53.0, MIT
licence, © Meili SAS), which CI lays beside the clone. Without it these tests fail: a request
the adapter sends would otherwise go unchecked while the run still looked green."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import responses
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app.config import REPO_ROOT
from app.search.analysis import Analyzer
from app.search.backend import SearchFilters, SearchRequest, SearchSort, SearchUnavailableError
from app.search.meili import MeiliBackend, build_filter, quote
from tests.search.corpus import DOCS

URL = "http://meili.test:7700"
SPEC_PATH = REPO_ROOT.parent / "shared" / "reference" / "meilisearch-openapi.json"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    if not SPEC_PATH.exists():
        pytest.fail(f"the Meilisearch OpenAPI document is missing: expected {SPEC_PATH}")
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    # The generated document renders ``AttributePatterns`` (a transparent newtype over a list
    # of strings in Meilisearch's source) as an object {"patterns": [...]}; the documented and
    # accepted wire form of ``facets`` is an array of attribute names. Validate against that.
    loaded["components"]["schemas"]["AttributePatterns"] = {
        "type": "array",
        "items": {"type": "string"},
    }
    return loaded


def validate(spec: dict[str, Any], schema_name: str, instance: Any) -> None:
    """Validate ``instance`` against ``#/components/schemas/<schema_name>`` of the document."""
    registry = Registry().with_resource(
        "urn:meilisearch", Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    schema = {"$ref": f"urn:meilisearch#/components/schemas/{schema_name}"}
    errors = list(Draft202012Validator(schema, registry=registry).iter_errors(instance))
    assert errors == [], [e.message for e in errors]


def sent(call: Any) -> Any:
    """The JSON body a recorded call sent."""
    body = call.request.body
    return json.loads(body) if isinstance(body, str | bytes) else None


@pytest.fixture
def meili(analyzer: Analyzer) -> MeiliBackend:
    return MeiliBackend(URL, "test-key", analyzer, prefix="ketao_")


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def task(
    uid: int, status: str = "succeeded", error: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "uid": uid,
        "indexUid": "ketao_projects",
        "status": status,
        "type": "settingsUpdate",
        "details": {},
        "error": error,
        "duration": "PT0.01S",
        "enqueuedAt": "2026-11-27T10:00:00.000000Z",
        "startedAt": "2026-11-27T10:00:00.000000Z",
        "finishedAt": "2026-11-27T10:00:01.000000Z",
    }


def enqueued(uid: int) -> dict[str, Any]:
    return {
        "taskUid": uid,
        "indexUid": "ketao_projects",
        "status": "enqueued",
        "type": "settingsUpdate",
        "enqueuedAt": "2026-11-27T10:00:00.000000Z",
    }


def test_settings_are_valid_for_meilisearch(meili: MeiliBackend, spec: dict[str, Any]) -> None:
    settings = meili.settings()
    validate(spec, "Settings_Unchecked", settings)
    assert settings["searchableAttributes"][:2] == ["title_zh_terms", "title_en_terms"]
    assert {"attributePatterns": ["*_zh_terms"], "locales": ["cmn"]} in settings[
        "localizedAttributes"
    ]
    assert settings["typoTolerance"]["minWordSizeForTypos"] == {"oneTypo": 5, "twoTypos": 9}
    assert "industry" in settings["filterableAttributes"]


def test_search_bodies_are_valid_for_meilisearch(meili: MeiliBackend, spec: dict[str, Any]) -> None:
    request = SearchRequest(
        q="碳化矽 功率器件",
        filters=SearchFilters(
            industry=("1", "1.2"), city=("shenzhen",), trl_min=5, trl_max=9, status=("published",)
        ),
        sort=SearchSort.trl_desc,
        offset=40,
        limit=20,
        facets=True,
    )
    body = meili.search_body(request)
    validate(spec, "SearchQuery", {"q": meili.query_string(request.q, prefix_last=True), **body})
    assert body["page"] == 3
    assert body["hitsPerPage"] == 20
    assert body["sort"] == ["trl_desc_key:desc"]
    assert body["facets"] == ["industry", "city", "trl", "mode"]


def test_the_query_is_sent_analysed(meili: MeiliBackend) -> None:
    assert "碳化硅" in meili.query_string("碳化矽", prefix_last=False) or meili.query_string(
        "碳化矽", prefix_last=False
    ).startswith("syn")


def test_documents_carry_analysed_fields_and_codes(meili: MeiliBackend) -> None:
    doc = meili.document(DOCS[4])
    assert "电池" in doc["title_zh_terms"].split()
    assert doc["industry"] == ["1.2", "1", "5.2", "5"]
    assert doc["city"] == ["hongkong", "hetao"]
    assert doc["trl"] == 6


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ('x" OR status = "draft', '"x\\" OR status = \\"draft"'),
        ("a\\", '"a\\\\"'),
        ("1.2 OR 1 = 1", '"1.2 OR 1 = 1"'),
        ("AND", '"AND"'),
    ],
)
def test_filter_values_are_quoted_and_escaped(value: str, literal: str) -> None:
    assert quote(value) == literal
    clauses = build_filter(SearchFilters(industry=(value,), external_id=value))
    assert clauses == [[f"industry = {literal}"], f"external_id = {literal}"]


def test_numeric_filters_are_integers_and_ids_are_numbers() -> None:
    clauses = build_filter(SearchFilters(trl_min=3, trl_max=7, exclude_ids=(4, 5)))
    assert clauses == ["trl >= 3", "trl <= 7", "id NOT IN [4, 5]"]


def test_ensure_creates_the_index_and_awaits_every_task(
    meili: MeiliBackend, mocked: responses.RequestsMock, spec: dict[str, Any]
) -> None:
    for index in ("projects", "needs"):
        mocked.get(
            f"{URL}/indexes/ketao_{index}",
            status=404,
            json={"message": "not found", "code": "index_not_found", "type": "invalid_request"},
        )
    mocked.post(f"{URL}/indexes", status=202, json=enqueued(1))
    mocked.patch(f"{URL}/indexes/ketao_projects/settings", status=202, json=enqueued(2))
    mocked.patch(f"{URL}/indexes/ketao_needs/settings", status=202, json=enqueued(2))
    mocked.get(f"{URL}/tasks/1", json=task(1))
    mocked.get(f"{URL}/tasks/2", json=task(2))
    meili.ensure()
    creates = [c for c in mocked.calls if c.request.method == "POST"]
    assert [sent(c) for c in creates] == [
        {"uid": "ketao_projects", "primaryKey": "id"},
        {"uid": "ketao_needs", "primaryKey": "id"},
    ]
    validate(spec, "IndexCreateRequest", sent(creates[0]))
    patches = [c for c in mocked.calls if c.request.method == "PATCH"]
    validate(spec, "Settings_Unchecked", sent(patches[0]))
    assert all(c.request.headers["Authorization"] == "Bearer test-key" for c in mocked.calls)
    assert sum(1 for c in mocked.calls if "/tasks/" in str(c.request.url)) == 4


def test_a_failed_task_is_an_error_not_a_silent_success(
    meili: MeiliBackend, mocked: responses.RequestsMock
) -> None:
    mocked.post(f"{URL}/indexes/ketao_projects/documents", status=202, json=enqueued(7))
    mocked.get(
        f"{URL}/tasks/7",
        json=task(7, "failed", {"message": "bad", "code": "invalid_document_id", "type": "x"}),
    )
    with pytest.raises(SearchUnavailableError, match="failed"):
        meili.upsert("projects", DOCS[:2])


def test_an_unreachable_server_is_search_unavailable(meili: MeiliBackend) -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(f"{URL}/health", body=requests.exceptions.ConnectionError("refused"))
        with pytest.raises(SearchUnavailableError):
            meili.ping()


def test_search_parses_hits_totals_and_facets(
    meili: MeiliBackend, mocked: responses.RequestsMock
) -> None:
    mocked.post(
        f"{URL}/indexes/ketao_projects/search",
        json={
            "hits": [{"id": 3, "_rankingScore": 0.9}, {"id": 1, "_rankingScore": 0.5}],
            "query": "x",
            "processingTimeMs": 1,
            "hitsPerPage": 20,
            "page": 1,
            "totalPages": 1,
            "totalHits": 2,
            "facetDistribution": {"industry": {"1": 1, "6": 1}, "trl": {"5": 1, "6": 1}},
        },
    )
    result = meili.search("projects", SearchRequest(q="储能", facets=True))
    assert [h.id for h in result.hits] == [3, 1]
    assert result.total == 2
    assert result.facets["trl"] == {"5": 1, "6": 1}
    body = sent(mocked.calls[0])
    assert body["matchingStrategy"] == "all"
    assert body["attributesToRetrieve"] == ["id"]


def test_rebuild_builds_a_temporary_index_then_swaps(
    meili: MeiliBackend, mocked: responses.RequestsMock, spec: dict[str, Any]
) -> None:
    mocked.delete(f"{URL}/indexes/ketao_projects_rebuild", status=202, json=enqueued(10))
    mocked.post(f"{URL}/indexes", status=202, json=enqueued(11))
    mocked.patch(f"{URL}/indexes/ketao_projects_rebuild/settings", status=202, json=enqueued(12))
    mocked.post(f"{URL}/indexes/ketao_projects_rebuild/documents", status=202, json=enqueued(13))
    mocked.get(
        f"{URL}/indexes/ketao_projects",
        json={
            "uid": "ketao_projects",
            "primaryKey": "id",
            "createdAt": "2026-11-01T00:00:00.000000Z",
            "updatedAt": "2026-11-27T00:00:00.000000Z",
        },
    )
    mocked.patch(f"{URL}/indexes/ketao_projects/settings", status=202, json=enqueued(14))
    mocked.post(f"{URL}/swap-indexes", status=202, json=enqueued(15))
    for uid in range(10, 16):
        mocked.get(f"{URL}/tasks/{uid}", json=task(uid))
    assert meili.rebuild("projects", iter(DOCS)) == len(DOCS)
    order = [
        (c.request.method, urlsplit(str(c.request.url)).path)
        for c in mocked.calls
        if "/tasks/" not in str(c.request.url)
    ]
    assert order.index(("POST", "/swap-indexes")) > order.index(
        ("POST", "/indexes/ketao_projects_rebuild/documents")
    )
    assert order[-1] == ("DELETE", "/indexes/ketao_projects_rebuild")
    swap = next(c for c in mocked.calls if str(c.request.url).endswith("/swap-indexes"))
    payload = sent(swap)
    assert payload == [{"indexes": ["ketao_projects", "ketao_projects_rebuild"]}]
    validate(spec, "SwapIndexesPayload", payload[0])
    docs = next(c for c in mocked.calls if "_rebuild/documents" in str(c.request.url))
    assert len(sent(docs)) == len(DOCS)


def test_the_openapi_document_is_where_ci_puts_it() -> None:
    """CI lays shared/ beside the clone; this fails, saying where it looked, when it is not."""
    assert SPEC_PATH.exists(), f"the Meilisearch OpenAPI document is missing: {SPEC_PATH}"
    assert Path(SPEC_PATH).stat().st_size > 100_000
