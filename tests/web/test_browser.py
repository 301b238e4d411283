"""The website in a real headless Chromium: the pages of the foundation (home, sign in,
register, the error page, the project pages) in the three languages, with axe-core's
accessibility rules, a phone's width, the keyboard, and the CSRF refusal.

Skipped, saying why, where no Chromium and chromedriver are installed (Debian: ``apt-get install
chromium chromium-driver fonts-noto-cjk``; ``.ci/run`` does). With ``KETAO_SCREENSHOTS=1`` the
screenshots in docs/screenshots/ are taken again (otherwise into a temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.config import REPO_ROOT
from tests.fixtures.accounts import ENTERPRISE, PASSWORDS
from tests.fixtures.served import call
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

PAGES = (
    "/",
    "/login",
    "/register",
    "/no-such-page",
    "/projects",
    "/projects?q=储能",
    "/projects/1",
)
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_in_every_language_passes_axe_and_fits_a_phone(
    browser: WebDriver, base_url: str, lang: str
) -> None:
    browser.delete_all_cookies()
    for width in WIDTHS:
        viewport(browser, width)
        for path in PAGES:
            # The 404's status is reported on the console, as it should be.
            check_page(browser, f"{base_url}{path}", lang, console=path != "/no-such-page")


def test_the_styles_and_script_load_under_the_csp(browser: WebDriver, base_url: str) -> None:
    viewport(browser, 1440)
    browser.get(f"{base_url}/?lang=en")
    header = browser.find_element(By.CSS_SELECTOR, ".site-header")
    assert header.value_of_css_property("background-color") == "rgba(243, 246, 245, 1)"
    skip = browser.find_element(By.CSS_SELECTOR, "a.skip")
    assert skip.location["x"] < 0  # hidden until focused: the stylesheet applied
    assert console_errors(browser) == []


def test_signing_in_with_the_keyboard_alone(browser: WebDriver, base_url: str) -> None:
    browser.delete_all_cookies()
    viewport(browser, 390)
    browser.get(f"{base_url}/login?lang=en")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Skip to content"
    for _ in range(40):  # Tab through the header to the form's first field
        if browser.switch_to.active_element.get_attribute("id") == "f-email":
            break
        browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "f-email"
    browser.switch_to.active_element.send_keys(ENTERPRISE, Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "f-password"
    browser.switch_to.active_element.send_keys(PASSWORDS[ENTERPRISE], Keys.ENTER)
    wait(browser).until(lambda d: d.current_url.rstrip("/") == base_url)
    assert browser.find_element(By.CSS_SELECTOR, ".account button").text == "Sign out"
    # Signing out is a form too: the keyboard reaches and presses it.
    browser.find_element(By.CSS_SELECTOR, ".account button").send_keys(Keys.ENTER)
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".account a[href='/login']"))


def test_a_wrong_password_is_announced_next_to_the_form(browser: WebDriver, base_url: str) -> None:
    browser.delete_all_cookies()
    viewport(browser, 390)
    browser.get(f"{base_url}/login?lang=zh-Hant")
    browser.find_element(By.ID, "f-email").send_keys("nobody@example.org")
    browser.find_element(By.ID, "f-password").send_keys("wrong password", Keys.ENTER)
    alert = wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, "[role=alert]"))
    assert "電郵地址或密碼錯誤" in alert.text
    assert browser.switch_to.active_element == alert  # the script moved the focus to it
    assert serious_violations(browser) == []


def test_a_form_with_a_forged_token_gets_the_403_page(browser: WebDriver, base_url: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{base_url}/login?lang=en")
    token = browser.find_element(By.NAME, "csrf_token")
    browser.execute_script("arguments[0].value = 'forged'", token)
    browser.find_element(By.ID, "f-email").send_keys(ENTERPRISE)
    browser.find_element(By.ID, "f-password").send_keys(PASSWORDS[ENTERPRISE], Keys.ENTER)
    wait(browser).until(lambda d: "expired" in d.find_element(By.TAG_NAME, "h1").text)
    assert browser.find_elements(By.CSS_SELECTOR, ".account") == []  # not signed in


def test_search_as_you_type_suggests_projects(browser: WebDriver, base_url: str) -> None:
    browser.delete_all_cookies()
    viewport(browser, 390)
    browser.get(f"{base_url}/projects?lang=en")
    console_errors(browser)  # read (and so forget) what earlier tests left in the log
    box = browser.find_element(By.ID, "site-q")
    box.send_keys("batter")
    wait(browser).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#site-q-suggestions [role=option]")
    )
    combobox = browser.find_element(By.CSS_SELECTOR, "[role=combobox]")
    assert combobox.get_attribute("aria-expanded") == "true"
    assert serious_violations(browser) == []
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("aria-activedescendant") == "site-q-option-0"
    box.send_keys(Keys.ENTER)
    wait(browser).until(lambda d: "/projects/" in d.current_url)
    assert console_errors(browser) == []


def test_filters_show_new_results_without_a_reload(browser: WebDriver, base_url: str) -> None:
    browser.delete_all_cookies()
    viewport(browser, 1440)
    browser.get(f"{base_url}/projects?lang=en")
    console_errors(browser)  # read (and so forget) what earlier tests left in the log
    browser.execute_script("window.stillHere = true")
    total = browser.find_element(By.ID, "results-total").text
    browser.find_element(By.CSS_SELECTOR, "details.facet:nth-of-type(2) summary").click()
    browser.find_element(By.CSS_SELECTOR, "label[for=city-macao]").click()
    wait(browser).until(lambda d: "city=macao" in d.current_url)
    wait(browser).until(
        lambda d: d.find_element(By.ID, "results-total").text not in (total, "Loading results…")
    )
    assert browser.execute_script("return window.stillHere") is True  # no reload
    assert browser.find_element(By.ID, "city-macao").is_selected()
    browser.back()
    wait(browser).until(lambda d: d.find_element(By.ID, "results-total").text == total)
    assert console_errors(browser) == []


def test_the_main_pages_render_whole_at_both_widths(
    browser: WebDriver, base_url: str, tmp_path: Path
) -> None:
    """Full-page screenshots of the main pages; with KETAO_SCREENSHOTS=1 they replace the ones
    in docs/screenshots/, otherwise they go to a temporary folder and are only checked."""
    folder = SCREENSHOTS if os.environ.get("KETAO_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    browser.delete_all_cookies()
    _, upcoming, _ = call("GET", f"{base_url}/api/v1/roadshows?when=upcoming")
    _, needs, _ = call("GET", f"{base_url}/api/v1/needs?per_page=1")
    for name, path in (
        ("home", "/"),
        ("login", "/login"),
        ("projects", "/projects?q=储能&"),
        ("project", "/projects/1?"),
        ("needs", "/needs?"),
        ("need", f"/needs/{needs['items'][0]['id']}?"),
        ("city", "/cities/shenzhen?"),
        ("roadshows", "/roadshows?"),
        ("roadshow", f"/roadshows/{upcoming['items'][0]['id']}?"),
    ):
        for lang in ("zh-Hans", "en"):
            for width in (390, 1440):
                viewport(browser, width)
                join = "" if path.endswith(("&", "?")) else "?"
                browser.get(f"{base_url}{path}{join}lang={lang}")
                height = browser.execute_script("return document.documentElement.scrollHeight")
                viewport(browser, width, int(height))
                target = folder / f"{name}-{lang}-{width}.jpg"
                screenshot(browser, target)
                assert target.stat().st_size > 10_000  # a page, not a blank
