"""The roadshow pages in a real headless Chromium: the upcoming and past lists, a published
and a held roadshow in the three languages at a desktop's and a phone's width (axe-core, no
sideways scrolling, no console error), and an enterprise signing in from a roadshow and
registering, then cancelling, with the keyboard alone.

Skipped, saying why, where no Chromium and chromedriver are installed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.request import urlopen

import pytest

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
SHENZHEN = "深圳集成电路与第三代半导体专场路演"  # completed
ATTENDEE = "contact.gzauto@demo.ketao.local"  # an enterprise not yet registered for Hengqin
PASSWORD = "ketao-demo-enterprise"


def roadshow_id(base_url: str, title_zh: str) -> int:
    with urlopen(f"{base_url}/api/v1/roadshows?per_page=100") as response:  # noqa: S310 - local
        items = json.loads(response.read())["items"]
    return next(int(r["id"]) for r in items if r["title_zh"] == title_zh)


@pytest.mark.parametrize("lang", LANGS)
def test_the_roadshow_pages_pass_axe_and_fit_a_phone(
    browser: WebDriver, base_url: str, lang: str
) -> None:
    browser.delete_all_cookies()
    published = roadshow_id(base_url, HENGQIN)
    held = roadshow_id(base_url, SHENZHEN)
    for width in WIDTHS:
        viewport(browser, width)
        for path in ("/roadshows", "/roadshows?when=past", f"/roadshows/{published}"):
            check_page(browser, f"{base_url}{path}", lang)
        check_page(browser, f"{base_url}/roadshows/{held}", lang)
        assert browser.find_elements(By.CSS_SELECTOR, ".agenda .slot")


def tab_to(browser: WebDriver, found: object, limit: int = 80) -> None:
    """Press Tab until ``found(active element)`` is true."""
    for _ in range(limit):
        if found(browser.switch_to.active_element):  # type: ignore[operator]
            return
        browser.switch_to.active_element.send_keys(Keys.TAB)
    raise AssertionError("the keyboard never reached it")


def test_an_enterprise_registers_and_cancels_with_the_keyboard(
    browser: WebDriver, base_url: str
) -> None:
    browser.delete_all_cookies()
    viewport(browser, 390)
    number = roadshow_id(base_url, HENGQIN)
    browser.get(f"{base_url}/roadshows/{number}?lang=en")
    console_errors(browser)  # read (and so forget) what earlier pages left in the log
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    tab_to(browser, lambda e: e.text == "Sign in to register")
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait(browser).until(lambda d: "/login" in d.current_url)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    tab_to(browser, lambda e: e.get_attribute("id") == "f-email")
    browser.switch_to.active_element.send_keys(ATTENDEE, Keys.TAB)
    browser.switch_to.active_element.send_keys(PASSWORD, Keys.ENTER)
    # Back at the roadshow, now with the form.
    wait(browser).until(lambda d: d.current_url.endswith(f"/roadshows/{number}"))
    assert "you will be number 2 on the waitlist" in browser.page_source
    assert serious_violations(browser) == []
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    tab_to(browser, lambda e: e.get_attribute("id") == "f-note")
    browser.switch_to.active_element.send_keys("Two engineers from our R&D centre", Keys.TAB)
    assert browser.switch_to.active_element.text == "Join the waitlist"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait(browser).until(lambda d: "notice=registration-waitlisted" in d.current_url)
    notice = browser.find_element(By.CSS_SELECTOR, "#registration [role=status]")
    assert notice.text == "The roadshow is full: you are on the waitlist."
    status = browser.find_element(By.CSS_SELECTOR, "#registration .my-status")
    assert status.text == "You are on the waitlist: number 2."
    assert serious_violations(browser) == []
    if os.environ.get("KETAO_ROADSHOW_SHOTS"):  # to look at the registered state
        screenshot(browser, Path(os.environ["KETAO_ROADSHOW_SHOTS"]) / "registered-390.jpg")
    # Cancelling is a form too: the keyboard reaches and presses it.
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    tab_to(browser, lambda e: e.text == "Cancel my registration")
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait(browser).until(lambda d: "notice=registration-cancelled" in d.current_url)
    assert browser.find_element(By.ID, "f-note")
    assert console_errors(browser) == []


def test_screenshots_of_a_roadshow(browser: WebDriver, base_url: str, tmp_path: Path) -> None:
    """Full-page screenshots, into KETAO_ROADSHOW_SHOTS when set (to look at them)."""
    folder = Path(os.environ.get("KETAO_ROADSHOW_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.delete_all_cookies()
    number = roadshow_id(base_url, HENGQIN)
    for name, path in (("list", "/roadshows?"), ("roadshow", f"/roadshows/{number}?")):
        for lang in ("zh-Hans", "en"):
            for width in WIDTHS:
                viewport(browser, width)
                browser.get(f"{base_url}{path}lang={lang}")
                height = browser.execute_script("return document.documentElement.scrollHeight")
                viewport(browser, width, int(height))
                target = folder / f"{name}-{lang}-{width}.jpg"
                screenshot(browser, target)
                assert target.stat().st_size > 10_000
