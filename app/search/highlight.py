"""Highlighted snippets: the query's matches marked in the original display text.

Computed from the text in SQL with the same folding and term rules as the index (Traditional
text is marked where a Simplified, English or synonym query hit it), by plain substring and word
scans, so both backends highlight alike and a page of results costs about a millisecond.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.search.analysis import Analyzer, QueryUnit, fold, fold_with_offsets, singular, stem

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A display text folded once, for highlighting it under many queries."""

    text: str
    folded: str
    origin: list[int] | None  # folded index → original index, when folding changed lengths


def prepare(text: str) -> Prepared:
    folded = fold(text)
    if len(folded) == len(text):
        return Prepared(text, folded, None)
    folded, origin = fold_with_offsets(text)  # a character folded into several
    return Prepared(text, folded, origin)


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
    """Marks what one query matched; build it once per query, use it on every hit."""

    def __init__(self, analyzer: Analyzer, units: Sequence[QueryUnit]) -> None:
        wanted = {u.synonym for u in units if u.synonym}
        variants = [
            fold(v).strip()
            for number, group in enumerate(analyzer.synonym_groups, start=1)
            if f"syn{number}" in wanted
            for v in group
        ]
        # CJK needles are found as substrings; Latin words are compared by stem.
        self.needles = sorted(
            {u.text for u in units if u.kind == "cjk" and u.text}
            | {v for v in variants if _CJK.search(v)},
            key=len,
            reverse=True,
        )
        self.stems = {t for u in units if u.kind != "cjk" for t in u.terms}
        phrases = []
        for variant in variants:
            if _CJK.search(variant):
                continue
            words = variant.split()
            if len(words) == 1:
                self.stems.add(stem(words[0]) if words[0].isalpha() else words[0])
            else:
                phrases.append(r"\b" + r"\s+".join(re.escape(w) for w in words) + r"\w*")
        self.phrases = re.compile("|".join(phrases)) if phrases else None
        self.prefixes = tuple(u.prefix for u in units if u.prefix and len(u.prefix) >= 2)
        self.fuzzy = [
            (u.raw, 2 if len(u.raw) >= 9 else 1) for u in units if u.raw and len(u.raw) >= 5
        ]
        self._seen: dict[str, bool] = {}  # the same words recur across the hits of a page
        # Only words that could match are looked at: those starting like a stem (a stem is a
        # prefix of its words but for a last y/i), a typed prefix, or a typo's first letters.
        starts = {t[:-1] if len(t) > 3 else t for t in self.stems}
        starts |= set(self.prefixes) | {typo[:2] for typo, _ in self.fuzzy}
        self.candidates = (
            re.compile(
                r"(?<![a-z0-9])(?:"
                + "|".join(re.escape(x) for x in sorted(starts, key=len, reverse=True))
                + r")[a-z0-9]*"
            )
            if starts
            else None
        )

    def _word_matches(self, word: str) -> bool:
        known = self._seen.get(word)
        if known is None:
            known = (
                (stem(word) if word.isalpha() else word) in self.stems
                or bool(self.prefixes and word.startswith(self.prefixes))
                or any(_within(singular(word), typo, d) for typo, d in self.fuzzy)
            )
            self._seen[word] = known
        return known

    def _spans(self, prepared: Prepared) -> list[tuple[int, int]]:
        folded, origin = prepared.folded, prepared.origin
        spans: list[tuple[int, int]] = []
        for needle in self.needles:
            start = folded.find(needle)
            while start != -1:
                spans.append((start, start + len(needle)))
                start = folded.find(needle, start + len(needle))
        if self.candidates is not None:
            for match in self.candidates.finditer(folded):
                if self._word_matches(match.group()):
                    spans.append(match.span())
        if self.phrases is not None:
            spans.extend(m.span() for m in self.phrases.finditer(folded))
        if origin is not None:
            spans = [(origin[a], origin[b - 1] + 1) for a, b in spans]
        return _merge(spans)

    def highlight(self, text: str | Prepared | None, window: int = 0) -> str | None:
        """``text`` HTML-escaped with matches in ``<mark>``; None when nothing matches.

        With ``window``, a snippet of about that many characters around the first match.
        """
        if not text:
            return None
        prepared = prepare(text) if isinstance(text, str) else text
        text = prepared.text
        spans = self._spans(prepared)
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
