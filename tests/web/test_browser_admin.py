"""The secretariat's review queue, library, import and export in a real headless Chromium: every
page in the three languages at 1440 and 390 px (axe-core, no sideways scrolling, no console
error), and a reviewer approving two submissions in a row with the keyboard alone.
Screenshots go to a temporary folder (docs/screenshots/ with KETAO_SCREENSHOTS=1)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from app.config import REPO_ROOT
from tests.fixtures.accounts import OWNER, PASSWORDS, SECRETARIAT
from tests.fixtures.bodies import DRAFT
from tests.fixtures.served import bearer, call
from tests.web.browser import (
    LANGS,
    SELENIUM,
    WIDTHS,
    check_page,
    needs_browser,
    screenshot,
    viewport,
    wait,
)

if SELENIUM:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.expected_conditions import url_contains

pytestmark = needs_browser

SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"


def _api(base_url: str, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
    status, answer, _ = call(method, f"{base_url}/api/v1{path}", body, headers=headers)
    assert status < 300, answer
    return answer


def _token(base_url: str, email: str) -> dict[str, str]:
    return bearer(base_url, email, PASSWORDS[email])


def _submitted(base_url: str, title: str, **fields: Any) -> dict[str, Any]:
    owner = _token(base_url, OWNER)
    body = {**DRAFT, "title_en": title, "title_zh": f"浏览器测试：{title}", **fields}
    created = _api(base_url, "POST", "/projects", owner, body)
    project: dict[str, Any] = _api(base_url, "POST", f"/projects/{created['id']}/submit", owner)
    return project


@pytest.fixture(scope="module")
def queue(base_url: str) -> list[dict[str, Any]]:
    """Two new submissions and a revision of a published project, in the queue in that order."""
    first = _submitted(base_url, "Keyboard review one")
    second = _submitted(base_url, "Keyboard review two")
    revised = _submitted(base_url, "Revised in the browser", summary_en="A short summary.")
    sec, owner = _token(base_url, SECRETARIAT), _token(base_url, OWNER)
    path = f"/projects/{revised['id']}"
    approved = _api(base_url, "POST", f"{path}/review", sec, {"decision": "approve"})
    patch = {"version": approved["version"], "summary_en": "A longer, clearer summary.", "trl": 6}
    _api(base_url, "PATCH", path, owner, patch)
    _api(base_url, "POST", f"{path}/submit", owner)
    return [first, second, revised]


def _sign_in(browser: WebDriver, base_url: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{base_url}/login?lang=en")
    browser.find_element(By.ID, "f-email").send_keys(SECRETARIAT)
    browser.find_element(By.ID, "f-password").send_keys(PASSWORDS[SECRETARIAT], Keys.ENTER)
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".account button"))


def _pages(queue: list[dict[str, Any]]) -> list[str]:
    return [
        "/admin/review",
        f"/admin/review/{queue[0]['id']}",
        f"/admin/review/{queue[2]['id']}",  # the revision's diff
        "/admin/library",
        "/admin/library?status=submitted",
        "/admin/library/needs",
        "/admin/import",
        "/admin/export",
        "/admin/export?of=projects&status=published",
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_passes_axe_and_fits_a_phone(
    browser: WebDriver, base_url: str, queue: list[dict[str, Any]], lang: str
) -> None:
    _sign_in(browser, base_url)
    for width in WIDTHS:
        viewport(browser, width)
        for path in _pages(queue):
            check_page(browser, f"{base_url}{path}", lang)


def test_an_import_dry_run_and_its_errors_pass_axe(
    browser: WebDriver, base_url: str, tmp_path: Path
) -> None:
    _sign_in(browser, base_url)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"type": "project", "external_id": "BR-1", "title_zh": "好"}\n'
        '{"type": "project", "external_id": "BR-2", "industries": ["77.7"]}\n',
        encoding="utf-8",
    )
    for width in WIDTHS:
        viewport(browser, width)
        browser.get(f"{base_url}/admin/import?lang=zh-Hant")
        browser.find_element(By.ID, "f-file").send_keys(str(bad))
        browser.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]").click()
        wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".bad-records"))
        check_page(browser, browser.current_url, "zh-Hant", console=False)  # a 422
    good = tmp_path / "good.jsonl"
    good.write_text('{"type": "project", "external_id": "BR-3", "title_zh": "好"}\n')
    browser.get(f"{base_url}/admin/import?lang=en")
    browser.find_element(By.ID, "f-file").send_keys(str(good))
    browser.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]").click()
    wait(browser).until(lambda d: "/admin/import/" in d.current_url)
    for width in WIDTHS:
        viewport(browser, width)
        check_page(browser, browser.current_url, "en")


def _tab_to(browser: WebDriver, element_id: str, most: int) -> int:
    """Tab from the top of the page until ``element_id`` has the focus; how many Tabs."""
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("class") == "skip"
    browser.switch_to.active_element.send_keys(Keys.ENTER)  # "Skip to content"
    for count in range(1, most + 1):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        if browser.switch_to.active_element.get_attribute("id") == element_id:
            return count
    raise AssertionError(f"#{element_id} is not within {most} Tabs of the content")


def test_a_reviewer_approves_two_in_a_row_with_the_keyboard(
    browser: WebDriver, base_url: str, queue: list[dict[str, Any]]
) -> None:
    _sign_in(browser, base_url)
    viewport(browser, 1440)
    first, second = queue[0], queue[1]
    browser.get(f"{base_url}/admin/review/{first['id']}?lang=en")
    for project, following in ((first, second), (second, None)):
        tabs = _tab_to(browser, "decision-approve", 12)
        assert tabs <= 10, "the decision is a few Tabs from the content"
        radio = browser.switch_to.active_element
        assert radio.is_selected()  # "approve" is chosen first
        radio.send_keys(Keys.TAB)
        note = browser.switch_to.active_element
        assert note.get_attribute("id") == "f-note"
        note.send_keys("Complete and clear.", Keys.TAB)
        button = browser.switch_to.active_element
        assert button.get_attribute("type") == "submit"
        button.send_keys(Keys.ENTER)
        wait(browser).until(url_contains(f"decided={project['id']}"))
        notice = browser.find_element(By.CSS_SELECTOR, ".notice[role=status]").text
        assert "Approved and published" in notice
        assert "Keyboard review" in notice
        if following is not None:
            assert f"/admin/review/{following['id']}?" in browser.current_url
    sec = _token(base_url, SECRETARIAT)
    for project in (first, second):
        assert _api(base_url, "GET", f"/projects/{project['id']}", sec)["status"] == "published"


def test_screenshots_of_the_review_and_the_library(
    browser: WebDriver, base_url: str, queue: list[dict[str, Any]], tmp_path: Path
) -> None:
    folder = SCREENSHOTS if os.environ.get("KETAO_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    _sign_in(browser, base_url)
    for name, path in (
        ("admin-review", "/admin/review?"),
        ("admin-review-revision", f"/admin/review/{queue[2]['id']}?"),
        ("admin-library", "/admin/library?"),
    ):
        for lang in ("zh-Hans", "en"):
            for width in (390, 1440):
                viewport(browser, width)
                browser.get(f"{base_url}{path}lang={lang}")
                height = browser.execute_script("return document.documentElement.scrollHeight")
                viewport(browser, width, int(height))
                target = folder / f"{name}-{lang}-{width}.jpg"
                screenshot(browser, target)
                assert target.stat().st_size > 10_000
