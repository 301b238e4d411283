"""Fixtures of the browser tests, one of each per test module: ``base_url`` (Ketao served by
uvicorn on a fresh database with the demo content) and ``browser`` (headless Chromium through
Selenium). Only the modules that ask for them start either."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.config import Settings
from tests.fixtures.served import fresh_database, serve
from tests.web.browser import CHROMEDRIVER, CHROMIUM, SELENIUM

if SELENIUM:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.remote.webdriver import WebDriver


@pytest.fixture(scope="module")
def base_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("browser")
    with (
        fresh_database(database_url, tmp) as url,
        serve(Settings(database_url=url, data_dir=tmp)) as base,
    ):
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=zh-CN"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER or ""))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
