"""The roadshow pages over HTTP: the upcoming and past lists as the API answers them, with
filters; a roadshow's lineup in Asia/Shanghai time in each script; an enterprise registering,
waiting, cancelling (the waitlist moves up), answering an invitation; refusals for the wrong
persona, a held roadshow, a forged form; drafts hidden from the public."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import opencc
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Organization
from tests.fixtures.accounts import ENTERPRISE, OTHER_ENTERPRISE, OWNER, SECRETARIAT, auth
from tests.web.helpers import HTML, csrf

API = "/api/v1/roadshows"
SHANGHAI = ZoneInfo("Asia/Shanghai")
HENGQIN = "横琴中医药与大健康专场路演"
SHENZHEN = "深圳集成电路与第三代半导体专场路演"
DEMO_PASSWORD = "ketao-demo-enterprise"
GZAUTO = "contact.gzauto@demo.ketao.local"  # an enterprise with no registration for Hengqin
GZMEDICAL = "contact.gzmedical@demo.ketao.local"  # registered; its organisation invited
PASSWORDS = {
    GZAUTO: DEMO_PASSWORD,
    GZMEDICAL: DEMO_PASSWORD,
    ENTERPRISE: DEMO_PASSWORD,
    OTHER_ENTERPRISE: DEMO_PASSWORD,
    OWNER: "ketao-demo-researcher",
    SECRETARIAT: "ketao-demo-secretariat",
}


def sign_in(client: TestClient, email: str) -> None:
    client.cookies.clear()
    token = csrf(client.get("/login", headers=HTML).text)
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORDS[email], "next": "/", "csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def roadshow_id(client: TestClient, title_zh: str) -> int:
    items = client.get(API, params={"per_page": 100}).json()["items"]
    return next(int(r["id"]) for r in items if r["title_zh"] == title_zh)


def card_links(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<h3><a href="/roadshows/(\d+)">', html)]


def post(client: TestClient, path: str, page: str, **data: str) -> Any:
    return client.post(
        path, data={**data, "csrf_token": csrf(page)}, headers=HTML, follow_redirects=False
    )


def create(client: TestClient, *, status: str | None = "published", **fields: Any) -> int:
    """A roadshow planned through the API, in a month's time, with two seats."""
    day = (dt.datetime.now(SHANGHAI) + dt.timedelta(days=30)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    body = {
        "title_zh": "网页测试专场路演",
        "title_en": "Web test roadshow",
        "industries": ["1.2"],
        "city": "shenzhen",
        "venue": "深圳会展中心 5 号馆",
        "starts_at": day.isoformat(),
        "ends_at": (day + dt.timedelta(hours=3)).isoformat(),
        "capacity": 2,
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


# --- the lists ---


@pytest.mark.parametrize("when", ["upcoming", "past"])
def test_the_lists_are_the_apis(client: TestClient, when: str) -> None:
    api = client.get(API, params={"when": when}).json()
    html = client.get(f"/roadshows?when={when}&lang=en", headers=HTML).text
    assert card_links(html) == [r["id"] for r in api["items"]]
    assert api["items"], "the demo has upcoming and past roadshows"
    assert f"Roadshows found: {api['total']}" in html
    heading = "Upcoming roadshows" if when == "upcoming" else "Past roadshows"
    assert f"<h1>{heading}</h1>" in html
    assert f'href="/roadshows?when={when}" aria-current="page"' in html


def test_upcoming_is_the_default_and_past_is_a_link(client: TestClient) -> None:
    upcoming = client.get(API, params={"when": "upcoming"}).json()
    html = client.get("/roadshows?lang=en", headers=HTML).text
    assert card_links(html) == [r["id"] for r in upcoming["items"]]
    assert 'href="/roadshows?when=past"' in html


@pytest.mark.parametrize(
    ("when", "params"),
    [
        ("past", {"city": "shenzhen"}),
        ("upcoming", {"city": "hengqin"}),
        ("upcoming", {"city": "foshan"}),
        ("past", {"industry": "2"}),
        ("upcoming", {"industry": "4.1"}),
    ],
)
def test_filters_are_the_apis(client: TestClient, when: str, params: dict[str, str]) -> None:
    api = client.get(API, params={"when": when, **params}).json()
    html = client.get("/roadshows", params={"when": when, **params, "lang": "en"}, headers=HTML)
    assert html.status_code == 200
    assert card_links(html.text) == [r["id"] for r in api["items"]]
    (value,) = params.values()
    assert f'<option value="{value}" selected>' in html.text
    # The filter in use is a link that drops it, keeping upcoming / past.
    assert f'href="/roadshows?when={when}" class="chip"' in html.text


def test_a_filter_form_that_works_without_script(client: TestClient) -> None:
    html = client.get("/roadshows?when=past&lang=en", headers=HTML).text
    form = html.split('<form class="roadshow-filters"')[1].split("</form>")[0]
    assert 'method="get" action="/roadshows"' in form
    assert '<input type="hidden" name="when" value="past">' in form
    assert '<label for="f-city">' in form
    assert '<label for="f-industry">' in form


@pytest.mark.parametrize("query", ["city=paris", "industry=99", "when=soon", "page=0", "page=x"])
def test_a_bad_value_is_named_never_a_500(client: TestClient, query: str) -> None:
    response = client.get(f"/roadshows?{query}&lang=en", headers=HTML)
    assert response.status_code == 422
    assert "Part of this search could not be used and was left out:" in response.text
    assert "Roadshows found:" in response.text


def test_the_list_says_where_when_and_how_full(client: TestClient) -> None:
    number = roadshow_id(client, HENGQIN)
    html = client.get("/roadshows?when=upcoming&city=hengqin&lang=en", headers=HTML).text
    card = html.split(f'href="/roadshows/{number}"')[1].split("</article>")[0]
    assert "Hengqin roadshow: traditional Chinese medicine and health" in card
    assert "14:30–17:00" in card
    assert "Guangdong–Macao In-Depth Cooperation Zone in Hengqin" in card
    assert '<span lang="zh-Hans">横琴粤澳深度合作区 中医药科技产业园 国际交流中心</span>' in card
    assert "Biomedicine" in card  # its theme industry, 4.1
    assert "Full: join the waitlist" in card
    assert "1 on the waitlist" in card
    past = client.get("/roadshows?when=past&lang=en", headers=HTML).text
    assert "<strong>Held</strong>" in past


def test_pagination(client: TestClient) -> None:
    for n in range(21):
        create(client, title_zh=f"分页测试路演{n}", title_en=f"Paging test {n}")
    api = client.get(API, params={"when": "upcoming", "page": 2}).json()
    first = client.get("/roadshows?lang=en", headers=HTML).text
    assert 'href="/roadshows?when=upcoming&amp;page=2" rel="next"' in first
    second = client.get("/roadshows?when=upcoming&page=2&lang=en", headers=HTML).text
    assert card_links(second) == [r["id"] for r in api["items"]]
    assert 'rel="prev"' in second
    assert "Page 2 of 2" in second


# --- one roadshow ---


def test_the_hengqin_lineup_in_order_in_shanghai_time(client: TestClient) -> None:
    number = roadshow_id(client, HENGQIN)
    api = client.get(f"{API}/{number}").json()
    assert len(api["slots"]) == 5
    html = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    lineup = html.split('id="lineup"')[1].split("</section>")[0]
    links = re.findall(r'<h3><a href="/projects/(\d+)">', lineup)
    assert links == [str(s["project_id"]) for s in api["slots"]]
    clock = re.findall(r"<time datetime=\"([^\"]+)\">(\d\d:\d\d)</time>", lineup)
    for slot in api["slots"]:
        starts = dt.datetime.fromisoformat(slot["starts_at"]).astimezone(SHANGHAI)
        assert (slot["starts_at"], starts.strftime("%H:%M")) in clock
    assert [t for _, t in clock][:2] == ["14:40", "15:00"]
    assert "15:40</time>–<time" in lineup  # the gap before 15:55
    assert "Break" in lineup
    assert 'Presenter: <span lang="zh-Hans">广州中医药大学</span>' in lineup
    assert "Times are China Standard Time (UTC+8)." in html
    assert "Seats left: 0 of 6" in html
    assert "1 on the waitlist" in html
    # Hong Kong readers see the afternoon as their locale writes it.
    hant = client.get(f"/roadshows/{number}?lang=zh-Hant", headers=HTML).text
    assert "下午2:40" in hant.split('id="lineup"')[1]


def test_add_to_calendar_is_the_apis_agenda(client: TestClient) -> None:
    number = roadshow_id(client, HENGQIN)
    html = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    link = f"/api/v1/roadshows/{number}/agenda.ics"
    assert f'href="{link}">Add to calendar</a>' in html
    ics = client.get(link)
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")


def test_each_language_in_its_own_script(client: TestClient) -> None:
    number = roadshow_id(client, HENGQIN)
    s2hk = opencc.OpenCC("s2hk")
    hans = client.get(f"/roadshows/{number}?lang=zh-Hans", headers=HTML).text
    assert f"<h1>{HENGQIN}</h1>" in hans
    assert "横琴粤澳深度合作区" in hans
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 14:30–17:00", hans)
    hant = client.get(f"/roadshows/{number}?lang=zh-Hant", headers=HTML).text
    assert f"<h1>{s2hk.convert(HENGQIN)}</h1>" in hant
    assert s2hk.convert("横琴粤澳深度合作区 中医药科技产业园") in hant
    assert HENGQIN not in hant.split("<main")[1].split('class="other-title"')[0]
    en = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert "<h1>Hengqin roadshow: traditional Chinese medicine and health</h1>" in en
    assert f'<p class="other-title" lang="zh-Hans">{HENGQIN}</p>' in en
    listing = client.get("/roadshows?lang=zh-Hant", headers=HTML).text
    assert s2hk.convert(HENGQIN) in listing
    assert "<h1>即將舉行的路演</h1>" in listing
    assert "下午2:30–下午5:00" in listing


def test_structured_data_is_an_event(client: TestClient) -> None:
    number = roadshow_id(client, HENGQIN)
    html = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block
    data = json.loads(block.group(1))
    assert data["@type"] == "Event"
    assert data["startDate"].endswith("+08:00")
    assert data["url"] == f"http://127.0.0.1:8000/roadshows/{number}"
    assert f'<link rel="canonical" href="http://127.0.0.1:8000/roadshows/{number}">' in html


def test_a_draft_is_a_404_except_for_the_secretariat(client: TestClient) -> None:
    number = create(client, status=None, title_zh="未发布的草稿路演")
    assert client.get(f"/roadshows/{number}", headers=HTML).status_code == 404
    assert "未发布的草稿路演" not in client.get("/roadshows", headers=HTML).text
    sign_in(client, ENTERPRISE)
    assert client.get(f"/roadshows/{number}", headers=HTML).status_code == 404
    page = client.get("/roadshows?lang=en", headers=HTML).text
    refused = post(client, f"/roadshows/{number}/registration", page)
    assert refused.status_code == 404
    sign_in(client, SECRETARIAT)
    seen = client.get(f"/roadshows/{number}?lang=en", headers=HTML)
    assert seen.status_code == 200
    assert "Draft: only the secretariat sees it" in seen.text
    assert "application/ld+json" not in seen.text  # not announced to search engines


@pytest.mark.parametrize("path", ["/roadshows/abc", "/roadshows/0", "/roadshows/99999999999"])
def test_no_such_roadshow_is_the_sites_404(client: TestClient, path: str) -> None:
    response = client.get(f"{path}?lang=en", headers=HTML)
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]


# --- registration ---


def test_a_stranger_is_asked_to_sign_in(client: TestClient) -> None:
    number = roadshow_id(client, HENGQIN)
    html = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert f'href="/login?next=/roadshows/{number}">Sign in to register</a>' in html
    assert f'action="/roadshows/{number}/registration"' not in html


def test_an_enterprise_joins_the_waitlist(client: TestClient) -> None:
    number = roadshow_id(client, HENGQIN)
    sign_in(client, GZAUTO)
    page = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert "The roadshow is full: you will be number 2 on the waitlist." in page
    assert '<label for="f-note">Note for the secretariat' in page
    sent = post(client, f"/roadshows/{number}/registration", page, note="Two engineers")
    assert sent.status_code == 303
    assert sent.headers["location"] == (
        f"/roadshows/{number}?notice=registration-waitlisted#registration"
    )
    after = client.get(
        f"/roadshows/{number}?notice=registration-waitlisted&lang=en", headers=HTML
    ).text
    assert "The roadshow is full: you are on the waitlist." in after
    assert "You are on the waitlist: number 2." in after
    assert "Cancel my registration" in after
    assert client.get(f"{API}/{number}").json()["waitlisted"] == 2
    again = post(client, f"/roadshows/{number}/registration", after)
    assert again.status_code == 409
    assert "You are already registered for this roadshow." in again.text


def test_an_enterprise_gets_a_seat_and_cancels_it(client: TestClient) -> None:
    number = create(client)
    sign_in(client, GZAUTO)
    page = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert "Seats left: 2 of 2" in page
    sent = post(client, f"/roadshows/{number}/registration", page)
    assert sent.headers["location"].endswith("notice=registration-confirmed#registration")
    after = client.get(f"/roadshows/{number}?notice=registration-confirmed&lang=en", headers=HTML)
    assert "You are registered: your seat is confirmed." in after.text
    assert "Your seat is confirmed." in after.text
    assert "Seats left: 1 of 2" in after.text
    cancelled = post(client, f"/roadshows/{number}/registration/cancel", after.text)
    assert cancelled.status_code == 303
    assert "notice=registration-cancelled" in cancelled.headers["location"]
    final = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert "Seats left: 2 of 2" in final
    assert f'action="/roadshows/{number}/registration"' in final
    nothing = post(client, f"/roadshows/{number}/registration/cancel", final)
    assert nothing.status_code == 404
    assert "You have no registration for this roadshow." in nothing.text


def test_cancelling_seats_the_first_on_the_waitlist(client: TestClient) -> None:
    number = roadshow_id(client, HENGQIN)
    before = client.get(f"{API}/{number}", headers=auth(client, OTHER_ENTERPRISE)).json()
    assert before["my_registration"]["status"] == "waitlisted"
    sign_in(client, ENTERPRISE)
    page = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert "Your seat is confirmed." in page
    cancelled = post(client, f"/roadshows/{number}/registration/cancel", page)
    assert cancelled.status_code == 303
    after = client.get(f"{API}/{number}", headers=auth(client, OTHER_ENTERPRISE)).json()
    assert after["my_registration"]["status"] == "confirmed"  # as the API promotes
    assert after["waitlisted"] == 0
    mine = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert "Your registration is cancelled." not in mine  # no notice without the redirect
    assert f'action="/roadshows/{number}/registration"' in mine
    sign_in(client, OTHER_ENTERPRISE)
    theirs = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert "Your seat is confirmed." in theirs


def test_a_form_without_its_token_is_refused(client: TestClient) -> None:
    number = roadshow_id(client, HENGQIN)
    sign_in(client, GZAUTO)
    for path in ("registration", "registration/cancel", "invitation"):
        refused = client.post(
            f"/roadshows/{number}/{path}?lang=en",
            data={"answer": "accepted"},
            headers=HTML,
            follow_redirects=False,
        )
        assert refused.status_code == 403
        assert "text/html" in refused.headers["content-type"]
    assert client.get(f"{API}/{number}").json()["waitlisted"] == 1


@pytest.mark.parametrize("email", [OWNER, SECRETARIAT])
def test_registration_is_for_enterprises(client: TestClient, email: str) -> None:
    number = roadshow_id(client, HENGQIN)
    sign_in(client, email)
    page = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert "Registration is for enterprise accounts." in page
    assert f'action="/roadshows/{number}/registration"' not in page
    refused = post(client, f"/roadshows/{number}/registration", page)
    assert refused.status_code == 403
    assert 'role="alert"' in refused.text
    assert "Registration is for enterprise accounts." in refused.text
    assert client.get(f"{API}/{number}").json()["waitlisted"] == 1


def test_a_held_roadshow_refuses_registration_with_a_message(client: TestClient) -> None:
    number = roadshow_id(client, SHENZHEN)
    sign_in(client, GZAUTO)
    page = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert "This roadshow has been held: registration is closed." in page
    assert f'action="/roadshows/{number}/registration"' not in page
    refused = post(client, f"/roadshows/{number}/registration", page)
    assert refused.status_code == 409
    assert "This roadshow has been held: registration is closed." in refused.text
    zh = post(client, f"/roadshows/{number}/registration?lang=zh-Hans", page)
    assert zh.status_code == 409
    assert "This roadshow" not in zh.text


def test_a_closed_roadshow_says_so(client: TestClient) -> None:
    number = create(client)
    client.patch(f"{API}/{number}", json={"status": "closed"}, headers=auth(client, SECRETARIAT))
    sign_in(client, GZAUTO)
    page = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert "Registration for this roadshow is closed." in page
    refused = post(client, f"/roadshows/{number}/registration", page)
    assert refused.status_code == 409
    assert "Registration for this roadshow is closed." in refused.text


def test_a_stranger_posting_is_sent_to_sign_in(client: TestClient) -> None:
    number = roadshow_id(client, HENGQIN)
    page = client.get("/login", headers=HTML).text
    response = post(client, f"/roadshows/{number}/registration", page)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=%2Froadshows%2F{number}"


def test_next_brings_the_reader_back_to_this_site_only(client: TestClient) -> None:
    number = create(client)
    sign_in(client, GZAUTO)
    page = client.get(f"/roadshows/{number}", headers=HTML).text
    sent = post(client, f"/roadshows/{number}/registration", page, next="/me?tab=roadshows")
    assert sent.headers["location"] == "/me?tab=roadshows&notice=registration-confirmed"
    away = post(client, f"/roadshows/{number}/registration/cancel", page, next="//evil.example")
    assert away.headers["location"] == (
        f"/roadshows/{number}?notice=registration-cancelled#registration"
    )


def test_a_note_that_cannot_be_stored_is_named_next_to_its_field(client: TestClient) -> None:
    number = create(client)
    sign_in(client, GZAUTO)
    page = client.get(f"/roadshows/{number}", headers=HTML).text
    refused = post(client, f"/roadshows/{number}/registration?lang=en", page, note="x" * 1001)
    assert refused.status_code == 422
    assert 'href="#f-note"' in refused.text  # the summary links the field
    assert 'id="f-note-error"' in refused.text
    assert 'aria-invalid="true"' in refused.text


# --- invitations ---


def test_an_invited_enterprise_accepts_then_declines(client: TestClient) -> None:
    number = roadshow_id(client, HENGQIN)
    sign_in(client, GZMEDICAL)
    page = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    section = page.split('id="invitation"')[1].split("</section>")[0]
    assert "Not answered yet" in section
    assert 'name="answer" value="accepted"' in section
    assert 'name="answer" value="declined"' in section
    accepted = post(client, f"/roadshows/{number}/invitation", page, answer="accepted")
    assert accepted.status_code == 303
    assert accepted.headers["location"] == (
        f"/roadshows/{number}?notice=invitation-accepted#invitation"
    )
    after = client.get(f"/roadshows/{number}?notice=invitation-accepted&lang=en", headers=HTML)
    section = after.text.split('id="invitation"')[1].split("</section>")[0]
    assert "You accepted the invitation." in section
    assert "<strong>Accepted</strong>" in section
    assert 'value="accepted"' not in section
    declined = post(client, f"/roadshows/{number}/invitation", after.text, answer="declined")
    assert declined.status_code == 303
    final = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert "<strong>Declined</strong>" in final.split('id="invitation"')[1]
    bad = post(client, f"/roadshows/{number}/invitation?lang=en", final, answer="maybe")
    assert bad.status_code == 422
    assert "Choose to accept or to decline the invitation." in bad.text


def test_accepting_an_invitation_registers_the_account(
    client: TestClient, session: Session
) -> None:
    number = roadshow_id(client, HENGQIN)
    org = session.scalar(select(Organization.id).where(Organization.name == "广州某汽车集团研究院"))
    invited = client.post(
        f"{API}/{number}/invitations",
        json={"organization_id": org, "message": "欢迎参加"},
        headers=auth(client, SECRETARIAT),
    )
    assert invited.status_code == 201, invited.text
    sign_in(client, GZAUTO)
    page = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert "欢迎参加" in page
    post(client, f"/roadshows/{number}/invitation", page, answer="accepted")
    after = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert "You are on the waitlist: number 2." in after


def test_no_invitation_and_the_wrong_persona(client: TestClient) -> None:
    number = roadshow_id(client, HENGQIN)
    sign_in(client, GZAUTO)
    page = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    assert 'id="invitation"' not in page
    none = post(client, f"/roadshows/{number}/invitation?lang=en", page, answer="accepted")
    assert none.status_code == 404
    assert "Your organisation has no invitation to this roadshow." in none.text
    sign_in(client, OWNER)
    page = client.get(f"/roadshows/{number}?lang=en", headers=HTML).text
    refused = post(client, f"/roadshows/{number}/invitation?lang=en", page, answer="accepted")
    assert refused.status_code == 403
