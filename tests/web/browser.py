"""What the browser tests share: whether Chromium is here, the marker that skips them (saying
why) where it is not, and small helpers — a patient wait, a viewport, axe-core's serious
violations, the console's errors, and one call that checks a page the way every page is checked.

The fixtures (``base_url``: Ketao served on a fresh database with the demo content; ``browser``:
a headless Chromium) are in ``tests/web/conftest.py``, one of each per test module.
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
try:
    from axe_selenium_python import Axe
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.ui import WebDriverWait

    SELENIUM = True
except ImportError:  # pragma: no cover - the dev extras install it
    SELENIUM = False

needs_browser = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER and SELENIUM),
    reason="browser tests need Chromium and chromedriver (Debian: apt-get install chromium "
    "chromium-driver fonts-noto-cjk) and selenium (pip install -e '.[dev]')",
)

LANGS = ("zh-Hans", "zh-Hant", "en")
WIDTHS = (1440, 390)


def wait(browser: WebDriver, seconds: float = 15) -> WebDriverWait[WebDriver]:
    """Up to 15 s, looking again when the page is replaced under the lookup (a navigation
    between finding an element and reading it makes it stale)."""
    stale = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(browser, seconds, ignored_exceptions=stale)


def viewport(driver: WebDriver, width: int, height: int = 900) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def serious_violations(driver: WebDriver) -> list[str]:
    """axe-core's serious and critical violations on the page: rule, and where."""
    axe = Axe(driver)
    axe.inject()
    results: dict[str, Any] = axe.run()
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def console_errors(driver: WebDriver) -> list[str]:
    logs: list[dict[str, Any]] = driver.get_log("browser")  # type: ignore[attr-defined]  # Chrome's
    return [e["message"] for e in logs if e["level"] == "SEVERE"]


def with_lang(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def check_page(browser: WebDriver, url: str, lang: str, *, console: bool = True) -> None:
    """Open ``url`` in ``lang`` at the current width and check what every page must be: in that
    language, with a heading, no console error (a CSP refusal or a script error shows there —
    ``console=False`` for a page whose status is an error, which Chromium reports), no serious
    or critical axe-core violation, and nothing scrolling sideways."""
    console_errors(browser)  # forget what earlier pages left in the log
    browser.get(with_lang(url, lang))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang, url
    assert browser.find_element(By.TAG_NAME, "h1").text.strip(), url
    if console:
        errors = console_errors(browser)
        assert not errors, (url, errors)
    assert serious_violations(browser) == [], (url, lang)
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{url} scrolls sideways"


def screenshot(driver: WebDriver, target: Path, *, tallest: int = 2400) -> None:
    """The page from its top, at most ``tallest`` px of it (callers size the viewport to the
    whole page), as a JPEG at quality 70 — a tenth of Selenium's full-page PNG, so that
    docs/screenshots/ stays light."""
    width, height = driver.execute_script(
        "return [document.documentElement.clientWidth, document.documentElement.scrollHeight]"
    )
    clip = {"x": 0, "y": 0, "width": width, "height": min(height, tallest), "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "jpeg", "quality": 70, "clip": clip}
    )
    target.write_bytes(base64.b64decode(shot["data"]))
    assert target.stat().st_size > 10_000, f"{target.name} looks blank"
