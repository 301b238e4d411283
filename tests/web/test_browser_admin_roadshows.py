"""The secretariat's roadshow pages in a real headless Chromium: the list, the new-roadshow form,
the working page, check-in at the door and the outcome in the three languages at a desktop's and
a phone's width (axe-core, no sideways scrolling, no console error), and checking a registrant in
at the door with the keyboard alone on a phone.

Skipped, saying why, where no Chromium and chromedriver are installed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.request import Request, urlopen

import pytest

from app.config import REPO_ROOT
from tests.web.browser import (
    LANGS,
    SELENIUM,
    WIDTHS,
    check_page,
    console_errors,
    needs_browser,
    screenshot,
    serious_violations,
    viewport,
    wait,
)

if SELENIUM:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.remote.webdriver import WebDriver

pytestmark = needs_browser

HENGQIN = "横琴中医药与大健康专场路演"  # published, full, one on the waitlist
SHENZHEN = "深圳集成电路与第三代半导体专场路演"  # held, with leads
SECRETARIAT = "secretariat@ketao.local"
PASSWORD = "ketao-demo-secretariat"


def api(base_url: str, path: str) -> dict[str, object]:
    """A GET of the API as the secretariat (a bearer token, as the API wants)."""
    body = f"username={SECRETARIAT}&password={PASSWORD}".encode()
    with urlopen(f"{base_url}/api/v1/auth/token", data=body) as response:  # noqa: S310 - local
        token = json.loads(response.read())["access_token"]
    request = Request(f"{base_url}{path}", headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urlopen(request) as response:  # noqa: S310 - the served test app
        found: dict[str, object] = json.loads(response.read())
    return found


def roadshow_id(base_url: str, title_zh: str) -> int:
    items = api(base_url, "/api/v1/roadshows?per_page=100")["items"]
    return next(int(r["id"]) for r in items if r["title_zh"] == title_zh)  # type: ignore[attr-defined]


def sign_in(browser: WebDriver, base_url: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{base_url}/login?lang=en")
    browser.find_element(By.ID, "f-email").send_keys(SECRETARIAT)
    browser.find_element(By.ID, "f-password").send_keys(PASSWORD, Keys.ENTER)
    wait(browser).until(lambda d: "/login" not in d.current_url)


@pytest.mark.parametrize("lang", LANGS)
def test_the_roadshow_workspace_passes_axe_and_fits_a_phone(
    browser: WebDriver, base_url: str, lang: str
) -> None:
    sign_in(browser, base_url)
    published = roadshow_id(base_url, HENGQIN)
    held = roadshow_id(base_url, SHENZHEN)
    pages = (
        "/admin/roadshows",
        "/admin/roadshows/new",
        f"/admin/roadshows/{published}",
        f"/admin/roadshows/{published}/edit",
        f"/admin/roadshows/{published}/check-in",
        f"/admin/roadshows/{held}",
        f"/admin/roadshows/{held}/outcome",
    )
    for width in WIDTHS:
        viewport(browser, width)
        for path in pages:
            check_page(browser, f"{base_url}{path}", lang)
        # The working page's lineup, suggestions and check-in buttons are there to be checked.
        browser.get(f"{base_url}/admin/roadshows/{published}?lang={lang}")
        assert browser.find_elements(By.CSS_SELECTOR, ".rs-agenda .slot")
        assert browser.find_elements(By.CSS_SELECTOR, ".rs-suggestions > li")


def tab_to(browser: WebDriver, found: object, limit: int = 80) -> None:
    """Press Tab until ``found(active element)`` is true."""
    for _ in range(limit):
        if found(browser.switch_to.active_element):  # type: ignore[operator]
            return
        browser.switch_to.active_element.send_keys(Keys.TAB)
    raise AssertionError("the keyboard never reached it")


def test_checking_in_at_the_door_with_the_keyboard_on_a_phone(
    browser: WebDriver, base_url: str
) -> None:
    sign_in(browser, base_url)
    viewport(browser, 390)
    number = roadshow_id(base_url, HENGQIN)
    registrations = api(base_url, f"/api/v1/roadshows/{number}/registrations")["items"]
    person = next(r for r in registrations if r["status"] == "confirmed")  # type: ignore[attr-defined]
    name = person["full_name"]
    browser.get(f"{base_url}/admin/roadshows/{number}/check-in?lang=en")
    console_errors(browser)  # forget what earlier pages left in the log
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    tab_to(browser, lambda e: e.get_attribute("id") == "f-q")
    browser.switch_to.active_element.send_keys(name, Keys.ENTER)
    wait(browser).until(lambda d: "q=" in d.current_url)
    items = browser.find_elements(By.CSS_SELECTOR, ".rs-checkin-item")
    assert len(items) == 1
    assert name in items[0].text
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    tab_to(browser, lambda e: e.tag_name == "button" and e.text.startswith("Check in"))
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait(browser).until(lambda d: "checked=" in d.current_url)
    notice = browser.find_element(By.CSS_SELECTOR, ".rs-checkin-notice").text
    assert notice.startswith(f"{name} checked in at ")
    assert "Checked in at" in browser.find_element(By.CSS_SELECTOR, ".rs-checkin-item").text
    assert browser.find_element(By.ID, "f-q").get_attribute("value") == name  # search kept
    assert serious_violations(browser) == []
    assert console_errors(browser) == []
    checked = api(base_url, f"/api/v1/roadshows/{number}/registrations")["items"]
    mine = next(r for r in checked if r["id"] == person["id"])  # type: ignore[attr-defined]
    assert mine["checked_in_at"]


def test_screenshots_of_the_working_page_and_check_in(
    browser: WebDriver, base_url: str, tmp_path: Path
) -> None:
    """Full-page screenshots: into docs/screenshots/ with KETAO_SCREENSHOTS=1, else tmp."""
    folder = REPO_ROOT / "docs" / "screenshots" if os.environ.get("KETAO_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    sign_in(browser, base_url)
    number = roadshow_id(base_url, HENGQIN)
    shots = (
        ("work", f"/admin/roadshows/{number}", 1440),
        ("check-in", f"/admin/roadshows/{number}/check-in", 390),
        ("outcome", f"/admin/roadshows/{roadshow_id(base_url, SHENZHEN)}/outcome", 1440),
    )
    for name, path, width in shots:
        for lang in ("zh-Hans", "en"):
            viewport(browser, width)
            browser.get(f"{base_url}{path}?lang={lang}")
            height = browser.execute_script("return document.documentElement.scrollHeight")
            viewport(browser, width, min(int(height), 6000))
            target = folder / f"admin-roadshow-{name}-{lang}-{width}.jpg"
            screenshot(browser, target)
            assert target.stat().st_size > 10_000
