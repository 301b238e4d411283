"""Whole journeys through the site in a real headless Chromium, as a person makes them.

An enterprise from Hong Kong: searches in Traditional Chinese, narrows by a city, opens a
listing, registers, signs in, posts a need, reads the projects matched to it with their reasons,
expresses interest in one, and finds the lead on its own page.

Skipped, saying why, where no Chromium and chromedriver are installed.
"""

from __future__ import annotations

import re
import uuid

from tests.web.browser import SELENIUM, console_errors, needs_browser, viewport, wait

if SELENIUM:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.ui import Select

pytestmark = needs_browser


def _count(label: str) -> int:
    found = re.search(r"\(([\d,]+)\)", label)
    return int(found.group(1).replace(",", "")) if found else 0


def test_an_enterprise_from_a_search_to_a_lead(browser: WebDriver, base_url: str) -> None:
    browser.delete_all_cookies()
    viewport(browser, 1440)

    # Search from the home page, in Traditional Chinese.
    browser.get(f"{base_url}/?lang=zh-Hant")
    browser.find_element(By.ID, "home-q").send_keys("儲能", Keys.ENTER)
    wait(browser).until(lambda d: "/projects?q=" in d.current_url)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hant"
    marks = wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".result mark"))
    assert {m.text for m in marks} & {"儲能", "儲", "能"}  # shown in the reader's script
    total = int(re.sub(r"\D", "", browser.find_element(By.ID, "results-total").text))

    # Narrow to a city that has some of them: the results change without a reload.
    browser.execute_script("window.stillHere = true")
    browser.find_element(By.CSS_SELECTOR, "details.facet:nth-of-type(2) summary").click()
    labels = browser.find_elements(By.CSS_SELECTOR, "label[for^=city-]")
    city = next(lb for lb in labels if 0 < _count(lb.text) < total)
    code = (city.get_attribute("for") or "").removeprefix("city-")
    city.click()
    wait(browser).until(lambda d: f"city={code}" in d.current_url)
    wait(browser).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".result h3 a")) > 0)
    assert browser.execute_script("return window.stillHere") is True

    # The first listing: enterprises may express interest once signed in.
    browser.find_element(By.CSS_SELECTOR, ".result h3 a").click()
    wait(browser).until(lambda d: re.search(r"/projects/\d+", d.current_url))
    listing_url = browser.current_url.split("?")[0]
    assert browser.find_element(By.CSS_SELECTOR, "#interest a.button").get_attribute("href")

    # Register an enterprise of its own, then sign in.
    email = f"buyer-{uuid.uuid4().hex[:8]}@example.hk"
    password = "a long passphrase 2026"
    browser.get(f"{base_url}/register?lang=zh-Hant")
    browser.find_element(By.ID, "f-role-enterprise").click()
    browser.find_element(By.ID, "f-organization").send_keys("港灣儲能科技有限公司")
    Select(browser.find_element(By.ID, "f-city")).select_by_value("hongkong")
    browser.find_element(By.ID, "f-full_name").send_keys("陳大文")
    browser.find_element(By.ID, "f-email").send_keys(email)
    browser.find_element(By.ID, "f-password").send_keys(password, Keys.ENTER)
    wait(browser).until(lambda d: "/login" in d.current_url)
    browser.find_element(By.ID, "f-email").send_keys(email)
    browser.find_element(By.ID, "f-password").send_keys(password, Keys.ENTER)
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".account a.who"))
    assert browser.find_element(By.CSS_SELECTOR, ".account a.who").text == "陳大文"

    # Post a need from the enterprise's own page.
    browser.get(f"{base_url}/me?lang=zh-Hant")
    browser.find_element(By.CSS_SELECTOR, "a[href='/me/needs/new']").click()
    wait(browser).until(lambda d: d.find_elements(By.ID, "f-title_zh"))
    browser.find_element(By.ID, "f-title_zh").send_keys("工商業儲能系統及電池管理")
    browser.find_element(By.ID, "f-description_zh").send_keys(
        "尋找工商業儲能系統、鋰電池管理系統（BMS）及儲能變流器技術，擬在香港及東莞落地。"
    )
    browser.find_element(By.CSS_SELECTOR, ".buttons button[type=submit]").click()
    wait(browser).until(lambda d: "/me?posted=" in d.current_url)
    need_link = browser.find_element(By.CSS_SELECTOR, "#needs h3 a")
    assert need_link.text == "工商業儲能系統及電池管理"

    # The need's page: the projects matched to it, each with its reasons.
    need_link.click()
    wait(browser).until(lambda d: re.search(r"/needs/\d+", d.current_url))
    fits = browser.find_elements(By.CSS_SELECTOR, "#matches ol.fits > li")
    assert fits, "the need found no project"
    first = fits[0]
    assert first.find_elements(By.CSS_SELECTOR, "li")  # its reasons, a line each
    project_link = first.find_element(By.CSS_SELECTOR, "h3 a")
    project_title = project_link.text
    project_link.click()
    wait(browser).until(lambda d: re.search(r"/projects/\d+", d.current_url))

    # Express interest: the lead is created, and the enterprise's page shows it.
    browser.find_element(By.ID, "f-message").send_keys("我們希望了解授權條件及試點安排。")
    browser.find_element(By.CSS_SELECTOR, "#interest form button[type=submit]").click()
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#interest .notice"))
    browser.get(f"{base_url}/me?lang=zh-Hant")
    leads = browser.find_element(By.ID, "leads").text
    assert project_title in leads
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hant"
    assert console_errors(browser) == []
    assert listing_url  # the listing found by search was reachable throughout
