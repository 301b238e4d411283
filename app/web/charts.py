"""Bar charts drawn on the server as inline SVG (no library, no script): each bar's label on
its own line above it, so a chart reads on a phone as well as on a wide screen, its value at
the bar's end."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 400  # the viewBox's width; the SVG scales to its column
ROW = 42  # one row: a label line, then the bar
BAR = 14
VALUE_ROOM = 56  # room right of the longest bar for its value
LABEL_ROOM = 50  # in half-width characters: a wide (CJK) character takes two
INK = "#1c2526"
BAR_FILL = "#0b5d55"  # the brand's green: 7.6:1 on white
TRACK = "#e3ecea"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as the page writes it (page.number)


def fit(label: str, room: int) -> str:
    """The label, cut with "…" where it would run past ``room`` half-width characters."""
    used = 0
    for i, char in enumerate(label):
        used += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if used > room:
            return label[:i].rstrip() + "…"
    return label


def bar_chart(bars: Sequence[Bar], summary: str) -> Markup:
    """Horizontal bars, longest = full width; ``summary`` is the accessible name (role="img")."""
    height = max(len(bars), 1) * ROW + 4
    top = max((b.value for b in bars), default=0) or 1
    span = WIDTH - VALUE_ROOM
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(summary)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, bar in enumerate(bars):
        y = i * ROW
        length = round(span * max(bar.value, 0) / top, 1)
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="14" fill="{INK}">'
            f"{escape(fit(bar.label, LABEL_ROOM))}</text>"
            f'<rect x="0" y="{y + 21}" width="{span}" height="{BAR}" fill="{TRACK}"/>'
            f'<rect x="0" y="{y + 21}" width="{length}" height="{BAR}" fill="{BAR_FILL}"/>'
            f'<text x="{length + 4}" y="{y + 33}" font-size="14" font-weight="600" '
            f'fill="{INK}">{escape(bar.shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text escaped above
