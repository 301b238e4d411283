"""The secretariat's leads board, numbers, accounts and organisations in a real headless
Chromium: every page in the three languages at 1440 and 390 px (axe-core, no sideways
scrolling, no console error), a lead moved through its form with the keyboard alone, and
screenshots of the board and the numbers (into docs/screenshots/ with KETAO_SCREENSHOTS=1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.config import REPO_ROOT
from tests.fixtures.accounts import PASSWORDS, SECRETARIAT
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

pytestmark = needs_browser

PAGES = (
    "/admin/leads",
    "/admin/leads/1",
    "/admin/stats",
    "/admin/accounts",
    "/admin/organizations",
)
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"


def _sign_in(browser: WebDriver, base_url: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{base_url}/login?lang=en")
    browser.find_element(By.ID, "f-email").send_keys(SECRETARIAT)
    browser.find_element(By.ID, "f-password").send_keys(PASSWORDS[SECRETARIAT], Keys.ENTER)
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".account button"))


@pytest.mark.parametrize("lang", LANGS)
def test_every_admin_page_passes_axe_and_fits_a_phone(
    browser: WebDriver, base_url: str, lang: str
) -> None:
    _sign_in(browser, base_url)
    for width in WIDTHS:
        viewport(browser, width)
        for path in PAGES:
            check_page(browser, f"{base_url}{path}", lang)


def _column_of(browser: WebDriver, lead_id: str) -> str:
    card = browser.find_element(By.ID, f"lead-{lead_id}")
    column = card.find_element(By.XPATH, "ancestor::section[1]")
    return column.get_attribute("aria-labelledby") or ""


def test_moving_a_lead_with_the_keyboard_alone(browser: WebDriver, base_url: str) -> None:
    _sign_in(browser, base_url)
    viewport(browser, 390)
    browser.get(f"{base_url}/admin/leads?lang=en")
    card = browser.find_element(By.CSS_SELECTOR, "#col-new ~ ol .lead-card")
    lead_id = (card.get_attribute("id") or "").removeprefix("lead-")
    summary = card.find_element(By.CSS_SELECTOR, ".move summary")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    for _ in range(200):  # Tab from the top of the page to the card's "Move"
        if browser.switch_to.active_element == summary:
            break
        browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element == summary
    summary.send_keys(Keys.ENTER)  # opens the form
    summary.send_keys(Keys.TAB)
    stage = browser.switch_to.active_element
    assert stage.get_attribute("id") == f"m{lead_id}-stage"
    assert stage.get_attribute("value") == "contacted"  # the next stage comes first
    stage.send_keys(Keys.TAB)
    note = browser.switch_to.active_element
    assert note.get_attribute("id") == f"m{lead_id}-note"
    note.send_keys("Called the buyer", Keys.TAB)
    button = browser.switch_to.active_element
    assert button.tag_name == "button"
    button.send_keys(Keys.ENTER)
    wait(browser).until(lambda d: f"moved={lead_id}" in d.current_url)
    assert _column_of(browser, lead_id) == "col-contacted"
    assert "The lead was moved." in browser.find_element(By.CSS_SELECTOR, ".notice").text
    browser.get(f"{base_url}/admin/leads/{lead_id}?lang=en")
    assert "Called the buyer" in browser.find_element(By.CSS_SELECTOR, ".history").text


def test_the_board_and_the_numbers_render_whole_at_both_widths(
    browser: WebDriver, base_url: str, tmp_path: Path
) -> None:
    """Full-page screenshots; with KETAO_SCREENSHOTS=1 into docs/screenshots/, otherwise into
    a temporary folder (KETAO_SCREENSHOTS_DIR names another), only checked."""
    named = os.environ.get("KETAO_SCREENSHOTS_DIR")
    folder = SCREENSHOTS if os.environ.get("KETAO_SCREENSHOTS") else Path(named or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    _sign_in(browser, base_url)
    for name, path in (("admin-leads", "/admin/leads"), ("admin-stats", "/admin/stats")):
        for lang in ("zh-Hans", "en"):
            for width in (390, 1440):
                viewport(browser, width)
                browser.get(f"{base_url}{path}?lang={lang}")
                height = browser.execute_script("return document.documentElement.scrollHeight")
                viewport(browser, width, int(height))
                target = folder / f"{name}-{lang}-{width}.jpg"
                screenshot(browser, target)
                assert target.stat().st_size > 10_000  # a page, not a blank
