"""The secretariat's leads board over HTTP: who may open it (every admin URL of this area, as
each persona), the columns hold the API's leads by stage, filters, moving a lead (its history,
landing's required fields, a stale move, a move the pipeline refuses, no CSRF token)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.accounts import ENTERPRISE, OWNER, SECRETARIAT, auth
from tests.web.helpers import HTML, csrf, sign_in

# Every page of this area (leads, numbers, accounts and organisations): (method, path).
URLS = [
    ("GET", "/admin/leads"),
    ("GET", "/admin/leads/1"),
    ("POST", "/admin/leads/1/move"),
    ("GET", "/admin/stats"),
    ("GET", "/admin/stats/funnel.csv"),
    ("GET", "/admin/accounts"),
    ("POST", "/admin/accounts/1/active"),
    ("POST", "/admin/accounts/1/role"),
    ("GET", "/admin/organizations"),
    ("GET", "/admin/organizations/1"),
    ("POST", "/admin/organizations/1/members"),
    ("POST", "/admin/organizations/1/merge"),
]


@pytest.mark.parametrize("persona", [OWNER, ENTERPRISE])
def test_researchers_and_enterprises_get_the_403_page_everywhere(
    client: TestClient, persona: str
) -> None:
    sign_in(client, persona)
    for method, path in URLS:
        page = client.get(f"{path}?lang=en", headers=HTML)
        if method == "POST":
            token = csrf(client.get("/?lang=en", headers=HTML).text)
            page = client.post(f"{path}?lang=en", data={"csrf_token": token}, headers=HTML)
        assert page.status_code == 403, (persona, method, path)
        assert "<h1>Not allowed</h1>" in page.text, path


def test_a_stranger_is_sent_to_sign_in(client: TestClient) -> None:
    for method, path in URLS:
        if method == "GET":
            response = client.get(path, headers=HTML, follow_redirects=False)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next=%2Fadmin%2F"), path
        else:
            assert client.post(path, headers=HTML, follow_redirects=False).status_code in (
                303,
                403,
            )


def columns(html: str) -> dict[str, list[int]]:
    """Lead ids per column of the board, in order."""
    out = {}
    for part in html.split('<section class="board-column"')[1:]:
        stage = re.search(r'aria-labelledby="col-(\w+)"', part)
        assert stage
        out[stage.group(1)] = [
            int(i) for i in re.findall(r'<li class="lead-card" id="lead-(\d+)"', part)
        ]
    return out


def api_stage(client: TestClient, stage: str) -> list[int]:
    found = client.get(
        "/api/v1/leads", params={"stage": stage, "per_page": 50}, headers=auth(client, SECRETARIAT)
    ).json()
    return [item["id"] for item in found["items"]]


STAGES = ("new", "contacted", "negotiating", "signed", "landed", "closed")


def test_the_columns_hold_the_apis_leads_by_stage(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    html = client.get("/admin/leads?lang=en", headers=HTML).text
    board = columns(html)
    assert list(board) == list(STAGES)
    for stage in STAGES:
        assert board[stage] == api_stage(client, stage), stage
    assert sum(len(ids) for ids in board.values()) > 6
    assert "Leads shown: " in html
    # A card: the project (in the reader's language), the organisation, the source, the age.
    lead = client.get(f"/api/v1/leads/{board['new'][0]}", headers=auth(client, SECRETARIAT)).json()
    card = html.split(f'id="lead-{lead["id"]}"')[1].split("</li>")[0]
    assert (lead["project_title_en"] or lead["project_title_zh"]) in card
    assert lead["organization_name"] in card
    assert "Days since opened: " in card


def test_the_filters_narrow_the_board(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    everything = client.get("/api/v1/leads?per_page=100", headers=auth(client, SECRETARIAT)).json()
    some = everything["items"][0]
    html = client.get(
        f"/admin/leads?organization={some['organization_id']}&lang=en", headers=HTML
    ).text
    shown = {i for ids in columns(html).values() for i in ids}
    assert shown == {
        x["id"] for x in everything["items"] if x["organization_id"] == some["organization_id"]
    }
    assert f'<option value="{some["organization_id"]}" selected>' in html
    html = client.get(f"/admin/leads?project={some['project_id']}", headers=HTML).text
    shown = {i for ids in columns(html).values() for i in ids}
    assert shown == {x["id"] for x in everything["items"] if x["project_id"] == some["project_id"]}
    # By roadshow: the leads interest at that roadshow opened or added to (its outcome's).
    outcome = client.get("/api/v1/roadshows/1/outcome", headers=auth(client, SECRETARIAT)).json()
    expected = {lead["lead_id"] for p in outcome["projects"] for lead in p["leads"]}
    html = client.get("/admin/leads?roadshow=1", headers=HTML).text
    assert {i for ids in columns(html).values() for i in ids} == expected
    assert expected
    # By city: landed in Foshan, or an organisation based there.
    html = client.get("/admin/leads?city=foshan", headers=HTML).text
    landed = {x["id"] for x in everything["items"] if x["landed_city"] == "foshan"}
    assert landed <= {i for ids in columns(html).values() for i in ids}


@pytest.mark.parametrize("query", ["project=abc", "city=paris", "roadshow=99999", "organization=0"])
def test_a_bad_filter_is_named_and_left_out(client: TestClient, query: str) -> None:
    sign_in(client, SECRETARIAT)
    page = client.get(f"/admin/leads?{query}&lang=en", headers=HTML)
    assert page.status_code == 422
    assert "Part of this filter could not be used and was left out:" in page.text
    assert sum(len(ids) for ids in columns(page.text).values()) > 6  # the rest still shown


def _move(client: TestClient, lead_id: int, token: str, lang: str = "en", **fields: str) -> object:
    return client.post(
        f"/admin/leads/{lead_id}/move?lang={lang}",
        data={"csrf_token": token, **fields},
        headers=HTML,
        follow_redirects=False,
    )


def test_moving_a_lead_to_contacted_shows_it_there_and_in_its_history(
    client: TestClient,
) -> None:
    sign_in(client, SECRETARIAT)
    html = client.get("/admin/leads?lang=en", headers=HTML).text
    lead_id = columns(html)["new"][0]
    response = client.post(
        f"/admin/leads/{lead_id}/move",
        data={
            "csrf_token": csrf(html),
            "from_stage": "new",
            "stage": "contacted",
            "note": "Called the buyer",
            "back": "board",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/leads?moved={lead_id}#lead-{lead_id}"
    board = client.get(response.headers["location"].split("#")[0] + "&lang=en", headers=HTML).text
    assert lead_id in columns(board)["contacted"]
    assert lead_id not in columns(board)["new"]
    assert "The lead was moved." in board
    detail = client.get(f"/admin/leads/{lead_id}?lang=en", headers=HTML).text
    history = detail.split('id="history"')[1]
    assert "New → Contacted" in history
    assert "Called the buyer" in history
    api = client.get(f"/api/v1/leads/{lead_id}", headers=auth(client, SECRETARIAT)).json()
    assert api["stage"] == "contacted"
    assert api["events"][-1]["note"] == "Called the buyer"


def _signed_lead(client: TestClient) -> int:
    return api_stage(client, "signed")[0]


def test_landing_without_amount_or_city_shows_the_errors_and_changes_nothing(
    client: TestClient,
) -> None:
    sign_in(client, SECRETARIAT)
    lead_id = _signed_lead(client)
    page = client.get(f"/admin/leads/{lead_id}?lang=zh-Hant", headers=HTML)
    assert 'name="landing_amount"' in page.text  # the form asks for them when it may land
    response = _move(
        client,
        lead_id,
        csrf(page.text),
        "zh-Hant",
        from_stage="signed",
        stage="landed",
        back="lead",
        landing_city="",
        landing_amount="",
        landing_date="2026-10-18",
    )
    assert response.status_code == 422  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    for field in ("landing_city", "landing_amount"):
        assert f'id="m{lead_id}-{field}-error"' in html
        assert re.search(rf'id="m{lead_id}-{field}"[^>]*aria-invalid="true"', html)
        assert f'href="#m{lead_id}-{field}"' in html  # and in the summary
    assert f'id="m{lead_id}-landing_date-error"' not in html
    assert 'value="2026-10-18"' in html  # what was typed is kept
    assert "請選擇落地的城市或合作區。" in html  # in the page's language
    api = client.get(f"/api/v1/leads/{lead_id}", headers=auth(client, SECRETARIAT)).json()
    assert api["stage"] == "signed"


def _landings(client: TestClient, city: str) -> int:
    html = client.get("/admin/stats?lang=en", headers=HTML).text
    table = html.split('id="table-landings"')[1].split("</table>")[0]
    found = re.search(rf'data-code="{city}"><th scope="row">[^<]*</th><td class="num">(\d+)', table)
    return int(found.group(1)) if found else 0


def test_landing_with_the_fields_moves_it_and_the_numbers_grow(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    lead_id = _signed_lead(client)
    before = _landings(client, "zhuhai")
    board = client.get("/admin/leads?lang=en", headers=HTML).text
    response = _move(
        client,
        lead_id,
        csrf(board),
        from_stage="signed",
        stage="landed",
        back="board",
        landing_city="zhuhai",
        landing_amount="1,250.5",
        landing_date="2026-11-02",
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    api = client.get(f"/api/v1/leads/{lead_id}", headers=auth(client, SECRETARIAT)).json()
    assert (api["stage"], api["landed_city"]) == ("landed", "zhuhai")
    assert (api["landed_amount_wan"], api["landed_on"]) == (1250.5, "2026-11-02")
    assert _landings(client, "zhuhai") == before + 1
    assert lead_id in columns(client.get("/admin/leads", headers=HTML).text)["landed"]
    detail = client.get(f"/admin/leads/{lead_id}?lang=en", headers=HTML).text
    assert "Zhuhai" in detail
    assert "This lead is finished" in detail  # no form on a landed lead


def test_a_stale_move_is_a_clear_message(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    lead_id = api_stage(client, "contacted")[0]
    token = csrf(client.get("/admin/leads", headers=HTML).text)
    # The form was read while the lead was new; it is contacted now.
    response = _move(client, lead_id, token, from_stage="new", stage="contacted", back="board")
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "moved by someone else meanwhile" in response.text  # type: ignore[attr-defined]
    assert "“Contacted”" in response.text  # type: ignore[attr-defined]
    # A move the pipeline does not allow (a skipped stage) is refused the same way.
    response = _move(client, lead_id, token, from_stage="contacted", stage="signed")
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "cannot move to “Signed”" in response.text  # type: ignore[attr-defined]
    api = client.get(f"/api/v1/leads/{lead_id}", headers=auth(client, SECRETARIAT)).json()
    assert api["stage"] == "contacted"


def test_a_move_without_the_csrf_token_gets_the_403_page(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    lead_id = api_stage(client, "new")[0]
    response = client.post(
        f"/admin/leads/{lead_id}/move?lang=en",
        data={"from_stage": "new", "stage": "contacted"},
        headers=HTML,
    )
    assert response.status_code == 403
    assert "This form has expired" in response.text
    api = client.get(f"/api/v1/leads/{lead_id}", headers=auth(client, SECRETARIAT)).json()
    assert api["stage"] == "new"


def test_an_unknown_lead_is_the_404_page(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    for path in ("/admin/leads/99999", "/admin/leads/abc", "/admin/leads/0"):
        assert client.get(path, headers=HTML).status_code == 404, path


def test_the_board_in_chinese(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    html = client.get("/admin/leads?lang=zh-Hans", headers=HTML).text
    assert '<html lang="zh-Hans">' in html
    for heading in ("新提交", "已对接", "洽谈中", "已签约", "已落地", "已关闭"):
        assert f">{heading} <span" in html
    assert "移到" in html  # the move form's label
    assert "企业在科淘网上表达意向" in html  # a source
