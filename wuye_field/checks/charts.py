"""A small server-rendered SVG line chart of meter readings (no script, works offline and in print).

core has no chart helper yet on this branch; this one stays tiny and can move there when it arrives."""
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
    return Markup(
        f'<svg class="meter-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#999"/>'
        f'<polyline fill="none" stroke="#1565c0" stroke-width="2" points="{path}"/>'
        f'<g fill="#1565c0">{dots}</g>'
        f'<text x="2" y="{PAD - 8}" font-size="10">{escape(f"{high:g}")}</text>'
        f'<text x="2" y="{HEIGHT - 6}" font-size="10">{escape(f"{low:g}")}</text>'
        "</svg>")
