"""The secretariat's numbers over HTTP: each chart's table holds the stats service's numbers
(``GET /api/v1/stats`` and ``app.stats``), each chart is an SVG with a summary and a caption,
and each CSV download parses to its table."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import stats
from app.geo import service as geo_service
from app.geo.models import City
from tests.fixtures.accounts import SECRETARIAT, auth
from tests.web.helpers import HTML, sign_in

CHARTS = ("funnel", "landings", "sources", "industries", "trl", "needs")


def table(page: str, chart: str) -> list[tuple[str, str, list[int | float]]]:
    """A chart's table: (code, label, numbers) per row."""
    part = page.split(f'id="table-{chart}"')[1].split("</table>")[0]
    rows = []
    for code, label, cells in re.findall(
        r'<tr data-code="([^"]+)"><th scope="row">([^<]*)</th>(.*?)</tr>', part
    ):
        numbers = [
            float(n.replace(",", "")) if "." in n else int(n.replace(",", ""))
            for n in re.findall(r'<td class="num">([^<]*)</td>', cells)
        ]
        rows.append((code, html.unescape(label), numbers))
    return rows


@pytest.fixture
def page(client: TestClient) -> str:
    sign_in(client, SECRETARIAT)
    response = client.get("/admin/stats?lang=en", headers=HTML)
    assert response.status_code == 200
    return response.text


def test_each_chart_is_a_figure_with_an_svg_a_table_and_a_csv_link(page: str) -> None:
    for chart in CHARTS:
        section = page.split(f'aria-labelledby="chart-{chart}"')[1].split("</section>")[0]
        assert f'<figcaption id="chart-{chart}">' in section
        svg = re.search(r'<svg class="chart" role="img" aria-label="([^"]+)"', section)
        assert svg, chart
        assert svg.group(1).count(";") >= 1, chart  # the summary names the bars
        assert f'<table id="table-{chart}">' in section
        assert f'href="/admin/stats/{chart}.csv"' in section
    assert "<script" not in page.split("<main")[1]  # drawn on the server


def test_the_tables_hold_the_services_numbers(
    client: TestClient, page: str, session: Session
) -> None:
    api = client.get("/api/v1/stats", headers=auth(client, SECRETARIAT)).json()
    funnel = {code: n[0] for code, _, n in table(page, "funnel")}
    stages = api["lead_funnel"]
    assert funnel == {
        "published": api["projects_by_status"]["published"],
        "leads": sum(stages.values()),
        "contacted": stages["contacted"]
        + stages["negotiating"]
        + stages["signed"]
        + stages["landed"],
        "negotiating": stages["negotiating"] + stages["signed"] + stages["landed"],
        "signed": stages["signed"] + stages["landed"],
        "landed": stages["landed"],
    }
    landings = {code: n for code, _, n in table(page, "landings")}
    assert landings == {
        code: [v["count"], v["amount_wan"]] for code, v in api["landings_by_place"].items()
    }
    assert landings  # the demo has landings
    industries = {code: n[0] for code, _, n in table(page, "industries")}
    assert {k: v for k, v in industries.items() if v} == api["published_projects_by_industry"]
    sources = {code: n[0] for code, _, n in table(page, "sources")}
    assert sources == stats.leads_by_source(session)
    assert sum(sources.values()) == sum(stages.values())
    trl = {code: n[0] for code, _, n in table(page, "trl")}
    assert trl == stats.published_projects_by_trl(session)
    assert sum(trl.values()) == api["projects_by_status"]["published"]
    needs = {code: n[0] for code, _, n in table(page, "needs")}
    assert needs == stats.needs_matched(session)
    assert needs["open_matched"] > 0
    assert needs["open_matched"] + needs["open_unmatched"] == api["needs_by_status"]["open"]
    assert needs["closed"] == api["needs_by_status"].get("closed", 0)


def test_labels_are_in_the_readers_language(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    hans = client.get("/admin/stats?lang=zh-Hans", headers=HTML).text
    hant = client.get("/admin/stats?lang=zh-Hant", headers=HTML).text
    en = client.get("/admin/stats?lang=en", headers=HTML).text
    assert (
        table(hans, "landings")[0][1][:2],
        table(en, "landings")[0][1],
    ) == ("佛山", "Foshan")
    assert "各城市與合作區的落地數" in hant
    assert "各城市与合作区的落地数" in hans
    assert "Landings by city and zone" in en


@pytest.mark.parametrize("chart", CHARTS)
def test_each_csv_parses_and_equals_the_table(client: TestClient, page: str, chart: str) -> None:
    response = client.get(f"/admin/stats/{chart}.csv?lang=en", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert f'filename="ketao-{chart}.csv"' in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Code"
    parsed = [(r[0], r[1], [float(v) if "." in v else int(v) for v in r[2:]]) for r in rows[1:]]
    assert parsed == table(page, chart)


def test_a_formula_like_label_is_neutralised_in_the_csv(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(geo_service, "_reference_cache", {})  # read the renamed city below
    city = session.get(City, "foshan")
    assert city is not None
    city.name_en = "=HYPERLINK(1)"
    session.commit()
    sign_in(client, SECRETARIAT)
    response = client.get("/admin/stats/landings.csv?lang=en", headers=HTML)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:2] == ["foshan", "'=HYPERLINK(1)"]


def test_an_unknown_chart_is_a_404(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    assert client.get("/admin/stats/nothing.csv", headers=HTML).status_code == 404
