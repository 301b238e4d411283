"""The secretariat's roadshow pages over HTTP: who may open them (every URL of this area, as each
persona); planning a roadshow through the form (listed as a draft), its errors next to the
fields, publishing refused without a venue, a stale edit; the lineup built from the suggestions,
an overlap refused naming the clashing slot, a slot moved down (the public page's order follows);
inviting a suggested organisation; check-in at the door; the outcome equal to the API's; the
exports; a POST without its CSRF token."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from tests.fixtures.accounts import ENTERPRISE, OWNER, SECRETARIAT, auth
from tests.web.helpers import HTML, csrf, sign_in

API = "/api/v1/roadshows"
SHANGHAI = ZoneInfo("Asia/Shanghai")
HENGQIN = "横琴中医药与大健康专场路演"  # published, full, one on the waitlist
SHENZHEN = "深圳集成电路与第三代半导体专场路演"  # held, with leads

# Every page of this area: (method, path). Roadshow 1 and its slot / registration 1 exist.
URLS = [
    ("GET", "/admin/roadshows"),
    ("GET", "/admin/roadshows/new"),
    ("POST", "/admin/roadshows/new"),
    ("GET", "/admin/roadshows/1"),
    ("GET", "/admin/roadshows/1/edit"),
    ("POST", "/admin/roadshows/1/edit"),
    ("POST", "/admin/roadshows/1/status"),
    ("POST", "/admin/roadshows/1/slots"),
    ("POST", "/admin/roadshows/1/slots/1/move"),
    ("POST", "/admin/roadshows/1/slots/1/delete"),
    ("POST", "/admin/roadshows/1/invitations"),
    ("GET", "/admin/roadshows/1/check-in"),
    ("POST", "/admin/roadshows/1/check-in/1"),
    ("GET", "/admin/roadshows/1/outcome"),
    ("GET", "/admin/roadshows/1/attendees.csv"),
    ("GET", "/admin/roadshows/1/agenda.ics"),
]


def roadshow_id(client: TestClient, title_zh: str) -> int:
    items = client.get(API, params={"per_page": 100}, headers=auth(client, SECRETARIAT)).json()
    return next(int(r["id"]) for r in items["items"] if r["title_zh"] == title_zh)


def day_ahead(days: int = 30) -> dt.datetime:
    return (dt.datetime.now(SHANGHAI) + dt.timedelta(days=days)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )


def create(client: TestClient, *, status: str | None = None, **fields: Any) -> int:
    """A roadshow planned through the API, a month ahead, 09:00–12:00 in Hengqin."""
    start = day_ahead()
    body = {
        "title_zh": "中医药成果网页路演",
        "title_en": "TCM results web roadshow",
        "description_zh": "中医药 质量标志物 经典名方 中药新药",
        "industries": ["4.1"],
        "city": "hengqin",
        "venue": "横琴国际交流中心",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=3)).isoformat(),
        "capacity": 30,
        **fields,
    }
    sec = auth(client, SECRETARIAT)
    made = client.post(API, json=body, headers=sec)
    assert made.status_code == 201, made.text
    number = int(made.json()["id"])
    if status:
        moved = client.patch(f"{API}/{number}", json={"status": status}, headers=sec)
        assert moved.status_code == 200, moved.text
    return number


def add_slot(client: TestClient, number: int, project_id: int, start: dt.datetime) -> int:
    body = {"project_id": project_id, "starts_at": start.isoformat(), "minutes": 20}
    made = client.post(f"{API}/{number}/slots", json=body, headers=auth(client, SECRETARIAT))
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def post(client: TestClient, path: str, page: str, **data: Any) -> Any:
    return client.post(
        path, data={**data, "csrf_token": csrf(page)}, headers=HTML, follow_redirects=False
    )


def error_of(html: str, field_id: str) -> str:
    """The text of the error printed next to a field (its ``-error`` paragraph)."""
    found = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    assert found, f"no error next to {field_id}"
    return html_lib.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def suggested(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li id="suggestion-(\d+)">', html)]


def published_projects(client: TestClient, count: int) -> list[int]:
    items = client.get("/api/v1/projects", params={"industry": "4.1", "per_page": 20}).json()
    return [int(p["id"]) for p in items["items"]][:count]


# --- who may open the pages ---


@pytest.mark.parametrize("persona", [OWNER, ENTERPRISE])
def test_researchers_and_enterprises_get_the_403_page_everywhere(
    client: TestClient, persona: str
) -> None:
    sign_in(client, persona)
    token = csrf(client.get("/?lang=en", headers=HTML).text)
    for method, path in URLS:
        if method == "GET":
            page = client.get(f"{path}?lang=en", headers=HTML)
        else:
            page = client.post(f"{path}?lang=en", data={"csrf_token": token}, headers=HTML)
        assert page.status_code == 403, (persona, method, path)
        assert "<h1>Not allowed</h1>" in page.text, path


def test_a_stranger_is_sent_to_sign_in(client: TestClient) -> None:
    for method, path in URLS:
        if method == "GET":
            response = client.get(path, headers=HTML, follow_redirects=False)
        else:
            response = client.post(path, headers=HTML, follow_redirects=False)
        assert response.status_code == 303, (method, path)
        location = response.headers["location"]
        assert location.startswith("/login?next=%2Fadmin%2Froadshows"), (path, location)


def test_a_post_without_its_csrf_token_is_refused(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    number = roadshow_id(client, HENGQIN)
    before = client.get(f"{API}/{number}/registrations", headers=auth(client, SECRETARIAT))
    first = before.json()["items"][0]["id"]
    for path in (f"/admin/roadshows/{number}/check-in/{first}", "/admin/roadshows/new"):
        refused = client.post(f"{path}?lang=en", data={"q": "", "title_en": "x"}, headers=HTML)
        assert refused.status_code == 403, path
        assert "This form has expired" in refused.text
    after = client.get(f"{API}/{number}/registrations", headers=auth(client, SECRETARIAT))
    assert after.json()["items"][0]["checked_in_at"] is None


# --- the list and the form ---


def test_every_roadshow_is_listed_with_its_status_and_a_filter(client: TestClient) -> None:
    draft = create(client, title_zh="草稿路演列表测试", title_en="Draft listing test")
    sign_in(client, SECRETARIAT)
    page = client.get("/admin/roadshows?lang=en", headers=HTML)
    assert page.status_code == 200
    for title in ("Draft listing test", "Hengqin roadshow: traditional Chinese medicine"):
        assert title in page.text
    assert 'href="/admin/roadshows/new"' in page.text
    drafts = client.get("/admin/roadshows?status=draft&lang=en", headers=HTML).text
    assert f'href="/admin/roadshows/{draft}"' in drafts
    assert "Hengqin roadshow" not in drafts
    bad = client.get("/admin/roadshows?status=nonsense&lang=en", headers=HTML)
    assert bad.status_code == 422
    assert "Choose a status from the list." in bad.text


def form_data(**fields: Any) -> dict[str, Any]:
    start = day_ahead(40)
    data: dict[str, Any] = {
        "title_zh": "表格建立的路演",
        "title_en": "A roadshow made with the form",
        "description_zh": "",
        "description_en": "",
        "industries": ["4.1", "1.2"],
        "city": "zhuhai",
        "venue": "",
        "starts_date": start.date().isoformat(),
        "starts_time": "14:00",
        "ends_date": start.date().isoformat(),
        "ends_time": "17:30",
        "capacity": "40",
    }
    data.update(fields)
    return data


def test_planning_a_roadshow_with_the_form_lists_it_as_a_draft(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    form = client.get("/admin/roadshows/new?lang=en", headers=HTML)
    assert form.status_code == 200
    for field_id in ("f-title_zh", "f-city", "f-starts_at", "f-starts_at-time", "f-capacity"):
        assert f'id="{field_id}"' in form.text
    made = post(client, "/admin/roadshows/new?lang=en", form.text, **form_data())
    assert made.status_code == 303, made.text
    location = made.headers["location"]
    number = int(re.findall(r"/admin/roadshows/(\d+)\?notice=created", location)[0])
    api = client.get(f"{API}/{number}", headers=auth(client, SECRETARIAT)).json()
    assert api["status"] == "draft"
    assert api["title_en"] == "A roadshow made with the form"
    assert api["industries"] == ["4.1", "1.2"]
    assert api["city"] == "zhuhai"
    assert api["starts_at"].endswith("T14:00:00+08:00")
    assert api["ends_at"].endswith("T17:30:00+08:00")
    assert api["capacity"] == 40
    work = client.get(f"{location}&lang=en", headers=HTML)
    assert "The roadshow is planned as a draft" in work.text
    listed = client.get("/admin/roadshows?status=draft&lang=en", headers=HTML).text
    item = listed.split(f'<a href="/admin/roadshows/{number}">')[1].split("</li>")[0]
    assert "A roadshow made with the form" in item
    assert '<span class="rs-status rs-draft">Draft</span>' in item


def test_a_missing_title_and_an_end_before_the_start_are_named_next_to_the_fields(
    client: TestClient,
) -> None:
    sign_in(client, SECRETARIAT)
    form = client.get("/admin/roadshows/new?lang=en", headers=HTML).text
    data = form_data(title_zh="", title_en="", ends_time="10:00", city="", capacity="many")
    refused = post(client, "/admin/roadshows/new?lang=en", form, **data)
    assert refused.status_code == 422
    page = refused.text
    assert (
        error_of(page, "f-title_zh")
        == "Error: Give the roadshow a title, in Chinese or in English."
    )
    assert error_of(page, "f-ends_at") == "Error: The end must come after the start."
    assert error_of(page, "f-city").startswith("Error: Choose the city or zone")
    assert error_of(page, "f-capacity").startswith("Error: Enter the number of seats")
    assert '<a href="#f-ends_at">Ends: The end must come after the start.</a>' in page
    # What was typed is kept.
    assert 'value="10:00"' in page
    assert 'value="many"' in page
    assert 'value="4.1" checked' in page
    # In Chinese, the same errors in Chinese.
    zh = post(client, "/admin/roadshows/new?lang=zh-Hans", form, **data)
    assert error_of(zh.text, "f-ends_at") == "错误： 结束时间必须晚于开始时间。"


def test_publishing_without_a_venue_is_refused_next_to_the_venue(client: TestClient) -> None:
    number = create(client, venue=None)
    sign_in(client, SECRETARIAT)
    work = client.get(f"/admin/roadshows/{number}?lang=en", headers=HTML).text
    refused = post(client, f"/admin/roadshows/{number}/status?lang=en", work, status="published")
    assert refused.status_code == 422
    assert error_of(refused.text, "f-venue").startswith(
        "Error: A roadshow needs a venue before it is published"
    )
    assert client.get(f"{API}/{number}", headers=auth(client, SECRETARIAT)).json()["status"] == (
        "draft"
    )
    # The form it shows saves the venue and publishes in one go.
    data = form_data(
        venue="横琴国际交流中心 3 楼", then="publish", version=csrf_version(refused.text)
    )
    data["title_zh"], data["city"] = "中医药成果网页路演", "hengqin"
    saved = post(client, f"/admin/roadshows/{number}/edit?lang=en", refused.text, **data)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"].endswith("?notice=published")
    api = client.get(f"{API}/{number}", headers=auth(client, SECRETARIAT)).json()
    assert api["status"] == "published"
    assert api["venue"] == "横琴国际交流中心 3 楼"


def csrf_version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found
    return found.group(1)


def test_a_stale_edit_is_refused_keeping_what_was_typed(client: TestClient) -> None:
    number = create(client)
    sign_in(client, SECRETARIAT)
    form = client.get(f"/admin/roadshows/{number}/edit?lang=en", headers=HTML).text
    # Someone else changes the capacity meanwhile.
    other = client.patch(
        f"{API}/{number}", json={"capacity": 99}, headers=auth(client, SECRETARIAT)
    )
    assert other.status_code == 200
    data = form_data(title_en="My new English title", version=csrf_version(form), city="hengqin")
    data["base"] = re.search(r'name="base" value="([^"]*)"', form).group(1)  # type: ignore[union-attr]
    data["base"] = html_lib.unescape(data["base"])
    stale = post(client, f"/admin/roadshows/{number}/edit?lang=en", form, **data)
    assert stale.status_code == 409
    assert "Someone changed this roadshow while you were editing it" in stale.text
    assert "<dt>Seats</dt>" in stale.text
    assert "<dd>99</dd>" in stale.text
    assert 'value="My new English title"' in stale.text
    assert client.get(f"{API}/{number}").status_code == 404  # still a draft
    api = client.get(f"{API}/{number}", headers=auth(client, SECRETARIAT)).json()
    assert api["title_en"] == "TCM results web roadshow"
    # Saving again (on the version it now carries) replaces it knowingly.
    again = post(
        client,
        f"/admin/roadshows/{number}/edit?lang=en",
        stale.text,
        **{**data, "version": csrf_version(stale.text)},
    )
    assert again.status_code == 303
    api = client.get(f"{API}/{number}", headers=auth(client, SECRETARIAT)).json()
    assert api["title_en"] == "My new English title"
    assert api["capacity"] == 40


# --- the lineup ---


def test_adding_a_suggested_project_puts_it_in_the_lineup(client: TestClient) -> None:
    number = create(client)
    sign_in(client, SECRETARIAT)
    work = client.get(f"/admin/roadshows/{number}?lang=en", headers=HTML)
    assert work.status_code == 200
    api = client.get(
        f"{API}/{number}/suggestions/projects",
        params={"limit": 10},
        headers=auth(client, SECRETARIAT),
    ).json()
    assert suggested(work.text) == [item["project"]["id"] for item in api["items"]]
    first = api["items"][0]
    block = work.text.split(f'<li id="suggestion-{first["project"]["id"]}">')[1].split("</form>")[0]
    assert f"Score {first['score']:.2f}" in block
    for reason in first["reasons"]:
        assert str(escape(reason["message_en"])) in block
    added = post(
        client,
        f"/admin/roadshows/{number}/slots?lang=en",
        work.text,
        key=str(first["project"]["id"]),
        project_id=str(first["project"]["id"]),
        day=day_ahead().date().isoformat(),
        start="09:00",
        minutes="25",
        presenter="澳门大学",
    )
    assert added.status_code == 303, added.text
    slots = client.get(f"{API}/{number}", headers=auth(client, SECRETARIAT)).json()["slots"]
    assert [(s["project_id"], s["minutes"], s["presenter"]) for s in slots] == [
        (first["project"]["id"], 25, "澳门大学")
    ]
    assert slots[0]["starts_at"].endswith("T09:00:00+08:00")
    after = client.get(f"{added.headers['location']}&lang=en", headers=HTML).text
    assert "The project is in the lineup." in after
    assert f'id="slot-{slots[0]["id"]}"' in after
    assert first["project"]["id"] not in suggested(after)
    assert "Already in this lineup" in after  # left out, saying why


def test_an_overlapping_slot_is_refused_naming_the_clash(client: TestClient) -> None:
    number = create(client)
    first, second = published_projects(client, 2)
    add_slot(client, number, first, day_ahead())
    sign_in(client, SECRETARIAT)
    work = client.get(f"/admin/roadshows/{number}?lang=en", headers=HTML).text
    refused = post(
        client,
        f"/admin/roadshows/{number}/slots?lang=en",
        work,
        key="other",
        project_id=str(second),
        day=day_ahead().date().isoformat(),
        start="09:10",
        minutes="20",
        presenter="",
    )
    assert refused.status_code == 409
    title = client.get(f"/api/v1/projects/{first}").json()["title_en"]
    message = error_of(refused.text, "f-start-other")
    assert message == f"Error: Overlaps «{title}» (09:00–09:20): choose another time."
    assert 'value="09:10"' in refused.text  # what was typed stays
    slots = client.get(f"{API}/{number}", headers=auth(client, SECRETARIAT)).json()["slots"]
    assert [s["project_id"] for s in slots] == [first]


def test_moving_a_slot_down_changes_the_public_order(client: TestClient) -> None:
    number = create(client, status="published")
    first, second, third = published_projects(client, 3)
    start = day_ahead()
    top = add_slot(client, number, first, start)
    add_slot(client, number, second, start + dt.timedelta(minutes=20))
    add_slot(client, number, third, start + dt.timedelta(minutes=40))

    def public_order() -> list[int]:
        html = client.get(f"/roadshows/{number}", headers=HTML).text
        lineup = html.split('id="lineup"')[1]
        return [int(i) for i in re.findall(r'<h3><a href="/projects/(\d+)">', lineup)]

    assert public_order() == [first, second, third]
    sign_in(client, SECRETARIAT)
    work = client.get(f"/admin/roadshows/{number}?lang=en", headers=HTML).text
    assert f'action="/admin/roadshows/{number}/slots/{top}/move"' in work
    moved = post(client, f"/admin/roadshows/{number}/slots/{top}/move", work, direction="down")
    assert moved.status_code == 303
    assert moved.headers["location"].endswith(f"?notice=slot-moved#slot-{top}")
    assert public_order() == [second, first, third]
    # Removing a slot is a form too.
    work = client.get(f"/admin/roadshows/{number}?lang=en", headers=HTML).text
    removed = post(client, f"/admin/roadshows/{number}/slots/{top}/delete", work)
    assert removed.status_code == 303
    assert public_order() == [second, third]


# --- invitations ---


def test_inviting_a_suggested_organisation_shows_it_as_invited(client: TestClient) -> None:
    number = create(client, status="published")
    first, second = published_projects(client, 2)
    add_slot(client, number, first, day_ahead())
    add_slot(client, number, second, day_ahead() + dt.timedelta(minutes=30))
    sec = auth(client, SECRETARIAT)
    api = client.get(f"{API}/{number}/suggestions/enterprises", headers=sec).json()
    assert api["items"], "the demo has needs matching the TCM projects"
    org = api["items"][0]["organization"]
    sign_in(client, SECRETARIAT)
    work = client.get(f"/admin/roadshows/{number}?lang=en", headers=HTML).text
    block = work.split(f'<li id="organisation-{org["id"]}">')[1].split("\n    </li>")[0]
    assert f'name="organization_id" value="{org["id"]}"' in block
    for need in api["items"][0]["needs"]:
        assert f'href="/needs/{need["need_id"]}"' in block
    invited = post(
        client,
        f"/admin/roadshows/{number}/invitations?lang=en",
        work,
        organization_id=str(org["id"]),
        message="欢迎贵司参加",
    )
    assert invited.status_code == 303, invited.text
    after = client.get(f"{invited.headers['location'].split('#')[0]}&lang=en", headers=HTML).text
    assert "is invited." in after
    block = after.split(f'<li id="organisation-{org["id"]}">')[1].split("\n    </li>")[0]
    assert "Invited: not answered yet" in block
    assert 'name="organization_id"' not in block
    sent = client.get(f"{API}/{number}/invitations", headers=sec).json()["items"]
    assert [(i["organization"]["id"], i["status"], i["message"]) for i in sent] == [
        (org["id"], "invited", "欢迎贵司参加")
    ]
    # Twice is refused, as the API refuses it.
    again = post(
        client,
        f"/admin/roadshows/{number}/invitations?lang=en",
        work,
        organization_id=str(org["id"]),
    )
    assert again.status_code == 409
    assert "This organisation is invited already." in again.text


def test_a_draft_sends_no_invitations(client: TestClient) -> None:
    number = create(client)
    sign_in(client, SECRETARIAT)
    work = client.get(f"/admin/roadshows/{number}?lang=en", headers=HTML).text
    assert "Invitations go out once the roadshow is published." in work
    assert 'name="organization_id"' not in work


# --- check-in at the door ---


def test_check_in_marks_the_registration_and_shows_the_time(client: TestClient) -> None:
    number = roadshow_id(client, HENGQIN)
    sec = auth(client, SECRETARIAT)
    registrations = client.get(f"{API}/{number}/registrations", headers=sec).json()
    person = next(r for r in registrations["items"] if r["status"] == "confirmed")
    waiting = next(r for r in registrations["items"] if r["status"] == "waitlisted")
    sign_in(client, SECRETARIAT)
    page = client.get(f"/admin/roadshows/{number}/check-in?lang=en", headers=HTML).text
    counts = registrations["counts"]
    assert f"Checked in: {counts['checked_in']} of {counts['confirmed']} confirmed" in page
    found = client.get(
        f"/admin/roadshows/{number}/check-in",
        params={"q": person["full_name"], "lang": "en"},
        headers=HTML,
    ).text
    assert f'id="registration-{person["id"]}"' in found
    assert found.count('class="rs-checkin-item') == 1
    # By organisation, and a Traditional spelling finds the Simplified name too.
    org = person["organization"]["name"]
    by_org = client.get(
        f"/admin/roadshows/{number}/check-in", params={"q": org[:4]}, headers=HTML
    ).text
    assert f'id="registration-{person["id"]}"' in by_org
    done = post(
        client,
        f"/admin/roadshows/{number}/check-in/{person['id']}",
        found,
        q=person["full_name"],
    )
    assert done.status_code == 303
    location = done.headers["location"]
    assert location.startswith(f"/admin/roadshows/{number}/check-in?q=")
    assert f"checked={person['id']}" in location
    item = next(
        r
        for r in client.get(f"{API}/{number}/registrations", headers=sec).json()["items"]
        if r["id"] == person["id"]
    )
    assert item["checked_in_at"] is not None
    at = dt.datetime.fromisoformat(item["checked_in_at"]).astimezone(SHANGHAI).strftime("%H:%M")
    after = client.get(f"{location.split('#')[0]}&lang=en", headers=HTML).text
    assert f"{person['full_name']} checked in at {at}." in after
    assert f"Checked in at {at}" in after
    assert f"Checked in: {counts['checked_in'] + 1} of {counts['confirmed']} confirmed" in after
    # The waitlist cannot check in: said so, and no button for it.
    listed = client.get(f"/admin/roadshows/{number}/check-in?lang=en", headers=HTML).text
    assert f'action="/admin/roadshows/{number}/check-in/{waiting["id"]}"' not in listed
    refused = post(client, f"/admin/roadshows/{number}/check-in/{waiting['id']}?lang=en", listed)
    assert refused.status_code == 409
    assert "only confirmed registrants check in" in refused.text


# --- outcome and exports ---


def numbers(html: str, table: str) -> dict[str, str]:
    part = html.split(f'id="{table}"')[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row">(.*?)</th><td class="num">(.*?)</td>', part)
    return {html_lib.unescape(k): html_lib.unescape(v) for k, v in rows}


def test_the_outcome_page_shows_the_apis_numbers(client: TestClient) -> None:
    number = roadshow_id(client, SHENZHEN)
    api = client.get(f"{API}/{number}/outcome", headers=auth(client, SECRETARIAT)).json()
    sign_in(client, SECRETARIAT)
    page = client.get(f"/admin/roadshows/{number}/outcome?lang=en", headers=HTML)
    assert page.status_code == 200
    attendance = numbers(page.text, "attendance")
    a = api["attendance"]
    assert attendance["Seats"] == f"{a['capacity']:,}"
    assert attendance["Confirmed"] == str(a["confirmed"])
    assert attendance["Checked in"] == str(a["checked_in"])
    assert attendance["Cancelled"] == str(a["cancelled"])
    assert attendance["Attendance rate (checked in ÷ confirmed)"] == f"{a['rate'] * 100:g}%"
    invitations = numbers(page.text, "invitations")
    i = api["invitations"]
    assert (invitations["Sent"], invitations["Accepted"], invitations["Declined"]) == (
        str(i["sent"]),
        str(i["accepted"]),
        str(i["declined"]),
    )
    assert invitations["Not answered yet"] == str(i["pending"])
    stages = numbers(page.text, "stages")
    labels = {"new": "New", "contacted": "Contacted", "negotiating": "Negotiating"}
    labels |= {"signed": "Signed", "landed": "Landed", "closed": "Closed"}
    for stage, count in api["leads"]["by_stage"].items():
        assert stages[labels[stage]] == str(count)
    assert stages["All leads"] == str(api["leads"]["total"])
    assert stages["Amount landed"] == f"{api['leads']['landed_amount_wan']:,g} 万元"
    projects = page.text.split('id="projects"')[1]
    rows = re.findall(r'<a href="/projects/(\d+)">.*?<td class="num">(\d+)</td>', projects, re.S)
    assert [(int(p), int(n)) for p, n in rows] == [
        (p["project_id"], p["interest"]) for p in api["projects"]
    ]
    for p in api["projects"]:
        for lead in p["leads"]:
            assert f'href="/admin/leads/{lead["lead_id"]}"' in projects


def test_the_exports_are_the_apis_bytes(client: TestClient) -> None:
    number = roadshow_id(client, HENGQIN)
    sec = auth(client, SECRETARIAT)
    sign_in(client, SECRETARIAT)
    work = client.get(f"/admin/roadshows/{number}?lang=en", headers=HTML).text
    for name, media in (("attendees.csv", "text/csv"), ("agenda.ics", "text/calendar")):
        assert f'href="/admin/roadshows/{number}/{name}"' in work
        mine = client.get(f"/admin/roadshows/{number}/{name}")
        assert mine.status_code == 200
        assert mine.headers["content-type"].startswith(media)
        assert "attachment" in mine.headers["content-disposition"]
        theirs = client.get(f"{API}/{number}/{name}", headers=sec)
        if name == "agenda.ics":  # DTSTAMP is the time of the download
            strip = re.compile(rb"DTSTAMP:[0-9TZ]+\r\n")
            assert strip.sub(b"", mine.content) == strip.sub(b"", theirs.content)
        else:
            assert mine.content == theirs.content
    # The API itself does not take the site's cookie: that is why these are served here.
    assert client.get(f"{API}/{number}/attendees.csv").status_code == 401


def test_the_public_roadshow_links_the_secretariat_to_its_working_page(client: TestClient) -> None:
    number = roadshow_id(client, HENGQIN)
    sign_in(client, SECRETARIAT)
    page = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert f'href="/admin/roadshows/{number}"' in page
    client.cookies.clear()
    assert f'href="/admin/roadshows/{number}"' not in client.get(f"/roadshows/{number}").text
