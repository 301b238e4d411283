"""The site's languages: which one a request reads, its message catalogue, and locale formats.

Three languages: ``zh-Hans`` (the default), ``zh-Hant`` (Hong Kong / Macao wording) and ``en``.
Messages are English msgids in Babel ``.po`` catalogues under ``translations/<locale>/``; they
are compiled in memory when the app starts, so there is no build step.
"""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import opencc
from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, get_group_symbol
from babel.support import Translations
from starlette.requests import Request

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LANG_COOKIE = "ketao_lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Language:
    """One language of the site: its BCP 47 tag (URLs, ``<html lang>``), its catalogue directory
    and the Babel locale whose conventions format its dates and numbers."""

    tag: str
    catalogue: str
    babel_locale: str
    name: str  # its own name, as the language switcher shows it


LANGUAGES: dict[str, Language] = {
    "zh-Hans": Language("zh-Hans", "zh_Hans", "zh_Hans_CN", "简体"),
    "zh-Hant": Language("zh-Hant", "zh_Hant", "zh_Hant_HK", "繁體"),
    "en": Language("en", "en", "en_GB", "English"),
}
DEFAULT = "zh-Hans"

# Accept-Language tags that mean Traditional Chinese (regions that write it).
_HANT_REGIONS = {"tw", "hk", "mo"}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Marks a message for extraction; it is translated where it is shown."""
    return message


def language_of_tag(tag: str) -> str | None:
    """The site language for one language tag (``zh-HK`` → ``zh-Hant``), or None."""
    parts = tag.strip().lower().replace("_", "-").split("-")
    if not parts or not parts[0]:
        return None
    if parts[0] == "en":
        return "en"
    if parts[0] != "zh":
        return None
    rest = set(parts[1:])
    if "hant" in rest or (rest & _HANT_REGIONS and "hans" not in rest):
        return "zh-Hant"
    return "zh-Hans"


def from_accept_language(header: str) -> str | None:
    """The best site language a browser's ``Accept-Language`` asks for (by q-value, then order)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        language = language_of_tag(tag)
        if language is not None and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


@dataclass(frozen=True)
class Negotiated:
    language: str
    remember: bool  # asked for by ?lang=: the answer sets the cookie


def negotiate(request: Request) -> Negotiated:
    """``?lang=`` (then remembered in a cookie), else the cookie, else ``Accept-Language``, else
    Simplified Chinese. An unknown value anywhere is ignored, not an error."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return Negotiated(asked, remember=True)
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return Negotiated(cookie, remember=False)
    header = from_accept_language(request.headers.get("accept-language", ""))
    return Negotiated(header or DEFAULT, remember=False)


@cache
def catalogue(language: str) -> gettext.NullTranslations:
    """The compiled messages of a language; Traditional falls back to Simplified for a message
    not yet translated (never to English in a Chinese page)."""
    path = TRANSLATIONS_DIR / LANGUAGES[language].catalogue / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        messages = read_po(po, locale=LANGUAGES[language].catalogue)
    compiled = BytesIO()
    write_mo(compiled, messages)
    compiled.seek(0)
    translations = Translations(compiled)
    if language == "zh-Hant":
        translations.add_fallback(catalogue("zh-Hans"))
    return translations


def load_catalogues() -> None:
    """Compile every catalogue now (at start-up), so a broken ``.po`` stops the app early."""
    for language in LANGUAGES:
        catalogue(language)


@cache
def _babel_locale(language: str) -> Locale:
    return Locale.parse(LANGUAGES[language].babel_locale)


def format_day(language: str, value: dt.date | dt.datetime) -> str:
    """A date as the language writes it: 2026年5月18日 / 2026年5月18日 / 18 May 2026."""
    day = value.date() if isinstance(value, dt.datetime) else value
    return format_date(day, format="long", locale=_babel_locale(language))


def format_moment(language: str, value: dt.datetime) -> str:
    """A date and time (in the value's own time zone) as the language writes it, to the minute:
    2026年12月24日 14:30 / 2026年12月24日 下午2:30 / 24 December 2026 14:30."""
    locale = _babel_locale(language)
    day = format_date(value.date(), format="long", locale=locale)
    return f"{day} {format_time(value.timetz(), format='short', locale=locale)}"


def format_number(language: str, value: float) -> str:
    group = _group_symbol(language)
    if group is not None and isinstance(value, int) and not isinstance(value, bool):
        # Whole numbers (counts on every page): the locale's grouping, without Babel's general
        # formatter, which costs ~50 µs a number and a results page shows about 80 of them.
        return f"{value:,}".replace(",", group)
    return format_decimal(value, locale=_babel_locale(language))


@cache
def _group_symbol(language: str) -> str | None:
    """The thousands separator of the language's locale if it groups by threes (all three of
    ours do), else None (Babel formats every number)."""
    locale = _babel_locale(language)
    symbol: str = get_group_symbol(locale)
    sample = f"-1{symbol}234{symbol}567"
    return symbol if format_decimal(-1234567, locale=locale) == sample else None


@cache
def _s2hk() -> Any:
    return opencc.OpenCC("s2hk")


def hant(text: str) -> str:
    """Simplified text shown to a Traditional reader (reference data has no Traditional form)."""
    converted: str = _s2hk().convert(text)
    return converted


def for_reader(language: str, text: str) -> str:
    """Chinese content as a Traditional reader sees it (converted for display); as is otherwise."""
    return hant(text) if language == "zh-Hant" else text


def localised(language: str, zh: str, en: str, zh_hant: str | None = None) -> str:
    """The name of a thing in the reader's language, from its Chinese and English names."""
    if language == "en":
        return en or zh
    if language == "zh-Hant":
        return zh_hant or hant(zh)
    return zh or en


def switch_links(request: Request) -> Mapping[str, str]:
    """This page's address in each language: the same path and query, only ``lang`` changed."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    out = {}
    for tag in LANGUAGES:
        params = "&".join(
            f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in [*query, ("lang", tag)]
        )
        out[tag] = f"{request.url.path}?{params}"
    return out
