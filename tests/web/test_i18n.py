"""Languages: negotiation, the switcher, locale formats, and catalogues that are complete."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from fastapi.testclient import TestClient

from app.web import i18n
from tests.web.helpers import HTML


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"),
        ("zh-HK,zh;q=0.9", "zh-Hant"),
        ("zh-TW", "zh-Hant"),
        ("zh-MO,en;q=0.5", "zh-Hant"),
        ("zh-Hant-CN", "zh-Hant"),
        ("zh-Hans-HK", "zh-Hans"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR,en;q=0.3,zh;q=0.8", "zh-Hans"),
        ("fr-FR, de", None),
        ("en;q=0, zh-HK;q=0.1", "zh-Hant"),
        ("", None),
        ("en;q=bogus, zh-TW", "zh-Hant"),
    ],
)
def test_accept_language(header: str, language: str | None) -> None:
    assert i18n.from_accept_language(header) == language


def test_query_then_cookie_then_accept_language(client: TestClient) -> None:
    def lang(path: str, **headers: str) -> str:
        html = client.get(path, headers={**HTML, **headers}).text
        return html.split('<html lang="', 1)[1].split('"', 1)[0]

    assert lang("/") == "zh-Hans"  # the default
    assert lang("/", **{"accept-language": "en-GB"}) == "en"
    assert lang("/?lang=zh-Hant", **{"accept-language": "en-GB"}) == "zh-Hant"
    assert client.cookies["ketao_lang"] == "zh-Hant"
    assert lang("/login", **{"accept-language": "en-GB"}) == "zh-Hant"  # the cookie wins
    assert lang("/?lang=klingon", **{"accept-language": "en-GB"}) == "zh-Hant"  # ignored


def test_the_switcher_keeps_the_page_and_its_query(client: TestClient) -> None:
    html = client.get("/register?invitation=a%20b&lang=en", headers=HTML).text
    for tag in ("zh-Hans", "zh-Hant", "en"):
        assert f'href="/register?invitation=a%20b&amp;lang={tag}"' in html
    assert 'hreflang="zh-Hant" aria-current' not in html
    assert 'lang="en" hreflang="en" aria-current="true"' in html


def test_dates_and_numbers_follow_the_locale() -> None:
    moment = dt.datetime(2026, 12, 24, 14, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert i18n.format_moment("zh-Hans", moment) == "2026年12月24日 14:30"
    assert i18n.format_moment("zh-Hant", moment).startswith("2026年12月24日")
    assert "2:30" in i18n.format_moment("zh-Hant", moment)
    assert i18n.format_moment("en", moment) == "24 December 2026 14:30"
    assert i18n.format_number("en", 12345.5) == "12,345.5"
    assert i18n.format_number("zh-Hans", 12345) == "12,345"


def test_traditional_readers_see_simplified_content_converted() -> None:
    assert i18n.for_reader("zh-Hant", "横琴粤澳深度合作区") == "橫琴粵澳深度合作區"
    assert i18n.for_reader("zh-Hans", "横琴") == "横琴"
    assert i18n.localised("en", "深圳", "Shenzhen") == "Shenzhen"
    assert i18n.localised("en", "深圳", "") == "深圳"


def _first(value: object) -> str:
    """A message's id or string; a plural message by its first form."""
    return str(value[0] if isinstance(value, (tuple, list)) else value)


def _messages(catalogue: str) -> dict[str, str]:
    path = i18n.TRANSLATIONS_DIR / catalogue / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        return {_first(m.id): _first(m.string) for m in read_po(po) if m.id}


def test_the_catalogues_hold_every_message_of_the_sources_translated() -> None:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"trim_blocks": "true", "lstrip_blocks": "true"}}
    extracted = {
        _first(message[2])
        for message in extract_from_dir(
            i18n.TRANSLATIONS_DIR.parent,
            method_map,
            options_map=options,
            keywords={"_": None, "N_": None, "ngettext": (1, 2)},
        )
    }
    pot = i18n.TRANSLATIONS_DIR / "messages.pot"
    with pot.open("rb") as f:
        template = {_first(m.id) for m in read_po(BytesIO(f.read())) if m.id}
    assert extracted == template, "run the extract and update commands in docs/web.md"
    for catalogue in ("zh_Hans", "zh_Hant"):
        messages = _messages(catalogue)
        assert set(messages) == template
        untranslated = [m for m, s in messages.items() if not s]
        assert not untranslated, f"{catalogue}: {untranslated}"
    assert set(_messages("en")) == template


def test_traditional_wording_is_hong_kong_not_mainland() -> None:
    hant = " ".join(_messages("zh_Hant").values())
    for mainland in ("登錄", "賬户", "賬戶", "信息", "搜索", "郵箱", "字符", "刷新", "列表"):
        assert mainland not in hant, mainland


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_whole_numbers_are_grouped_as_babel_groups_them(lang: str) -> None:
    locale = i18n._babel_locale(lang)
    for value in (0, 7, -12, 999, 1000, 12345, -1234567, 10**12 + 3):
        assert i18n.format_number(lang, value) == format_decimal(value, locale=locale)
    assert i18n.format_number(lang, 3800.5) == format_decimal(3800.5, locale=locale)
