"""How a listing's own content is shown to a reader: in the reader's script, with the search
engine's highlights kept safe, and its price in the reader's conventions."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from markupsafe import Markup

from app.web import i18n

_MARK = re.compile(r"(</?mark>)")


class Bilingual(Protocol):
    """A listing with Chinese and English texts (a project, a suggestion)."""

    title_zh: str | None
    title_en: str | None
    summary_zh: str | None
    summary_en: str | None


@dataclass(frozen=True)
class Shown:
    """A text as the page shows it: safe HTML, the language it is written in when that is not
    the page's (for ``lang``), and whether an English reader is getting the Chinese."""

    html: Markup
    lang: str | None = None
    in_chinese: bool = False

    def __bool__(self) -> bool:
        return bool(self.html)


def _same(text: str) -> str:
    return text


def marked(value: str, convert: Callable[[str], str] = _same) -> Markup:
    """The search engine's highlight (escaped text with ``<mark>``) made safe whatever it holds:
    every piece between the marks is unescaped and escaped again, so only ``<mark>`` survives as
    markup; ``convert`` changes the text (Simplified → Traditional), never the marks."""
    out: list[str] = []
    depth = 0
    for part in _MARK.split(value):
        if part == "<mark>" and depth == 0:
            out.append(part)
            depth = 1
        elif part == "</mark>" and depth == 1:
            out.append(part)
            depth = 0
        elif part not in ("<mark>", "</mark>"):
            out.append(html.escape(convert(html.unescape(part)), quote=False))
    if depth:
        out.append("</mark>")
    return Markup("".join(out))  # noqa: S704 - every piece escaped above


def shorten(text: str, limit: int | None) -> str:
    text = " ".join(text.split())
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def shown(
    language: str,
    item: Bilingual,
    field: str,
    highlight: dict[str, str] | None = None,
    limit: int | None = None,
) -> Shown:
    """``title`` or ``summary`` of a listing in the reader's script: the English for an English
    reader when there is one, else the Chinese (noted); the Chinese for a Chinese reader,
    converted to Traditional for display, else the English."""
    zh: str | None = getattr(item, f"{field}_zh")
    en: str | None = getattr(item, f"{field}_en")
    marks = highlight or {}

    def text(key: str, value: str, convert: Callable[[str], str] = _same) -> Markup:
        if key in marks:
            return marked(marks[key], convert)
        return Markup.escape(convert(shorten(value, limit)))

    if language == "en":
        if en:
            return Shown(text(f"{field}_en", en))
        if zh:
            return Shown(text(f"{field}_zh", zh), lang="zh-Hans", in_chinese=True)
        return Shown(Markup(""))
    convert = i18n.hant if language == "zh-Hant" else _same
    if zh:
        return Shown(text(f"{field}_zh", zh, convert))
    if en:
        return Shown(text(f"{field}_en", en), lang="en")
    return Shown(Markup(""))
