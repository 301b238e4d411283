"""Fixtures of the browser tests, one of each per test module: ``base_url`` (Ketao served by
uvicorn on a fresh database with the demo content) and ``browser`` (headless Chromium through
Selenium). Only the modules that ask for them start either."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from app.config import Settings
from tests.fixtures.served import call, fresh_database, serve
from tests.web.browser import CHROMEDRIVER, CHROMIUM, SELENIUM

if SELENIUM:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.remote.webdriver import WebDriver


@pytest.fixture(scope="module")
def base_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Served once the search index holds the demo content (the app indexes it after start)."""
    tmp = tmp_path_factory.mktemp("browser")
    with (
        fresh_database(database_url, tmp) as url,
        serve(Settings(database_url=url, data_dir=tmp)) as base,
    ):
        deadline = time.monotonic() + 120
        while True:
            _, health, _ = call("GET", f"{base}/api/v1/health")
            search = health["search"] if isinstance(health, dict) else {}
            _, found, _ = call("GET", f"{base}/api/v1/projects?q=battery&per_page=1")
            if search.get("outbox_pending") == 0 and isinstance(found, dict) and found["total"]:
                break
            assert time.monotonic() < deadline, f"the index did not catch up: {health}"
            time.sleep(0.2)
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
