"""The need and city pages in a real headless Chromium: /needs, an open public need with its
matches, a city and a cooperation zone, in the three languages at 1440 and 390 px (axe-core,
no sideways scrolling, no console error); and filtering the needs with the form, then dropping
the filter by its link, without JavaScript's help.

Skipped, saying why, where no Chromium and chromedriver are installed."""

from __future__ import annotations

import pytest

from tests.web.browser import LANGS, SELENIUM, WIDTHS, check_page, needs_browser, viewport, wait

if SELENIUM:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

pytestmark = needs_browser


def first_need(browser: WebDriver, base_url: str) -> str:
    """The path of the newest open public need (the list's first)."""
    browser.get(f"{base_url}/needs?lang=en")
    href = browser.find_element(By.CSS_SELECTOR, ".result h3 a").get_attribute("href") or ""
    assert "/needs/" in href
    return "/needs/" + href.rsplit("/needs/", 1)[1]


@pytest.mark.parametrize("lang", LANGS)
def test_the_need_and_city_pages_pass_axe_and_fit_a_phone(
    browser: WebDriver, base_url: str, lang: str
) -> None:
    browser.delete_all_cookies()
    need = first_need(browser, base_url)
    for width in WIDTHS:
        viewport(browser, width)
        for path in ("/needs", "/needs?city=dongguan", need, "/cities/shenzhen", "/cities/hengqin"):
            check_page(browser, f"{base_url}{path}", lang)
    # A need that matches projects shows them with reasons, near misses marked.
    browser.get(f"{base_url}{need}?lang={lang}")
    assert browser.find_elements(By.CSS_SELECTOR, "#matches .fits > li")
    assert browser.find_elements(By.CSS_SELECTOR, "#matches .reasons.explained li")


def test_filtering_needs_with_the_form_and_dropping_the_filter(
    browser: WebDriver, base_url: str
) -> None:
    browser.delete_all_cookies()
    viewport(browser, 390)
    browser.get(f"{base_url}/needs?lang=en")
    total = browser.find_element(By.ID, "results-total").text
    city = browser.find_element(By.CSS_SELECTOR, "#need-filters details:nth-of-type(2) summary")
    city.click()  # the "City or zone" group opens
    box = browser.find_element(By.ID, "city-dongguan")
    label = browser.find_element(By.CSS_SELECTOR, 'label[for="city-dongguan"]')
    count = label.find_element(By.CLASS_NAME, "count").text.strip("()")
    label.click()
    assert box.is_selected()
    browser.find_element(By.CSS_SELECTOR, "#need-filters button[type=submit]").click()
    wait(browser).until(lambda b: "city=dongguan" in b.current_url)
    assert browser.find_element(By.ID, "results-total").text == f"Needs found: {count}"
    items = browser.find_elements(By.CSS_SELECTOR, ".result-list > li")
    assert len(items) == min(int(count), 20)
    assert all("Dongguan" in item.text for item in items)
    chip = browser.find_element(By.CSS_SELECTOR, ".chips a.chip")
    assert "Dongguan" in chip.text
    chip.click()
    wait(browser).until(lambda b: "city=dongguan" not in b.current_url)
    assert browser.find_element(By.ID, "results-total").text == total
