"""Text analysis shared by both search backends and by queries.

Folding (full-width → half-width, lower case, accents off, Traditional → Simplified with
OpenCC, character by character so offsets into the original text survive), Chinese segmentation
with jieba (``rjieba``, the Rust port of jieba with jieba's dictionary) plus a domain dictionary,
English stemming (Snowball), character bigrams for substring recall, and synonym groups as data.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import opencc
import rjieba
import snowballstemmer

TokenKind = Literal["cjk", "latin", "number"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z]")
_WORDISH = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Function words that carry no meaning for search (English, and single-character Chinese ones;
# jieba emits them as tokens of their own).
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "which",
        "with",
        "within",
        "our",
        "we",
        "can",
        "using",
        "based",
        "via",
        "per",
        "的",
        "了",
        "和",
        "与",
        "及",
        "在",
        "是",
        "为",
        "对",
        "等",
        "将",
        "可",
        "以",
        "中",
        "于",
        "并",
        "或",
        "其",
        "该",
        "由",
        "从",
        "把",
        "被",
        "之",
        "也",
        "而",
        "已",
        "有",
        "向",
        "至",
        "各",
    ]
)

# tw2sp rather than t2s: character by character it also folds Taiwan/HK variants (矽 → 硅).
_t2s = opencc.OpenCC("tw2sp")
_stem_lock = threading.Lock()
_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65_536)
def fold_char(char: str) -> str:
    """One character folded: NFKC, lower case, no accents, Traditional → Simplified."""
    text = unicodedata.normalize("NFKC", char).lower()
    if text.isascii():
        return text
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    if _CJK.search(text):
        converted: str = _t2s.convert(text)
        if len(converted) == len(text):
            return converted
    return text


_fold_table: dict[int, str] | None = None
_table_lock = threading.Lock()


def _table() -> dict[int, str]:
    """Every BMP character that folds to something else, for one ``str.translate`` call."""
    global _fold_table
    if _fold_table is None:
        with _table_lock:
            if _fold_table is None:
                table: dict[int, str] = {}
                for code in range(0x10000):
                    if 0xD800 <= code <= 0xDFFF:
                        continue
                    char = chr(code)
                    folded = fold_char(char)
                    if folded != char:
                        table[code] = folded
                _fold_table = table
    return _fold_table


def fold(text: str) -> str:
    """The folded text, for matching (offsets may shift; see ``fold_with_offsets``)."""
    return text.translate(_table())


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each folded character, the index of its original character."""
    parts: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = fold_char(char)
        parts.append(folded)
        origin.extend([index] * len(folded))
    return "".join(parts), origin


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    with _stem_lock:  # snowballstemmer objects keep state between calls
        result: str = _stemmer.stemWord(word)
    return result


def singular(word: str) -> str:
    """Harman's S-stemmer: plural endings only, so typo matching compares near-whole words."""
    if len(word) > 3 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if len(word) > 2 and word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


@dataclass(frozen=True, slots=True)
class Token:
    """A term as indexed or queried, with its span in the original text."""

    term: str
    start: int
    end: int
    kind: TokenKind


def _kind(word: str) -> TokenKind | None:
    if _CJK.search(word):
        return "cjk"
    if _LATIN.search(word):
        return "latin"
    if _WORDISH.search(word):
        return "number"
    return None


def _term(word: str, kind: TokenKind) -> str:
    if kind == "latin" and word.isalpha():
        return stem(word)
    return word


def cjk_bigrams(folded: str) -> list[str]:
    """Overlapping character bigrams of every CJK run (a lone character stands for itself)."""
    grams: list[str] = []
    for run in _CJK_RUN.findall(folded):
        if len(run) == 1:
            grams.append(run)
        else:
            grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


@dataclass(frozen=True)
class QueryUnit:
    """One word of a query, with the ways it may match.

    ``terms`` are alternatives in the word fields; ``bigrams`` the phrase it makes in the bigram
    field (CJK only); ``prefix`` the raw folded word when it is the last, still being typed;
    ``synonym`` the tag of a synonym group the unit (possibly with the next ones) belongs to.
    """

    text: str
    terms: tuple[str, ...]
    kind: TokenKind
    bigrams: tuple[str, ...] = ()
    prefix: str | None = None
    synonym: str | None = None
    raw: str | None = None


class Analyzer:
    """Segmentation with a domain dictionary, and synonym groups; one per process."""

    def __init__(self, terms: Iterable[str] = (), synonyms: Sequence[Sequence[str]] = ()) -> None:
        self._jieba = rjieba.Jieba()
        self._lock = threading.Lock()
        vocabulary = {fold(t).strip() for t in terms} | {
            fold(t).strip() for group in synonyms for t in group
        }
        for word in sorted(vocabulary):
            if _CJK.search(word) and " " not in word:
                self._jieba.add_word(word, None, None)
        # A synonym variant is matched as a sequence of default-mode terms.
        self._synonyms: dict[tuple[str, ...], str] = {}
        self.synonym_groups: list[list[str]] = []
        for number, group in enumerate(synonyms, start=1):
            tag = f"syn{number}"
            variants = [v.strip() for v in group if v.strip()]
            self.synonym_groups.append(variants)
            for variant in variants:
                # Keyed by the default-mode sequence, as a query is split; the index side
                # finds a one-word variant among its search-mode terms just the same.
                key = tuple(t.term for t in self.tokens(variant, mode="default"))
                if key:
                    self._synonyms.setdefault(key, tag)
        self._longest = max((len(k) for k in self._synonyms), default=1)

    def _segment(self, folded: str, mode: str) -> list[tuple[str, int, int]]:
        with self._lock:
            result: list[tuple[str, int, int]] = self._jieba.tokenize(folded, mode, True)
        return result

    def tokens(self, text: str, mode: Literal["search", "default"] = "search") -> list[Token]:
        """Index tokens (``search`` mode adds the dictionary sub-words of long words)."""
        if not text:
            return []
        folded, origin = fold_with_offsets(text)
        out: list[Token] = []
        for word, start, end in self._segment(folded, mode):
            kind = _kind(word)
            if kind is None or word in STOP_WORDS:
                continue
            word = word.strip()
            if kind == "latin" and not word.replace("-", "").replace(".", "").isalnum():
                continue
            out.append(Token(_term(word, kind), origin[start], origin[end - 1] + 1, kind))
        return out

    def terms(self, text: str, raw: list[str] | None = None) -> list[str]:
        """Index terms of ``text`` (search mode), without offsets: the fast path for indexing.

        With ``raw``, the unstemmed Latin words are appended to it (for typo matching, which
        works on words as typed, not on stems).
        """
        if not text:
            return []
        with self._lock:
            words: list[str] = self._jieba.cut_for_search(fold(text), True)
        out: list[str] = []
        for word in words:
            first = word[0]
            if "\u3400" <= first <= "\u9fff" or "\uf900" <= first <= "\ufaff":
                if word not in STOP_WORDS:
                    out.append(word)
            elif first.isascii() and first.isalnum():
                if word in STOP_WORDS:
                    continue
                if word.isalpha():
                    out.append(stem(word))
                    if raw is not None:
                        raw.append(singular(word))
                elif word.replace("-", "").replace(".", "").isalnum():
                    out.append(word)
        return out

    def synonym_tags_of(self, terms: Sequence[str]) -> list[str]:
        """The synonym groups that a term sequence mentions (any variant, any language)."""
        found = self._synonyms
        tags = {found[(t,)] for t in terms if (t,) in found}
        for size in range(2, self._longest + 1):
            for i in range(len(terms) - size + 1):
                tag = found.get(tuple(terms[i : i + size]))
                if tag:
                    tags.add(tag)
        return sorted(tags)

    def synonym_tags(self, text: str) -> list[str]:
        return self.synonym_tags_of(self.terms(text))

    def query_units(self, query: str, *, prefix_last: bool = False) -> list[QueryUnit]:
        """The query split into units; the units of one synonym variant are merged into one."""
        tokens = self.tokens(query, mode="default")
        folded = fold(query)
        units: list[QueryUnit] = []
        i = 0
        while i < len(tokens):
            size, tag = self._synonym_at([t.term for t in tokens], i)
            group = tokens[i : i + size]
            text = folded[group[0].start : group[-1].end] if group else ""
            kind: TokenKind = "cjk" if any(t.kind == "cjk" for t in group) else group[0].kind
            is_last = i + size == len(tokens)
            raw_last = folded[group[-1].start : group[-1].end]
            units.append(
                QueryUnit(
                    text=text,
                    terms=tuple(dict.fromkeys(t.term for t in group)),
                    kind=kind,
                    bigrams=tuple(cjk_bigrams(text)) if kind == "cjk" else (),
                    prefix=raw_last if prefix_last and is_last and raw_last.isalnum() else None,
                    synonym=tag,
                    raw=singular(raw_last)
                    if kind == "latin" and size == 1 and raw_last.isalpha()
                    else None,
                )
            )
            i += size
        return units

    def in_other_language(self, query: str) -> str | None:
        """The query written in the other language, word by word through the synonym groups:
        each Chinese unit becomes its group's fullest English variant (``pcm`` → ``phase change
        material``), each English unit its group's first Chinese variant; a unit already in the
        target language stays. None when the query mixes both, when a unit has no variant in
        the other language, or when nothing changes."""
        units = self.query_units(query)
        kinds = {u.kind for u in units if u.kind in ("cjk", "latin")}
        if len(kinds) != 1:
            return None
        to_english = kinds == {"cjk"}
        words = []
        for unit in units:
            if unit.kind not in ("cjk", "latin"):
                words.append(unit.text)
                continue
            if unit.synonym is None:
                return None
            group = self.synonym_groups[int(unit.synonym.removeprefix("syn")) - 1]
            if to_english:
                english = [v for v in group if not _CJK.search(v)]
                if not english:
                    return None
                words.append(max(english, key=lambda v: (len(v.split()), len(v))))
            else:
                chinese = [v for v in group if _CJK.search(v)]
                if not chinese:
                    return None
                words.append(chinese[0])
        form = " ".join(words)
        return form if form and form != fold(query) else None

    def _synonym_at(self, terms: list[str], i: int) -> tuple[int, str | None]:
        for size in range(min(self._longest, len(terms) - i), 0, -1):
            tag = self._synonyms.get(tuple(terms[i : i + size]))
            if tag:
                return size, tag
        return 1, None


def _lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line]


def load_analyzer(seed_dir: Path, extra_terms: Iterable[str] = ()) -> Analyzer:
    """The analyzer with ``seed/search/terms.txt``, ``synonyms.txt`` and ``extra_terms``."""
    search = seed_dir / "search"
    terms = [*_lines(search / "terms.txt"), *extra_terms]
    groups = [
        [part.strip() for part in line.split(",")] for line in _lines(search / "synonyms.txt")
    ]
    return Analyzer(terms, [g for g in groups if len(g) >= 2])
