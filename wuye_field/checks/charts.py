"""A small server-rendered SVG line chart of meter readings (no script, works offline and in print).

`core.charts.trend` draws shares (0–1, written as %); readings are raw values with a unit, so this one
draws them on their own scale, with the same CSS classes (`chart`, `chart-line`, `chart-axis`) and a
`<title>` and `<desc>` listing every reading for screen readers."""
from __future__ import annotations

from datetime import datetime
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, PAD = 320, 120, 24


def line_chart(points: list[tuple[datetime, float]], *, label: str, unit: str) -> Markup:
    """An inline <svg> of (time, value) points, oldest first: the line, the dots, min and max labelled."""
    if not points:
        return Markup("")
    values = [v for _t, v in points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    t0, t1 = points[0][0].timestamp(), points[-1][0].timestamp()
    tspan = (t1 - t0) or 1.0

    def xy(when: datetime, value: float) -> tuple[float, float]:
        x = PAD + (when.timestamp() - t0) / tspan * (WIDTH - 2 * PAD) if len(points) > 1 else WIDTH / 2
        y = HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD)
        return round(x, 1), round(y, 1)

    coords = [xy(t, v) for t, v in points]
    path = " ".join(f"{x},{y}" for x, y in coords)
    dots = "".join(f'<circle cx="{x}" cy="{y}" r="2.5"/>' for x, y in coords)
    title = escape(f"{label}（{unit}）")
    desc = escape("; ".join(f"{t:%m-%d} {v:g}" for t, v in points))
    return Markup(
        f'<svg class="chart meter-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{title}</title><desc>{desc}</desc>'
        f'<line class="chart-axis" x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}"/>'
        f'<polyline class="chart-line" fill="none" points="{path}"/>'
        f'<g class="chart-line">{dots}</g>'
        f'<text class="chart-axis" x="2" y="{PAD - 8}">{escape(f"{high:g}")}</text>'
        f'<text class="chart-axis" x="2" y="{HEIGHT - 6}">{escape(f"{low:g}")}</text>'
        "</svg>")
