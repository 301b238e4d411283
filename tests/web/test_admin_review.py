"""The secretariat's review queue over HTTP: who may open it, that it is the service's queue,
deciding (approve publishes, a note is required to ask for changes), landing on the next item,
a revision's diff, the version guard and the CSRF refusal."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.accounts import ENTERPRISE, OWNER, SECRETARIAT, auth
from tests.fixtures.bodies import DRAFT
from tests.web.helpers import HTML, csrf, sign_in


def submit(client: TestClient, title: str, **fields: Any) -> dict[str, Any]:
    """A researcher's project, submitted for review."""
    owner = auth(client, OWNER)
    body = {**DRAFT, "title_en": title, "title_zh": f"测试：{title}", **fields}
    created = client.post("/api/v1/projects", json=body, headers=owner)
    assert created.status_code == 201, created.text
    submitted = client.post(f"/api/v1/projects/{created.json()['id']}/submit", headers=owner)
    assert submitted.status_code == 200, submitted.text
    project: dict[str, Any] = submitted.json()
    return project


def decide(client: TestClient, project_id: int, decision: str, note: str = "", **extra: str) -> Any:
    page = client.get(f"/admin/review/{project_id}?lang=en", headers=HTML)
    assert page.status_code == 200, page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version, "the decision form carries the version read"
    data = {
        "csrf_token": csrf(page.text),
        "version": version.group(1),
        "decision": decision,
        "note": note,
        **extra,
    }
    return client.post(
        f"/admin/review/{project_id}?lang=en", data=data, headers=HTML, follow_redirects=False
    )


def queue_ids(html: str) -> list[int]:
    return [
        int(n)
        for n in re.findall(
            r'<th scope="row" data-label="[^"]*"><a href="/admin/review/(\d+)"', html
        )
    ]


URLS = ["/admin", "/admin/review", "/admin/review/1"]


@pytest.mark.parametrize("who", [OWNER, ENTERPRISE])
def test_researchers_and_enterprises_get_the_403_page(client: TestClient, who: str) -> None:
    sign_in(client, who)
    for url in URLS:
        refused = client.get(f"{url}?lang=en", headers=HTML, follow_redirects=False)
        assert refused.status_code == 403, url
        assert "<h1>Not allowed</h1>" in refused.text, url
    token = csrf(client.get("/projects", headers=HTML).text)
    posted = client.post(
        "/admin/review/1",
        data={"csrf_token": token, "decision": "approve", "version": "1"},
        headers=HTML,
        follow_redirects=False,
    )
    assert posted.status_code == 403


def test_a_stranger_is_sent_to_sign_in(client: TestClient) -> None:
    for url in URLS:
        response = client.get(url, headers=HTML, follow_redirects=False)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/login?next=%2Fadmin"), url


