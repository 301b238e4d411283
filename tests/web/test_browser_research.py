"""The researchers' workspace in a real headless Chromium, as the demo researcher: /me/projects,
the project form (new and edit), a project's page and /me/interest in the three languages at
1440 and 390 px (axe-core, no sideways scrolling, no console error); the form with errors; the
live checklist (a title typed, its item ticked without a reload); a draft saved by the form.

Skipped, saying why, where no Chromium and chromedriver are installed. With
``KETAO_SCREENSHOTS=1`` full-page screenshots of the pages are written to docs/screenshots/.
"""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from app.config import REPO_ROOT
from tests.fixtures.accounts import ENTERPRISE, OWNER, PASSWORDS, SECRETARIAT
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


def _call(base_url: str, path: str, body: dict[str, object] | None, email: str) -> object:
    """The JSON API as ``email`` (signed in with the OAuth2 form first)."""
    login = urllib.parse.urlencode({"username": email, "password": PASSWORDS[email]}).encode()
    with urllib.request.urlopen(f"{base_url}/api/v1/auth/token", login, timeout=30) as answer:  # noqa: S310 - our own server
        token = json.loads(answer.read())["access_token"]
    request = urllib.request.Request(  # noqa: S310 - our own server
        f"{base_url}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server
        return json.loads(response.read())


@pytest.fixture(scope="module")
def projects(base_url: str) -> dict[str, int]:
    """The demo researcher's draft, and a project of theirs published with a lead on it."""
    mine = _call(base_url, "/api/v1/me/projects", None, OWNER)
    assert isinstance(mine, dict)
    draft = next(p["id"] for p in mine["items"] if p["status"] == "draft")
    created = _call(
        base_url,
        "/api/v1/projects",
        {
            "title_zh": "城市内涝积水点毫米波雷达监测",
            "title_en": "Millimetre-wave radar monitoring of urban flooding points",
            "summary_zh": "用于城市排水管理的积水监测方案。",
            "keywords": ["内涝", "毫米波雷达", "智慧水务"],
            "industries": ["1"],
            "trl": 7,
            "transfer_modes": ["license"],
            "city": "guangzhou",
            "price_wan": 120,
        },
        OWNER,
    )
    assert isinstance(created, dict)
    published = int(created["id"])
    _call(base_url, f"/api/v1/projects/{published}/submit", {}, OWNER)
    _call(base_url, f"/api/v1/projects/{published}/review", {"decision": "approve"}, SECRETARIAT)
    _call(
        base_url,
        f"/api/v1/projects/{published}/interest",
        {"message": "我们在东莞有排水设施改造项目，想了解许可方式。"},
        ENTERPRISE,
    )
    return {"draft": int(draft), "published": published}


def _sign_in(browser: WebDriver, base_url: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{base_url}/login?lang=en")
    browser.find_element(By.ID, "f-email").send_keys(OWNER)
    browser.find_element(By.ID, "f-password").send_keys(PASSWORDS[OWNER], Keys.ENTER)
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".account button"))


@pytest.mark.parametrize("lang", LANGS)
def test_the_workspace_passes_axe_and_fits_a_phone(
    browser: WebDriver, base_url: str, projects: dict[str, int], lang: str
) -> None:
    _sign_in(browser, base_url)
    draft, published = projects["draft"], projects["published"]
    pages = (
        "/me/projects",
        "/me/projects/new",
        f"/me/projects/{draft}/edit",
        f"/me/projects/{draft}",
        f"/me/projects/{published}",
        "/me/interest",
    )
    for width in WIDTHS:
        viewport(browser, width)
        for path in pages:
            check_page(browser, f"{base_url}{path}", lang)
    browser.get(f"{base_url}/me/interest?lang={lang}")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".research-list > li")) == 1


def test_the_form_with_errors_passes_axe(browser: WebDriver, base_url: str) -> None:
    _sign_in(browser, base_url)
    for width in WIDTHS:
        viewport(browser, width)
        browser.get(f"{base_url}/me/projects/new?lang=zh-Hans")
        browser.find_element(By.ID, "f-price_wan").send_keys("很多")
        browser.find_element(By.ID, "f-patent-0-title").send_keys("没有号码的专利")
        browser.find_element(By.CSS_SELECTOR, ".research-form button[type=submit]").click()
        wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"))
        for field in ("title_zh", "price_wan", "patent-0-number"):
            assert browser.find_element(By.ID, f"f-{field}-error").is_displayed()
        assert browser.find_element(By.ID, "f-price_wan").get_attribute("value") == "很多"
        assert serious_violations(browser) == []
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0


def test_the_checklist_follows_the_typing_and_the_draft_is_saved(
    browser: WebDriver, base_url: str
) -> None:
    _sign_in(browser, base_url)
    viewport(browser, 1440)
    browser.get(f"{base_url}/me/projects/new?lang=en")
    console_errors(browser)
    browser.execute_script("window.stillHere = true")  # gone if the page reloads

    def item(name: str) -> str:
        found = browser.find_element(By.CSS_SELECTOR, f'#checklist li[data-item="{name}"]')
        return found.get_attribute("data-done") or ""

    def score() -> str:
        found = browser.find_element(By.CSS_SELECTOR, "#checklist .research-score")
        return found.get_attribute("data-score") or ""

    assert item("title_en") == "false"
    before = score()
    browser.find_element(By.ID, "f-title_en").send_keys("Wearable sweat sensor for athletes")
    wait(browser).until(lambda d: item("title_en") == "true")
    assert score() != before
    browser.find_element(By.ID, "trl-5").click()
    wait(browser).until(lambda d: item("trl") == "true")
    assert browser.execute_script("return window.stillHere") is True  # no reload
    assert browser.find_element(By.ID, "checklist").get_attribute("aria-live") == "polite"
    assert console_errors(browser) == []

    browser.find_element(By.ID, "f-title_zh").send_keys("运动员可穿戴汗液传感器", Keys.ENTER)
    wait(browser).until(lambda d: "notice=created" in d.current_url)
    assert "Your draft is saved." in browser.find_element(By.CSS_SELECTOR, ".notice").text
    browser.get(f"{base_url}/me/projects?state=draft&lang=en")
    assert "Wearable sweat sensor for athletes" in browser.find_element(By.ID, "main").text


def test_screenshots(
    browser: WebDriver, base_url: str, projects: dict[str, int], tmp_path: Path
) -> None:
    """Full pages at both widths: into docs/screenshots/ with KETAO_SCREENSHOTS=1, else tmp."""
    folder = REPO_ROOT / "docs" / "screenshots" if os.environ.get("KETAO_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    _sign_in(browser, base_url)
    for name, path in (
        ("projects", "/me/projects"),
        ("form", f"/me/projects/{projects['draft']}/edit"),
        ("project", f"/me/projects/{projects['published']}"),
        ("interest", "/me/interest"),
    ):
        for lang in ("zh-Hans", "en"):
            for width in WIDTHS:
                viewport(browser, width)
                browser.get(f"{base_url}{path}?lang={lang}")
                height = browser.execute_script("return document.documentElement.scrollHeight")
                viewport(browser, width, int(height))
                target = folder / f"research-{name}-{lang}-{width}.jpg"
                screenshot(browser, target)
                assert target.stat().st_size > 10_000
