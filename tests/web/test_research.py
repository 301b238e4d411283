"""The researchers' workspace over HTTP: who may open it; a draft written through the form (and
seen by the API); errors next to their fields with nothing saved; the live checklist answering
as the API's detail; a stale save shown side by side; submit, the reviewer's note, answer and
resubmit; a revision of a published project while the published version stays public; the
interest in their projects as the API gives it; another's project a 404; CSRF refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.catalog import records, workflow
from app.catalog.models import Project
from app.catalog.schemas import ReviewDecision
from app.leads import service as lead_service
from tests.factories import project_record
from tests.fixtures.accounts import ENTERPRISE, OTHER, OWNER, SECRETARIAT, auth
from tests.web.helpers import HTML, csrf, sign_in

FIELDS: dict[str, Any] = {
    "title_zh": "钠离子电池低温电解液",
    "title_en": "Low-temperature electrolyte for sodium-ion batteries",
    "summary_zh": "本项目开发的钠离子电池低温电解液可在零下四十摄氏度保持百分之八十以上容量，"
    "适用于北方储能电站、通信基站备电和电动两轮车等应用场景，已完成公斤级中试并通过第三方检测，"
    "循环寿命超过两千次。",
    "summary_en": "An electrolyte that keeps sodium-ion cells above 80 percent of their capacity "
    "at minus 40 degrees. It is used in energy storage stations in cold regions, backup power for "
    "telecom base stations and electric two-wheelers; a kilogram-scale pilot is complete and "
    "third-party tests confirm over 2,000 cycles.",
    "description_zh": "详细说明。",
    "keywords": "钠离子电池, 电解液, 低温",
    "industries": ["6.5"],
    "trl": "6",
    "transfer_modes": ["license", "co_development"],
    "price_wan": "800",
    "institution": "中山大学",
    "city": "guangzhou",
    "target_cities": ["foshan", "zhaoqing"],
    "contact_name": "李老师",
    "contact_email": "li@example.edu.cn",
    "contact_phone": "+86 20 8411 0000",
    "patent_number": ["CN202410012345.6", "", ""],
    "patent_title": ["一种低温电解液", "", ""],
    "patent_status": ["granted", "", ""],
}


def _user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


def _my_projects(client: TestClient, email: str = OWNER) -> list[dict[str, Any]]:
    response = client.get("/api/v1/me/projects", headers=auth(client, email))
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _post(client: TestClient, path: str, data: dict[str, Any], form_path: str | None = None) -> Any:
    token = csrf(client.get(form_path or path, headers=HTML).text)
    return client.post(
        path, data={**data, "csrf_token": token}, headers=HTML, follow_redirects=False
    )


def _create(client: TestClient, **changes: Any) -> int:
    response = _post(client, "/me/projects/new?lang=en", {**FIELDS, **changes})
    assert response.status_code == 303, response.text
    found = re.match(r"/me/projects/(\d+)\?notice=created$", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def _form_value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" type="[a-z]+" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


@pytest.fixture
def researcher(client: TestClient) -> TestClient:
    sign_in(client, OWNER)
    return client


WORKSPACE = ("/me/projects", "/me/projects/new", "/me/interest")


def _demo_project(client: TestClient, email: str = OWNER) -> int:
    return int(_my_projects(client, email)[0]["id"])


@pytest.mark.parametrize("who", [ENTERPRISE, SECRETARIAT])
def test_other_roles_get_the_403_page(client: TestClient, who: str) -> None:
    project = _demo_project(client)
    sign_in(client, who)
    for path in (*WORKSPACE, f"/me/projects/{project}", f"/me/projects/{project}/edit"):
        response = client.get(f"{path}?lang=en", headers=HTML)
        assert response.status_code == 403, path
        assert "<h1>" in response.text
        assert "Your projects" not in response.text
    token = csrf(client.get("/?lang=en", headers=HTML).text)
    for path in ("/me/projects/new", "/me/projects/checklist", f"/me/projects/{project}/submit"):
        response = client.post(path, data={**FIELDS, "csrf_token": token}, headers=HTML)
        assert response.status_code == 403, path
    assert len(_my_projects(client)) == 2  # nothing was written


def test_a_stranger_is_sent_to_sign_in(client: TestClient) -> None:
    for path in (*WORKSPACE, "/me/projects/1", "/me/projects/1/edit"):
        response = client.get(path, headers=HTML, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/login?next=" + path.replace("/", "%2F")


def test_a_draft_written_through_the_form(researcher: TestClient) -> None:
    form = researcher.get("/me/projects/new?lang=en", headers=HTML).text
    assert 'value="中山大学"' in form  # the organisation, as the API would default it
    assert "Experimental proof of concept" in form  # TRL 3 explained
    assert "The rights pass to the enterprise, for a price." in form  # assignment explained
    assert form.count('name="patent_number"') == 2  # two empty rows to start
    project_id = _create(researcher)

    page = researcher.get(f"/me/projects/{project_id}?notice=created&lang=en", headers=HTML).text
    assert "Your draft is saved." in page
    assert "Draft" in page
    assert "Submit for review" in page
    listing = researcher.get("/me/projects?state=draft&lang=en", headers=HTML).text
    assert f'href="/me/projects/{project_id}"' in listing
    assert "Low-temperature electrolyte for sodium-ion batteries" in listing
    assert "100% complete" in listing

    api = researcher.get(f"/api/v1/projects/{project_id}", headers=auth(researcher, OWNER)).json()
    assert api["status"] == "draft"
    assert api["keywords"] == ["钠离子电池", "电解液", "低温"]
    assert api["industries"] == ["6.5"]
    assert api["trl"] == 6
    assert api["transfer_modes"] == ["license", "co_development"]
    assert api["price_wan"] == 800
    assert api["city"] == "guangzhou"
    assert api["target_cities"] == ["foshan", "zhaoqing"]
    assert api["patents"] == [
        {"number": "CN202410012345.6", "title": "一种低温电解液", "status": "granted"}
    ]
    assert api["contact"] == {
        "name": "李老师", "email": "li@example.edu.cn", "phone": "+86 20 8411 0000"
    }  # fmt: skip
    assert api["completeness"]["score"] == 100
    assert any(p["id"] == project_id for p in _my_projects(researcher))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"trl": "12"}, "trl", "The TRL is a whole number from 1 to 9."),
        ({"title_zh": "", "title_en": " "}, "title_zh", "Give the project a title"),
        ({"price_wan": "八百"}, "price_wan", "Enter the price in 万元 as a number"),
        ({"industries": ["99.9"]}, "industries", "There is no such industry"),
        ({"contact_email": "not an address"}, "contact_email", "Enter an e-mail address"),
        (
            {"patent_number": ["", ""], "patent_title": ["只有标题", ""]},
            "patent-0-number",
            "Give the patent's number",
        ),
    ],
)
def test_a_bad_value_is_shown_next_to_its_field_and_nothing_is_saved(
    researcher: TestClient, changes: dict[str, Any], field: str, message: str
) -> None:
    before = len(_my_projects(researcher))
    response = _post(researcher, "/me/projects/new?lang=en", {**FIELDS, **changes})
    assert response.status_code == 422
    html = response.text
    assert f'id="f-{field}-error"' in html
    assert message in html
    assert f'<li><a href="#f-{field}">' in html  # and in the summary at the top
    assert "钠离子电池, 电解液, 低温" in html  # what was typed is kept
    assert len(_my_projects(researcher)) == before


def test_errors_are_in_the_pages_language(researcher: TestClient) -> None:
    changes = {"trl": "12", "title_zh": "", "title_en": ""}
    response = _post(researcher, "/me/projects/new?lang=zh-Hant", {**FIELDS, **changes})
    assert response.status_code == 422
    assert "TRL 是 1 至 9 之間的整數。" in response.text
    assert "請為項目填寫中文或英文標題。" in response.text


def test_the_checklist_answers_as_the_apis_detail(researcher: TestClient) -> None:
    body = {
        "title_zh": "只写了中文标题",
        "summary_en": "Used for cold storage.",
        "keywords": ["a", "b"],
        "trl": 4,
        "transfer_modes": ["license"],
    }
    created = researcher.post("/api/v1/projects", json=body, headers=auth(researcher, OWNER)).json()
    expected = created["completeness"]
    before = len(_my_projects(researcher))
    form = {
        "title_zh": body["title_zh"],
        "summary_en": body["summary_en"],
        "keywords": "a, b",
        "trl": "4",
        "transfer_modes": ["license"],
        "institution": "中山大学",
    }
    response = _post(researcher, "/me/projects/checklist?lang=en", form, "/me/projects/new")
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html  # a fragment
    assert int(re.findall(r'data-score="(\d+)"', html)[0]) == expected["score"]
    items = re.findall(r'data-item="(\w+)" data-done="(true|false)"', html)
    assert items == [(i["item"], "true" if i["done"] else "false") for i in expected["checklist"]]
    assert "A Chinese summary (80+ characters)" in html
    assert len(_my_projects(researcher)) == before  # never saves


def test_a_full_form_makes_a_complete_checklist(researcher: TestClient) -> None:
    response = _post(researcher, "/me/projects/checklist?lang=zh-Hans", FIELDS, "/me/projects/new")
    assert 'data-score="100"' in response.text
    assert "完整度 100%" in response.text or "100%" in response.text


def test_adding_a_patent_row_saves_nothing(researcher: TestClient) -> None:
    before = len(_my_projects(researcher))
    response = _post(researcher, "/me/projects/new?lang=en", {**FIELDS, "action": "add-patent-row"})
    assert response.status_code == 200
    assert response.text.count('name="patent_number"') == 4  # one filled, two empty, one more
    assert 'value="CN202410012345.6"' in response.text
    assert len(_my_projects(researcher)) == before


def test_a_stale_save_shows_both_versions_and_keeps_what_was_typed(
    researcher: TestClient,
) -> None:
    project_id = _create(researcher)
    edit = researcher.get(f"/me/projects/{project_id}/edit?lang=en", headers=HTML).text
    version = int(re.findall(r'name="version" value="(\d+)"', edit)[0])
    # Someone else (the API, another tab) saves first.
    theirs = researcher.patch(
        f"/api/v1/projects/{project_id}",
        json={"version": version, "title_en": "Their English title"},
        headers=auth(researcher, OWNER),
    )
    assert theirs.status_code == 200
    mine = {**FIELDS, "title_en": "My English title", "version": str(version)}
    token = csrf(edit)
    response = researcher.post(
        f"/me/projects/{project_id}/edit?lang=en",
        data={**mine, "csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 409
    html = response.text
    assert "This project was changed while you were editing it" in html
    pair = html[html.index('class="version-pair"') :]
    assert pair.index("Saved now") < pair.index("Their English title")
    assert pair.index("Yours, as typed") < pair.index("My English title")
    assert _form_value(html, "title_en") == "My English title"  # nothing typed is lost
    assert f'name="version" value="{theirs.json()["version"]}"' in html
    api = researcher.get(f"/api/v1/projects/{project_id}", headers=auth(researcher, OWNER))
    assert api.json()["title_en"] == "Their English title"
    # Saving again, knowingly, replaces their version.
    again = researcher.post(
        f"/me/projects/{project_id}/edit",
        data={**mine, "version": str(theirs.json()["version"]), "csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert again.status_code == 303
    api = researcher.get(f"/api/v1/projects/{project_id}", headers=auth(researcher, OWNER))
    assert api.json()["title_en"] == "My English title"


def test_submit_read_the_note_answer_and_resubmit(researcher: TestClient, session: Session) -> None:
    project_id = _create(researcher)
    page = researcher.get(f"/me/projects/{project_id}?lang=en", headers=HTML).text
    response = researcher.post(
        f"/me/projects/{project_id}/submit",
        data={"csrf_token": csrf(page), "note": ""},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303
    api = researcher.get(f"/api/v1/projects/{project_id}", headers=auth(researcher, OWNER))
    assert api.json()["status"] == "submitted"
    page = researcher.get(f"/me/projects/{project_id}?notice=submitted&lang=en", headers=HTML).text
    assert "Sent for review." in page
    assert "In review" in page
    assert 'action="/me/projects/' not in page  # nothing to submit, nothing to edit
    assert researcher.get(f"/me/projects/{project_id}/edit", headers=HTML).status_code == 409

    note = "请补充中试数据的第三方检测报告编号。"
    workflow.review(
        session, _user(session, SECRETARIAT), project_id, ReviewDecision.request_changes, note
    )
    session.commit()
    page = researcher.get(f"/me/projects/{project_id}?lang=en", headers=HTML).text
    assert "Changes requested" in page
    assert "Answer the reviewer's note and resubmit." in page
    assert "The reviewer's note" in page
    assert note in page
    assert "Your answer to the reviewer" in page
    listing = researcher.get("/me/projects?lang=en", headers=HTML).text
    assert "Answer the reviewer's note and resubmit." in listing

    answer = "已补充检测报告编号 CNAS-2024-118。"
    response = researcher.post(
        f"/me/projects/{project_id}/submit?lang=en",
        data={"csrf_token": csrf(page), "note": answer},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303
    api = researcher.get(f"/api/v1/projects/{project_id}", headers=auth(researcher, OWNER)).json()
    assert api["status"] == "submitted"
    assert api["events"][-1]["action"] == "submitted"
    assert api["events"][-1]["note"] == answer
    page = researcher.get(f"/me/projects/{project_id}?lang=en", headers=HTML).text
    history = page[page.index('id="history"') :]
    assert answer in history
    assert note in history
    assert history.index(answer) < history.index(note)  # newest first
    assert "Asked for changes" in history
    assert "The secretariat" in history


def test_a_revision_keeps_the_published_version_public(
    researcher: TestClient, session: Session
) -> None:
    project_id = _create(researcher)
    workflow.submit(session, _user(session, OWNER), project_id)
    workflow.review(session, _user(session, SECRETARIAT), project_id, ReviewDecision.approve, None)
    session.commit()
    page = researcher.get(f"/me/projects/{project_id}?lang=en", headers=HTML).text
    assert "Propose a revision" in page
    assert f'href="/projects/{project_id}"' in page

    edit = researcher.get(f"/me/projects/{project_id}/edit?lang=en", headers=HTML).text
    assert "<h1>Propose a revision</h1>" in edit
    version = re.findall(r'name="version" value="(\d+)"', edit)[0]
    response = researcher.post(
        f"/me/projects/{project_id}/edit",
        data={**FIELDS, "title_en": "Revised English title", "version": version,
              "csrf_token": csrf(edit)},
        headers=HTML,
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"].endswith("notice=revision-saved")
    public = researcher.get(f"/projects/{project_id}?lang=en", headers=HTML).text
    assert "Low-temperature electrolyte for sodium-ion batteries" in public
    assert "Revised English title" not in public
    page = researcher.get(f"/me/projects/{project_id}?lang=en", headers=HTML).text
    assert "Your revision" in page
    assert "Revised English title" in page
    # The form opens on the revision, not on the published text.
    edit = researcher.get(f"/me/projects/{project_id}/edit?lang=en", headers=HTML).text
    assert _form_value(edit, "title_en") == "Revised English title"

    response = researcher.post(
        f"/me/projects/{project_id}/submit",
        data={"csrf_token": csrf(page), "note": "更新了英文标题"},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.headers["location"].endswith("notice=revision-submitted")
    api = researcher.get(f"/api/v1/projects/{project_id}", headers=auth(researcher, OWNER)).json()
    assert api["status"] == "published"
    assert api["revision"]["status"] == "submitted"
    public = researcher.get(f"/projects/{project_id}?lang=en", headers=HTML).text
    assert "Revised English title" not in public


def test_interest_is_the_apis_leads(researcher: TestClient, session: Session) -> None:
    owner = _user(session, OWNER)
    _, project = records.upsert_project(
        session, None, {k: v for k, v in project_record().items() if k != "type"},
        owner_id=owner.id,
    )  # fmt: skip
    assert project is not None
    lead_service.show_interest(session, _user(session, ENTERPRISE), project.id, "想了解许可条件。")
    session.commit()
    api = researcher.get("/api/v1/leads", headers=auth(researcher, OWNER)).json()
    assert api["total"] >= 1
    html = researcher.get("/me/interest?lang=en", headers=HTML).text
    assert re.findall(r'id="lead-(\d+)"', html) == [str(lead["id"]) for lead in api["items"]]
    for lead in api["items"]:
        assert lead["organization_name"] in html
        assert lead["message"] in html
    assert f'href="/me/projects/{project.id}"' in html
    assert "An enterprise has shown interest" in html
    assert f"Leads: {api['total']}" in html
    # An enterprise's own leads are not the researcher's.
    sign_in(researcher, ENTERPRISE)
    assert researcher.get("/me/interest", headers=HTML).status_code == 403


def test_interest_with_a_bad_stage_is_named(researcher: TestClient) -> None:
    response = researcher.get("/me/interest?stage=won&lang=en", headers=HTML)
    assert response.status_code == 422
    assert "could not be used" in response.text


def test_another_researchers_project_is_a_404(researcher: TestClient, session: Session) -> None:
    theirs = _demo_project(researcher, OTHER)
    published = session.scalar(select(Project.id).where(Project.status == "published"))
    for project_id in (theirs, published, 999_999, "abc"):
        for path in (f"/me/projects/{project_id}", f"/me/projects/{project_id}/edit"):
            assert researcher.get(path, headers=HTML).status_code == 404, path
    page = researcher.get("/me/projects", headers=HTML).text
    response = researcher.post(
        f"/me/projects/{theirs}/submit", data={"csrf_token": csrf(page)}, headers=HTML
    )
    assert response.status_code == 404
    assert _my_projects(researcher, OTHER)[0]["status"] == "changes_requested"


def test_a_post_without_its_csrf_token_is_refused(researcher: TestClient) -> None:
    project_id = _demo_project(researcher)
    before = len(_my_projects(researcher))
    for path in (
        "/me/projects/new",
        "/me/projects/checklist",
        f"/me/projects/{project_id}/edit",
        f"/me/projects/{project_id}/submit",
    ):
        response = researcher.post(f"{path}?lang=en", data=FIELDS, headers=HTML)
        assert response.status_code == 403, path
        assert "This form has expired" in response.text
    assert len(_my_projects(researcher)) == before


def test_the_list_groups_every_state_with_what_to_do_next(client: TestClient) -> None:
    sign_in(client, OTHER)
    html = client.get("/me/projects?lang=en", headers=HTML).text
    assert '<h2 id="group-changes_requested">' in html
    assert "Answer the reviewer's note and resubmit." in html
    page = client.get(f"/me/projects/{_demo_project(client, OTHER)}?lang=en", headers=HTML).text
    assert "请补充专利信息与英文摘要中的应用场景。" in page
    assert "Resubmit for review" in page
    response = client.get("/me/projects?state=lost&lang=en", headers=HTML)
    assert response.status_code == 422


def test_a_researchers_own_page_is_the_workspace(researcher: TestClient) -> None:
    response = researcher.get("/me", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/me/projects"
    html = researcher.get("/me?lang=en", headers=HTML).text
    assert "<h1>Your projects</h1>" in html
