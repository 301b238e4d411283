"""/me over HTTP: an enterprise's needs (exactly its organisation's, private and closed ones
included), posting, editing (a stale version refused with both versions kept) and closing a need
through the forms, with the API showing the result; refusals for strangers, other organisations
and forged forms; its leads as the API lists them; its roadshow registrations and invitations,
answered through the roadshow pages' forms; the account page of the other roles."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.web.i18n import hant
from tests.factories import make_need
from tests.fixtures.accounts import (
    ENTERPRISE,
    OTHER_ENTERPRISE,
    OWNER,
    SECRETARIAT,
    auth,
)
from tests.web.helpers import HTML, csrf, sign_in

OUR_ORG = "东莞市松湖智造电子有限公司"  # enterprise@ketao.local's organisation
THEIR_ORG = "佛山市顺德区美居家电集团"  # enterprise.foshan@ketao.local's


def section(page: str, name: str) -> str:
    """The part of /me in <section id=name>."""
    found = re.search(rf'<section class="me-section" id="{name}".*?</section>', page, re.S)
    assert found, f"no section {name}"
    return found.group(0)


def need_links(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<h3><a href="/needs/(\d+)">', section(page, "needs"))]


def field_error(page: str, name: str) -> str:
    """The error printed next to a field (its text, the "Error:" prefix dropped)."""
    found = re.search(rf'<p class="error" id="f-{name}-error">(.*?)</p>', page, re.S)
    assert found, f"no error next to {name}"
    shown = re.sub(r'<span class="visually-hidden">.*?</span>', "", found.group(1))
    return html.unescape(re.sub(r"<[^>]+>", "", shown)).strip()


def hidden(page: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', page)
    assert found, f"no hidden {name}"
    return html.unescape(found.group(1))


def need_form(**fields: Any) -> dict[str, Any]:
    """A full, valid need form as a browser would send it."""
    form: dict[str, Any] = {
        "title_zh": "手机主板超薄均热方案",
        "title_en": "Ultra-thin heat spreading for phone mainboards",
        "description_zh": "寻找石墨烯导热膜或均热板技术，一年内在东莞产线中试。",
        "description_en": "",
        "keywords": "石墨烯, 导热膜，均热板",
        "industries": ["1", "3.1"],
        "city": "dongguan",
        "min_trl": "6",
        "transfer_modes": ["license", "co_development"],
        "budget_wan": "120.5",
        "visibility": "private",
        "external_id": "",
    }
    form.update(fields)
    return form


def post_form(client: TestClient, url: str, form: dict[str, Any]) -> Any:
    token = csrf(client.get(url, headers=HTML).text)
    return client.post(
        url, data={**form, "csrf_token": token}, headers=HTML, follow_redirects=False
    )


def my_need_ids(client: TestClient, email: str) -> list[int]:
    return [
        n["id"] for n in client.get("/api/v1/me/needs", headers=auth(client, email)).json()["items"]
    ]


def test_a_stranger_is_sent_to_sign_in(client: TestClient) -> None:
    for path in ("/me", "/me/needs/new", "/me/needs/1/edit", "/me/needs/1/close"):
        response = client.get(path, headers=HTML, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=%2Fme"), path


def test_the_enterprise_sees_exactly_its_organisations_needs(
    client: TestClient, session: Session
) -> None:
    private = make_need(
        session, organization=OUR_ORG, visibility="private", title_zh="我们的私有需求"
    )
    closed = make_need(session, organization=OUR_ORG, status="closed", title_zh="我们已关闭的需求")
    theirs = make_need(session, organization=THEIR_ORG, title_zh="别家企业的公开需求")
    session.commit()
    sign_in(client, ENTERPRISE)
    page = client.get("/me?lang=en", headers=HTML)
    assert page.status_code == 200
    assert need_links(page.text) == my_need_ids(client, ENTERPRISE)
    assert {private.id, closed.id} <= set(need_links(page.text))
    assert theirs.id not in need_links(page.text)
    needs = section(page.text, "needs")
    assert "Private: your organisation and the secretariat only" in needs
    assert "Closed needs get no new matches." in needs
    assert f'href="/me/needs/{private.id}/edit"' in needs
    assert f'href="/me/needs/{closed.id}/edit"' not in needs  # a closed need is not edited
    assert 'href="/me/needs/new"' in needs
    # The other organisation sees its own, not ours.
    client.cookies.clear()
    sign_in(client, OTHER_ENTERPRISE)
    other = client.get("/me", headers=HTML).text
    assert theirs.id in need_links(other)
    assert private.id not in need_links(other)


def test_an_open_need_shows_how_many_projects_match(client: TestClient, session: Session) -> None:
    need = make_need(session, organization=OUR_ORG, title_zh="储能电站热管理与电池安全")
    session.commit()
    api = client.get(
        f"/api/v1/needs/{need.id}/matches", params={"limit": 10}, headers=auth(client, ENTERPRISE)
    ).json()
    sign_in(client, ENTERPRISE)
    needs = section(client.get("/me?lang=en", headers=HTML).text, "needs")
    count = len(api["items"])
    assert count > 0
    expected = "10+ matched projects" if count == 10 else f"{count} matched project"
    assert expected in needs


def test_posting_a_need_through_the_form(client: TestClient) -> None:
    sign_in(client, ENTERPRISE)
    form = client.get("/me/needs/new?lang=en", headers=HTML)
    assert form.status_code == 200
    for label in ("Title in Chinese", "Industries", "City or zone", "Lowest maturity (TRL)",
                  "Transfer modes", "Budget (万元)", "Who sees it"):  # fmt: skip
        assert label in form.text
    assert "Technology validated in a relevant environment" in form.text  # TRL explained
    response = post_form(client, "/me/needs/new", need_form())
    assert response.status_code == 303
    location = response.headers["location"]
    need_id = int(re.search(r"posted=(\d+)", location).group(1))  # type: ignore[union-attr]
    need = client.get(f"/api/v1/needs/{need_id}", headers=auth(client, ENTERPRISE)).json()
    assert need["title_zh"] == "手机主板超薄均热方案"
    assert need["title_en"] == "Ultra-thin heat spreading for phone mainboards"
    assert need["description_en"] is None
    assert need["keywords"] == ["石墨烯", "导热膜", "均热板"]
    assert need["industries"] == ["1", "3.1"]
    assert need["city"] == "dongguan"
    assert need["min_trl"] == 6
    assert need["transfer_modes"] == ["license", "co_development"]
    assert need["budget_wan"] == 120.5
    assert need["visibility"] == "private"
    assert need["organization"]["name"] == OUR_ORG
    me = client.get(location.split("#")[0] + "&lang=en", headers=HTML).text
    assert "Your need is posted." in me
    assert need_id in need_links(me)
    # Private: nobody else sees it.
    assert client.get(f"/api/v1/needs/{need_id}").status_code == 404


@pytest.mark.parametrize(
    ("fields", "name", "en", "zh"),
    [
        (
            {"title_zh": "  ", "title_en": ""},
            "title_zh",
            "Give the need a title, in Chinese or in English.",
            "请为需求写一个中文或英文标题。",
        ),
        (
            {"min_trl": "12"},
            "min_trl",
            "The TRL is a whole number from 1 to 9.",
            "TRL 是 1 到 9 之间的整数。",
        ),
        (
            {"industries": ["1", "99.9"]},
            "industries",
            "There is no such industry: choose one from the list.",
            "没有这个产业，请从清单中选择。",
        ),
        (
            {"budget_wan": "a lot"},
            "budget_wan",
            "Enter the budget in 万元 as a number, like 500 or 120.5.",
            "请以万元为单位填写预算数字，如 500 或 120.5。",
        ),
        (
            {"title_en": "x" * 301},
            "title_en",
            "A title is one line of at most 300 characters.",
            "标题为一行，最多 300 个字符。",
        ),
        (
            {"visibility": "secret"},
            "visibility",
            "Choose public or private.",
            "请选择公开或不公开。",
        ),
    ],
)
@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
def test_bad_input_is_shown_next_to_the_field_and_creates_nothing(
    client: TestClient, fields: dict[str, Any], name: str, en: str, zh: str, lang: str
) -> None:
    sign_in(client, ENTERPRISE)
    before = my_need_ids(client, ENTERPRISE)
    token = csrf(client.get("/me/needs/new", headers=HTML).text)
    response = client.post(
        f"/me/needs/new?lang={lang}",
        data={**need_form(**fields), "csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert field_error(response.text, name) == (en if lang == "en" else zh)
    assert 'class="error-summary"' in response.text
    assert f'href="#f-{name}"' in response.text  # the summary links to the field
    # What was typed is kept.
    assert "寻找石墨烯导热膜或均热板技术" in response.text
    assert 'value="dongguan" checked' in response.text
    assert my_need_ids(client, ENTERPRISE) == before


def test_editing_a_need(client: TestClient, session: Session) -> None:
    need = make_need(session, organization=OUR_ORG, title_zh="待编辑的需求", budget_wan=200)
    session.commit()
    sign_in(client, ENTERPRISE)
    url = f"/me/needs/{need.id}/edit"
    form = client.get(url + "?lang=en", headers=HTML)
    assert form.status_code == 200
    assert 'value="待编辑的需求"' in form.text
    assert 'value="200"' in form.text
    assert hidden(form.text, "version") == "1"
    response = post_form(
        client,
        url,
        need_form(
            title_zh="改过的需求",
            version="1",
            base=hidden(form.text, "base"),
            visibility="public",
            budget_wan="",
        ),
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/me?saved={need.id}#needs"
    saved = client.get(f"/api/v1/needs/{need.id}").json()
    assert saved["title_zh"] == "改过的需求"
    assert saved["budget_wan"] is None
    assert saved["city"] == "dongguan"
    assert saved["version"] == 2
    assert saved["external_id"] == need.external_id  # the reference is kept
    me = client.get(f"/me?saved={need.id}&lang=en", headers=HTML).text
    assert "Your changes are saved." in me


def test_a_stale_edit_is_refused_and_both_versions_are_kept(
    client: TestClient, session: Session
) -> None:
    need = make_need(session, organization=OUR_ORG, title_zh="两人同时编辑的需求")
    session.commit()
    sign_in(client, ENTERPRISE)
    url = f"/me/needs/{need.id}/edit"
    opened = client.get(url, headers=HTML).text
    # Meanwhile a colleague saves through the API.
    patched = client.patch(
        f"/api/v1/needs/{need.id}",
        json={"version": 1, "title_en": "Changed by a colleague", "min_trl": 8},
        headers=auth(client, ENTERPRISE),
    )
    assert patched.status_code == 200
    typed = need_form(
        title_zh="我写的新标题",
        description_zh="我写了很长的一段描述，不能丢。",
        version=hidden(opened, "version"),
        base=hidden(opened, "base"),
    )
    token = csrf(opened)
    refused = client.post(
        url + "?lang=en", data={**typed, "csrf_token": token}, headers=HTML, follow_redirects=False
    )
    assert refused.status_code == 409
    text = refused.text
    assert "Someone changed this need while you were editing it" in text
    assert "Changed by a colleague" in text  # what they saved
    assert "TRL 8" in text
    assert 'value="我写的新标题"' in text  # what this reader typed
    assert "我写了很长的一段描述，不能丢。" in text
    assert hidden(text, "version") == "2"
    assert client.get(f"/api/v1/needs/{need.id}").json()["title_zh"] == "两人同时编辑的需求"
    # Saving again, knowingly, on the current version.
    again = {**typed, "version": hidden(text, "version"), "base": hidden(text, "base")}
    response = client.post(url, data={**again, "csrf_token": csrf(text)}, headers=HTML,
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    saved = client.get(f"/api/v1/needs/{need.id}", headers=auth(client, ENTERPRISE)).json()
    assert (saved["title_zh"], saved["version"]) == ("我写的新标题", 3)


def test_closing_a_need(client: TestClient, session: Session) -> None:
    need = make_need(session, organization=OUR_ORG, title_zh="要关闭的需求")
    session.commit()
    sign_in(client, ENTERPRISE)
    confirm = client.get(f"/me/needs/{need.id}/close?lang=en", headers=HTML)
    assert confirm.status_code == 200
    assert "It cannot be opened again" in confirm.text
    token = csrf(confirm.text)
    response = client.post(
        f"/me/needs/{need.id}/close",
        data={"csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/me?closed={need.id}#needs"
    api = client.get(f"/api/v1/needs/{need.id}", headers=auth(client, ENTERPRISE)).json()
    assert api["status"] == "closed"
    me = client.get(f"/me?closed={need.id}&lang=en", headers=HTML).text
    assert "The need is closed" in me
    assert f'href="/me/needs/{need.id}/close"' not in me
    # Closing again is refused, and says so.
    again = client.post(
        f"/me/needs/{need.id}/close?lang=en", data={"csrf_token": token}, headers=HTML
    )
    assert again.status_code == 409
    assert "This need was closed already." in again.text
    # A closed need's edit page is refused too.
    assert client.get(f"/me/needs/{need.id}/edit", headers=HTML).status_code == 409


@pytest.mark.parametrize("visibility", ["public", "private"])
def test_another_organisation_gets_404(
    client: TestClient, session: Session, visibility: str
) -> None:
    need = make_need(session, organization=OUR_ORG, visibility=visibility)
    session.commit()
    sign_in(client, OTHER_ENTERPRISE)
    token = csrf(client.get("/me", headers=HTML).text)
    assert client.get(f"/me/needs/{need.id}/edit", headers=HTML).status_code == 404
    assert client.get(f"/me/needs/{need.id}/close", headers=HTML).status_code == 404
    for action, data in (("edit", need_form(version="1")), ("close", {})):
        refused = client.post(
            f"/me/needs/{need.id}/{action}", data={**data, "csrf_token": token}, headers=HTML
        )
        assert refused.status_code == 404, action
    after = client.get(f"/api/v1/needs/{need.id}", headers=auth(client, ENTERPRISE)).json()
    assert after["status"] == "open"
    assert after["version"] == 1
    for path in ("/me/needs/abc/edit", "/me/needs/0/close", "/me/needs/99999999/edit"):
        assert client.get(path, headers=HTML).status_code == 404, path


def test_a_researcher_cannot_post_needs(client: TestClient) -> None:
    sign_in(client, OWNER)
    assert client.get("/me/needs/new", headers=HTML).status_code == 403


def test_a_post_without_csrf_is_refused(client: TestClient, session: Session) -> None:
    need = make_need(session, organization=OUR_ORG)
    session.commit()
    sign_in(client, ENTERPRISE)
    before = my_need_ids(client, ENTERPRISE)
    for url, data in (
        ("/me/needs/new", need_form()),
        (f"/me/needs/{need.id}/edit", need_form(version="1")),
        (f"/me/needs/{need.id}/close", {}),
    ):
        for token in (None, "forged"):
            sent = data if token is None else {**data, "csrf_token": token}
            refused = client.post(url, data=sent, headers=HTML, follow_redirects=False)
            assert refused.status_code == 403, url
    assert my_need_ids(client, ENTERPRISE) == before
    after = client.get(f"/api/v1/needs/{need.id}").json()
    assert (after["status"], after["version"]) == ("open", 1)


def test_leads_are_the_apis(client: TestClient) -> None:
    api = client.get("/api/v1/leads", params={"per_page": 100}, headers=auth(client, ENTERPRISE))
    items = api.json()["items"]
    assert items
    sign_in(client, ENTERPRISE)
    leads = section(client.get("/me?lang=en", headers=HTML).text, "leads")
    assert re.findall(r'<h3><a href="/projects/(\d+)">', leads) == [
        str(i["project_id"]) for i in items
    ]
    assert "Negotiating" in leads
    assert "You and the team are discussing terms." in leads
    # Titles in the reader's script: Traditional readers get the Simplified title converted.
    zh = section(client.get("/me?lang=zh-Hant", headers=HTML).text, "leads")
    for item in items:
        assert hant(item["project_title_zh"]) in zh


def _upcoming_roadshow(client: TestClient) -> dict[str, Any]:
    items = client.get("/api/v1/roadshows", params={"when": "upcoming"}).json()["items"]
    assert items
    return items[0]  # type: ignore[no-any-return]


def _invite_our_organisation(client: TestClient, roadshow_id: int) -> None:
    me = client.get("/api/v1/me", headers=auth(client, ENTERPRISE)).json()
    sent = client.post(
        f"/api/v1/roadshows/{roadshow_id}/invitations",
        json={"organization_id": me["organization"]["id"]},
        headers=auth(client, SECRETARIAT),
    )
    assert sent.status_code == 201, sent.text


def test_registrations_and_invitations_are_listed(client: TestClient) -> None:
    roadshow = _upcoming_roadshow(client)
    _invite_our_organisation(client, roadshow["id"])
    sign_in(client, ENTERPRISE)
    part = section(client.get("/me?lang=en", headers=HTML).text, "roadshows")
    assert f'href="/roadshows/{roadshow["id"]}"' in part
    assert "Waiting for your answer" in part
    for answer in ("accepted", "declined"):
        assert f'<input type="hidden" name="answer" value="{answer}">' in part
    assert f'action="/roadshows/{roadshow["id"]}/invitation"' in part
    assert f'action="/roadshows/{roadshow["id"]}/registration/cancel"' in part
    assert '<input type="hidden" name="next" value="/me">' in part
    seat = next(
        r
        for r in client.get("/api/v1/me/registrations", headers=auth(client, ENTERPRISE)).json()
        if r["roadshow_id"] == roadshow["id"]
    )
    if seat["status"] == "confirmed":
        assert "Seat confirmed" in part
    else:
        assert f"On the waitlist, number {seat['waitlist_position']}" in part


def test_answering_an_invitation_from_me(client: TestClient) -> None:
    roadshow = _upcoming_roadshow(client)
    _invite_our_organisation(client, roadshow["id"])
    sign_in(client, ENTERPRISE)
    token = csrf(client.get("/me", headers=HTML).text)
    response = client.post(
        f"/roadshows/{roadshow['id']}/invitation",
        data={"answer": "declined", "next": "/me", "csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/me?")
    back = client.get(response.headers["location"] + "&lang=en", headers=HTML).text
    assert "You declined the invitation." in back
    part = section(back, "roadshows")
    assert "Declined" in part
    assert 'name="answer"' not in part


def test_cancelling_a_registration_from_me(client: TestClient) -> None:
    roadshow = _upcoming_roadshow(client)
    sign_in(client, ENTERPRISE)
    token = csrf(client.get("/me", headers=HTML).text)
    response = client.post(
        f"/roadshows/{roadshow['id']}/registration/cancel",
        data={"next": "/me", "csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303
    back = client.get(response.headers["location"] + "&lang=en", headers=HTML).text
    assert "Your registration is cancelled." in back
    part = section(back, "roadshows")
    assert f'action="/roadshows/{roadshow["id"]}/registration/cancel"' not in part
    seats = client.get("/api/v1/me/registrations", headers=auth(client, ENTERPRISE)).json()
    assert next(r for r in seats if r["roadshow_id"] == roadshow["id"])["status"] == "cancelled"


def test_the_secretariat_sees_its_account_and_its_workspace(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    page = client.get("/me?lang=en", headers=HTML)
    assert page.status_code == 200
    assert "<h1>Your account</h1>" in page.text
    assert SECRETARIAT in page.text
    assert "<dd>Secretariat</dd>" in page.text
    assert 'href="/admin"' in page.text
    assert 'href="/me/needs/new"' not in page.text


def test_every_problem_is_named_at_once(client: TestClient, session: Session) -> None:
    need = make_need(session, organization=OUR_ORG)
    session.commit()
    sign_in(client, ENTERPRISE)
    url = f"/me/needs/{need.id}/edit"
    opened = client.get(url, headers=HTML).text
    bad = need_form(title_zh="", title_en="", budget_wan="很多", version="1")
    response = client.post(url + "?lang=en", data={**bad, "csrf_token": csrf(opened)}, headers=HTML)
    assert response.status_code == 422
    assert field_error(response.text, "title_zh") == (
        "Give the need a title, in Chinese or in English."
    )
    assert field_error(response.text, "budget_wan").startswith("Enter the budget")
    saved = client.get(f"/api/v1/needs/{need.id}").json()
    assert (saved["version"], saved["title_zh"]) == (1, need.title_zh)
