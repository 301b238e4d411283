"""Highlighted snippets: the query's matches marked in the original display text.

Computed from the text in SQL with the same analysis as the index, so both backends highlight
alike and Traditional text is marked where a Simplified (or English, or synonym) query hit it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from app.search.analysis import Analyzer, QueryUnit, fold, singular

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


def _within(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance of ``a`` and ``b`` is at most ``limit`` (small limits only)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


class Highlighter:
    def __init__(self, analyzer: Analyzer, units: Sequence[QueryUnit]) -> None:
        self.analyzer = analyzer
        self.terms = {t for u in units for t in u.terms}
        self.prefixes = [u.prefix for u in units if u.prefix and len(u.prefix) >= 2]
        self.fuzzy = [
            (u.raw, 2 if len(u.raw) >= 9 else 1) for u in units if u.raw and len(u.raw) >= 5
        ]
        self.cjk = [u.text for u in units if u.kind == "cjk" and u.text]
        wanted = {u.synonym for u in units if u.synonym}
        self.synonym_variants = [
            fold(v)
            for number, group in enumerate(analyzer.synonym_groups, start=1)
            if f"syn{number}" in wanted
            for v in group
        ]

    def _spans(self, text: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for token in self.analyzer.tokens(text):
            word = fold(text[token.start : token.end])
            if (
                token.term in self.terms
                or any(word.startswith(p) for p in self.prefixes)
                or (
                    token.kind == "latin"
                    and any(_within(singular(word), q, d) for q, d in self.fuzzy)
                )
            ):
                spans.append((token.start, token.end))
        folded = fold(text)  # character-for-character with ``text`` for CJK
        if len(folded) == len(text):
            for needle in [*self.cjk, *self.synonym_variants]:
                start = folded.find(needle)
                while needle and start != -1:
                    spans.append((start, start + len(needle)))
                    start = folded.find(needle, start + 1)
        return _merge(spans)

    def highlight(self, text: str | None, window: int = 0) -> str | None:
        """``text`` HTML-escaped with matches in ``<mark>``; None when nothing matches.

        With ``window``, a snippet of about that many characters around the first match.
        """
        if not text:
            return None
        spans = self._spans(text)
        if not spans:
            return None
        start, end = 0, len(text)
        if window and len(text) > window:
            first = spans[0][0]
            start = max(0, first - window // 4)
            end = min(len(text), start + window)
            spans = [(max(a, start), min(b, end)) for a, b in spans if b > start and a < end]
        out: list[str] = ["…" if start > 0 else ""]
        cursor = start
        for a, b in spans:
            out.append(html.escape(text[cursor:a]))
            out.append(MARK_OPEN + html.escape(text[a:b]) + MARK_CLOSE)
            cursor = b
        out.append(html.escape(text[cursor:end]))
        out.append("…" if end < len(text) else "")
        return "".join(out)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged
