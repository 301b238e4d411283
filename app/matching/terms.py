"""The words matching compares: meaningful terms of a text (stop words left out), the terms two
texts share, and problem → solution concepts that widen a need's query."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.matching import scoring
from app.matching.schemas import Reason
from app.search.analysis import Analyzer, fold

QUERY_CHARS = 600  # of a need's or project's text, enough to say what it is about

# Words too general to count as shared between a need and a project.
GENERIC = frozenset(
    [
        "技术",
        "研发",
        "系统",
        "产品",
        "应用",
        "项目",
        "合作",
        "企业",
        "需求",
        "开发",
        "产业",
        "平台",
        "服务",
        "材料",
        "设备",
        "制造",
        "technology",
        "system",
        "product",
        "application",
        "project",
        "develop",
        "industry",
        "platform",
        "service",
        "high",
        "low",
        "new",
        "use",
        "base",
        "larg",
        "small",
        "effici",
        "cost",
        "实验室",
        "科学城",
        "园区",
        "中心",
        "基地",
        "研究院",
        "大学",
        "science",
        "laboratori",
        "lab",
        "citi",
        "park",
        "centr",
        "center",
        "univers",
        "institut",
    ]
)

# A rule: any of these folded problem words → the solution words to add to the query.
ConceptRule = tuple[tuple[str, ...], str]


def term_set(analyzer: Analyzer, text: str, terms: Sequence[str] | None = None) -> frozenset[str]:
    """Meaningful terms and synonym tags of ``text`` (for overlaps and shared-term reasons);
    ``terms``, when the caller has analysed the text already."""
    terms = analyzer.terms(text) if terms is None else terms
    words = {t for t in terms if len(t) >= 2 and t not in GENERIC and not t.isdigit()}
    return frozenset(words | set(analyzer.synonym_tags_of(terms)))


def shared(
    analyzer: Analyzer,
    need_terms: frozenset[str],
    text: str,
    terms: Sequence[str] | None = None,
) -> list[str]:
    """The meaningful terms of ``text`` that are also in ``need_terms``, longest first."""
    seen = []
    for term in analyzer.terms(text) if terms is None else terms:
        if term in need_terms and term not in seen and len(term) >= 2 and term not in GENERIC:
            seen.append(term)
    return sorted(seen, key=len, reverse=True)


def with_shared_terms(
    reasons: Sequence[Reason],
    analyzer: Analyzer,
    other_terms: frozenset[str],
    title_zh: str | None,
    title_en: str | None,
    keywords: Sequence[str],
) -> list[Reason]:
    """The reasons, with the text reason naming the terms this title and keywords share."""
    out = list(reasons)
    found = shared(analyzer, other_terms, " ".join([title_zh or "", title_en or "", *keywords]))
    if found and out and out[0].code.startswith("text."):
        out[0] = scoring.text_reason(found, 1.0) or out[0]
    return out


def query_text(*parts: str | None) -> str:
    """The parts that are there, joined and cut to ``QUERY_CHARS``."""
    return " ".join(p for p in parts if p)[:QUERY_CHARS]


def load_concepts(path: Path) -> tuple[ConceptRule, ...]:
    """Problem → solution rules (``seed/search/concepts.txt``), folded for matching."""
    if not path.exists():
        return ()
    rules = []
    for line in path.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if " => " not in line:
            continue
        problem, solution = line.split(" => ", 1)
        terms = tuple(fold(t.strip()) for t in problem.split(",") if t.strip())
        rules.append((terms, " ".join(t.strip() for t in solution.split(","))))
    return tuple(rules)


def expand(text: str, rules: Sequence[ConceptRule]) -> str:
    """The text with the solution words of every problem it mentions appended."""
    folded = fold(text)
    extra = [solution for problems, solution in rules if any(p in folded for p in problems)]
    return f"{text} {' '.join(extra)}" if extra else text
