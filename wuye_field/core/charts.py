"""Small server-rendered SVG charts (no script): a trend line, bars and a strip of states.

Each chart is an `<a>` to the table behind it wrapping an `<svg role="img">` with a `<title>` that says
what it shows and a `<desc>` that lists every number, so a screen reader reads the figures; the numbers
are also drawn as `<text>` where they fit. Colours come from CSS classes (`chart-ok`, `chart-late`,
`chart-missed`, `chart-open`, `chart-line`), so the charts follow the app's stylesheet.
"""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

from flask_babel import gettext as _
from markupsafe import Markup

WIDTH, HEIGHT = 300, 80


def _frame(body: str, title: str, desc: str, href: str | None, width: int = WIDTH, height: int = HEIGHT) -> Markup:
    """The chart in a `<figure>` whose caption is its title (seen), the `<svg>` carrying title and desc (read)."""
    if not body:
        body = (f'<text class="chart-axis" x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle">'
                f'{escape(_("暂无数据"))}</text>')
    svg = (f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title><desc>{escape(desc)}</desc>'
           f'{body}</svg>')
    if href:
        svg = f'<a class="chart-link" href="{escape(href)}">{svg}</a>'
    return Markup(f'<figure class="chart-figure"><figcaption class="small muted">{escape(title)}</figcaption>'
                  f'{svg}</figure>')


def trend(points: Sequence[tuple[str, float | None]], title: str, href: str | None = None,
          target: float | None = None) -> Markup:
    """A line of shares (0…1, None for a day with nothing to count) over labelled days, the last value
    written at the right; an optional dashed target line."""
    n = len(points)
    step = (WIDTH - 40) / max(n - 1, 1)
    top, bottom = 8, HEIGHT - 14

    def y(value: float) -> float:
        return bottom - value * (bottom - top)

    parts, segment = [], []
    for i, (_label, value) in enumerate(points):
        if value is None:
            if len(segment) > 1:
                parts.append(segment)
            segment = []
            continue
        segment.append(f"{i * step:.1f},{y(value):.1f}")
    if len(segment) > 0:
        parts.append(segment)
    body = "".join(f'<polyline class="chart-line" fill="none" points="{" ".join(s)}"/>' if len(s) > 1 else
                   f'<circle class="chart-line" r="2" cx="{s[0].split(",")[0]}" cy="{s[0].split(",")[1]}"/>'
                   for s in parts)
    if target is not None:
        body += f'<line class="chart-target" x1="0" x2="{WIDTH - 40}" y1="{y(target):.1f}" y2="{y(target):.1f}"/>'
    last = next((v for _l, v in reversed(points) if v is not None), None)
    if last is None:
        return _frame("", title, "; ".join(f"{label} —" for label, _v in points) or _("暂无数据"), href)
    body += f'<text class="chart-text" x="{WIDTH - 36}" y="{y(last) + 4:.1f}">{last * 100:.0f}%</text>'
    if points:
        body += (f'<text class="chart-axis" x="0" y="{HEIGHT - 2}">{escape(points[0][0])}</text>'
                 f'<text class="chart-axis" x="{WIDTH - 40}" y="{HEIGHT - 2}" text-anchor="end">'
                 f'{escape(points[-1][0])}</text>')
    desc = "; ".join(f"{label} {'—' if v is None else f'{v * 100:.0f}%'}" for label, v in points)
    return _frame(body, title, desc, href)


def bars(items: Sequence[tuple[str, int, str]], title: str, href: str | None = None) -> Markup:
    """Horizontal bars (label, count, css class), each with its number."""
    height = 18 * max(len(items), 1) + 4
    peak = max((n for _l, n, _c in items), default=0) or 1
    body = ""
    for i, (label, count, css) in enumerate(items):
        y = 4 + i * 18
        length = (WIDTH - 140) * count / peak
        body += (f'<text class="chart-axis" x="0" y="{y + 12}">{escape(label)}</text>'
                 f'<rect class="{escape(css)}" x="90" y="{y}" width="{length:.1f}" height="14"/>'
                 f'<text class="chart-text" x="{94 + length:.1f}" y="{y + 12}">{count}</text>')
    desc = "; ".join(f"{label} {count}" for label, count, _c in items)
    return _frame(body, title, desc, href, height=height)


def strip(rows: Sequence[tuple[str, Sequence[tuple[str, str, str]]]], title: str, href: str | None = None) -> Markup:
    """One row of cells per subject: (row label, [(cell label, state label, css class)])."""
    height = 16 * max(len(rows), 1) + 4
    body = ""
    for r, (label, cells) in enumerate(rows):
        y = 4 + r * 16
        width = (WIDTH - 90) / max(len(cells), 1)
        body += f'<text class="chart-axis" x="0" y="{y + 11}">{escape(label)}</text>'
        for c, (cell, state, css) in enumerate(cells):
            body += (f'<rect class="{escape(css)}" x="{90 + c * width:.1f}" y="{y}" width="{max(width - 2, 1):.1f}" '
                     f'height="12"><title>{escape(cell)} {escape(state)}</title></rect>')
    desc = "; ".join(f"{label}: " + ", ".join(f"{cell} {state}" for cell, state, _c in cells) for label, cells in rows)
    return _frame(body, title, desc, href, height=height)
