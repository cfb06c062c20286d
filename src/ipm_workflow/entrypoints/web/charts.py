"""Charts of the dashboards as inline SVG drawn on the server: no JavaScript, no CDN.

A chart is a picture of a table shown right below it (the accessible version of the same
figures): horizontal bars, one per row, the value written at the end of each bar, and a target
mark where a target is set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

BAR = 22
GAP = 8
LABEL_WIDTH = 260
PLOT_WIDTH = 420
VALUE_WIDTH = 80
WIDTH = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
MAX_BARS = 40


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (None: masked or nothing to divide), an optional target."""

    label: str
    value: float | None
    shown: str
    target: float | None = None


def _short(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def bar_chart(title: str, bars: Sequence[Bar], *, share: bool = False) -> Markup:
    """An SVG bar chart titled `title` (its accessible name); shares run from 0 to 100 %."""
    bars = list(bars)[:MAX_BARS]
    height = max(1, len(bars)) * (BAR + GAP) + GAP
    known = [b.value for b in bars if b.value is not None]
    targets = [b.target for b in bars if b.target is not None]
    top = 1.0 if share else max([*known, *targets, 0.0]) or 1.0
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, b in enumerate(bars):
        y = GAP + i * (BAR + GAP)
        mid = y + BAR / 2 + 5
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{mid}" text-anchor="end" class="chart-label">'
            f"{escape(_short(b.label))}</text>"
        )
        length = 0.0 if b.value is None else PLOT_WIDTH * min(b.value / top, 1.0)
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR}" '
            'class="chart-bar"/>'
        )
        if b.target is not None:
            x = LABEL_WIDTH + PLOT_WIDTH * min(b.target / top, 1.0)
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 3}" y2="{y + BAR + 3}" '
                'class="chart-target"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{mid}" class="chart-value">'
            f"{escape(b.shown)}</text>"
        )
    if not bars:
        parts.append(f'<text x="8" y="{GAP + 14}" class="chart-label">—</text>')
    parts.append("</svg>")
    # Every text drawn was escaped above; the numbers are ours.
    return Markup("".join(parts))  # noqa: S704