def test_admin_opens_on_the_queue(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    response = client.get("/admin", headers=HTML, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/admin/review")


def test_the_queue_is_the_services_with_who_and_when(client: TestClient) -> None:
    first = submit(client, "First plasma sorter")
    second = submit(client, "Second plasma sorter")
    api = client.get("/api/v1/review/queue", headers=auth(client, SECRETARIAT)).json()["items"]
    sign_in(client, SECRETARIAT)
    html = client.get("/admin/review?lang=en", headers=HTML).text
    assert sorted(queue_ids(html)) == sorted(i["project"]["id"] for i in api)
    assert queue_ids(html).index(first["id"]) < queue_ids(html).index(second["id"])  # oldest first
    assert "First plasma sorter" in html
    assert "中山大学" in html  # the institution
    assert f"{len(api)} items await review" in html or f"{len(api)} item awaits review" in html
    score = next(i for i in api if i["project"]["id"] == first["id"])["completeness"]["score"]
    assert f"{score}%" in html


def test_approving_publishes_and_goes_to_the_next_item(client: TestClient) -> None:
    first = submit(client, "Approve me plasma")
    second = submit(client, "Then me plasma")
    assert client.get(f"/projects/{first['id']}", headers=HTML).status_code == 404
    sign_in(client, SECRETARIAT)
    done = decide(client, first["id"], "approve", "Complete.")
    assert done.status_code == 303
    assert done.headers["location"].startswith(f"/admin/review/{second['id']}?")
    following = client.get(done.headers["location"] + "&lang=en", headers=HTML).text
    assert "Approved and published: “Approve me plasma”." in following
    assert "<h1>Then me plasma</h1>" in following
    client.cookies.clear()
    public = client.get(f"/projects/{first['id']}?lang=en", headers=HTML)
    assert public.status_code == 200
    assert "Approve me plasma" in public.text
    events = client.get(
        f"/api/v1/projects/{first['id']}", headers=auth(client, SECRETARIAT)
    ).json()["events"]
    assert (events[-1]["action"], events[-1]["note"]) == ("approve", "Complete.")


def test_the_last_item_leads_back_to_the_empty_queue(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    html = client.get("/admin/review", headers=HTML).text
    for project_id in queue_ids(html):  # the demo data's own, if any
        assert decide(client, project_id, "reject", "Not now.").status_code == 303
    only = submit(client, "Only one plasma")
    done = decide(client, only["id"], "reject", "Out of scope.")
    assert done.headers["location"].startswith("/admin/review?")
    empty = client.get(done.headers["location"] + "&lang=en", headers=HTML).text
    assert "Rejected: “Only one plasma”." in empty
    assert "Nothing awaits review" in empty


@pytest.mark.parametrize("decision", ["request_changes", "reject"])
def test_asking_for_changes_or_rejecting_needs_a_note(client: TestClient, decision: str) -> None:
    project = submit(client, "Note please plasma")
    sign_in(client, SECRETARIAT)
    refused = decide(client, project["id"], decision, "   ")
    assert refused.status_code == 422
    assert 'id="f-note-error"' in refused.text
    assert "Say what the researcher should change, or why it is rejected." in refused.text
    assert re.search(r'<textarea id="f-note"[^>]*aria-invalid="true"', refused.text)
    assert 'href="#f-note"' in refused.text  # and in the summary at the top
    state = client.get(f"/api/v1/projects/{project['id']}", headers=auth(client, SECRETARIAT))
    assert state.json()["status"] == "submitted"
    asked = decide(client, project["id"], decision, "Add the patents.")
    assert asked.status_code == 303


def test_a_decision_must_be_chosen(client: TestClient) -> None:
    project = submit(client, "Undecided plasma")
    sign_in(client, SECRETARIAT)
    refused = decide(client, project["id"], "maybe")
    assert refused.status_code == 422
    assert 'id="f-decision-error"' in refused.text


def test_a_revision_shows_the_changed_fields_old_and_new(client: TestClient) -> None:
    owner, sec = auth(client, OWNER), auth(client, SECRETARIAT)
    project = submit(client, "Revised plasma", summary_en="Cold plasma raises germination.")
    url = f"/api/v1/projects/{project['id']}"
    approved = client.post(f"{url}/review", json={"decision": "approve"}, headers=sec).json()
    edited = client.patch(
        url,
        json={
            "version": approved["version"],
            "summary_en": "Cold plasma strongly raises germination.",
            "trl": 7,
        },
        headers=owner,
    )
    assert edited.status_code == 200, edited.text
    assert client.post(f"{url}/submit", headers=owner).status_code == 200
    sign_in(client, SECRETARIAT)
    queue = client.get("/admin/review?lang=en", headers=HTML).text
    assert project["id"] in queue_ids(queue)
    assert "Revision" in queue
    html = client.get(f"/admin/review/{project['id']}?lang=en", headers=HTML).text
    assert "What this revision changes" in html
    assert "Summary in English" in html
    assert re.search(r"<ins><span class=\"visually-hidden\">\[added: </span>strongly ", html)
    trl = re.search(r"Maturity \(TRL\)</th>(.*?)</tr>", html, re.S)
    assert trl
    assert re.search(r"<del><span[^>]*>\[removed: </span>5 · Technology validated", trl.group(1))
    assert re.search(r"<ins><span[^>]*>\[added: </span>7 · Prototype demonstrated", trl.group(1))
    assert "Home city or zone" not in html  # unchanged fields are left out
    done = decide(client, project["id"], "approve")
    assert done.status_code == 303
    assert client.get(url).json()["trl"] == 7


def test_a_stale_decision_is_refused_clearly(client: TestClient) -> None:
    project = submit(client, "Twice decided plasma")
    sign_in(client, SECRETARIAT)
    page = client.get(f"/admin/review/{project['id']}", headers=HTML).text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    data = {"csrf_token": csrf(page), "version": version.group(1), "note": "Missing patents."}
    first = client.post(
        f"/admin/review/{project['id']}",
        data={**data, "decision": "request_changes"},
        headers=HTML,
        follow_redirects=False,
    )
    assert first.status_code == 303
    second = client.post(
        f"/admin/review/{project['id']}?lang=en",
        data={**data, "decision": "approve"},
        headers=HTML,
        follow_redirects=False,
    )
    assert second.status_code == 409
    assert "Your decision was not recorded" in second.text
    state = client.get(f"/api/v1/projects/{project['id']}", headers=auth(client, SECRETARIAT))
    assert state.json()["status"] == "changes_requested"


def test_a_decision_without_the_csrf_token_is_refused(client: TestClient) -> None:
    project = submit(client, "Forged plasma")
    sign_in(client, SECRETARIAT)
    refused = client.post(
        f"/admin/review/{project['id']}?lang=en",
        data={"decision": "approve", "version": str(project["version"])},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert "This form has expired" in refused.text or "expired" in refused.text
    state = client.get(f"/api/v1/projects/{project['id']}", headers=auth(client, SECRETARIAT))
    assert state.json()["status"] == "submitted"


def test_an_item_no_longer_in_the_queue_has_no_form(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    html = client.get("/admin/review/1?lang=en", headers=HTML)
    assert html.status_code == 200
    assert "Nothing of this project awaits review now." in html.text
    assert 'name="decision"' not in html.text
    assert client.get("/admin/review/abc", headers=HTML).status_code == 404
    assert client.get("/admin/review/99999999", headers=HTML).status_code == 404
