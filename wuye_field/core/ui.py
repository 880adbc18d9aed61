"""Phone UI helpers for templates: icons and numbers kept with their units.

Icons are one inline SVG sprite (no emoji: a phone without an emoji font shows empty boxes, and every
brand draws them differently). `icon("home")` in a template draws `#i-home` from the sprite that
base.html puts once at the top of each page; the icons are strokes in the text colour."""
from __future__ import annotations

import re

from flask import Flask
from markupsafe import Markup, escape

# name → SVG path data on a 24×24 grid, drawn as 2 px round strokes (see .icon in app.css).
ICONS = {
    "home": "M3 11l9-8 9 8M5 9.5V21h5v-6h4v6h5V9.5",
    "patrol": "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z",
    "tasks": "M15 3l-3 8M6 11h11l2 10H4zM9 15v6M14 15v6",
    "orders": "M15 4a5 5 0 0 0-4.6 6.9L3 18.3 5.7 21l7.4-7.4A5 5 0 0 0 20 9l-3 3-3-3 3-3a5 5 0 0 0-2-2z",
    "desk": "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z",
    "board": "M3 21h18M6 21V11M11 21V5M16 21v-7",
    "scan": "M4 8V4h4M16 4h4v4M20 16v4h-4M8 20H4v-4M7 12h10",
    "upload": "M7 20V4M3 8l4-4 4 4M17 4v16M13 16l4 4 4-4",
    "admin": ("M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM12 2v3M12 19v3M4.9 4.9L7 7M17 17l2.1 2.1M2 12h3M19 12h3"
              "M4.9 19.1L7 17M17 7l2.1-2.1"),
    "me": "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0",
    "handover": "M4 12a8 8 0 0 1 14-5.3M20 3v4h-4M20 12a8 8 0 0 1-14 5.3M4 21v-4h4",
    "add": "M12 5v14M5 12h14",
    "search": "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM16 16l5 5",
    "grab": ("M7 11V5a2 2 0 0 1 4 0v5M11 10V4a2 2 0 0 1 4 0v6M15 10V6a2 2 0 0 1 4 0v8a7 7 0 0 1-7 7h-1"
             "a7 7 0 0 1-6-3.5L3 14a2 2 0 0 1 3.5-2L7 13"),
    "pin": "M12 21s7-6.5 7-12a7 7 0 0 0-14 0c0 5.5 7 12 7 12zM12 12a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
    "sign": "M3 21h18M5 17l10-10 3 3-10 10H5zM13 9l3 3",
    "pause": "M8 5v14M16 5v14",
    "play": "M7 4l13 8-13 8z",
    "refresh": "M4 12a8 8 0 0 1 14-5.3M20 3v4h-4M20 12a8 8 0 0 1-14 5.3M4 21v-4h4",
    "ok": "M4 12l5 5L20 6",
    "warn": "M12 3L2 21h20zM12 10v5M12 18v.01",
    "download": "M12 3v12M7 10l5 5 5-5M4 21h16",
    "bad": "M6 6l12 12M18 6L6 18",
    "pending": "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7v5l3 3",
    "camera": "M3 8h4l2-3h6l2 3h4v12H3zM12 17a4 4 0 1 0 0-8 4 4 0 0 0 0 8z",
    "sweep": "M15 3l-3 8M6 11h11l2 10H4zM9 15v6M14 15v6",
    "mop": "M12 3v11M6 14h12l1 7H5zM9 17v4M15 17v4",
    "wipe": "M9 9h6v12H9zM10 9V5h4l3 2M7 4h1",
    "clear": "M4 6h16M9 6V3h6v3M6 6l1 15h10l1-15M10 10v7M14 10v7",
    "wash": "M4 4h8a4 4 0 0 1 4 4v2M8 14v2M12 14v3M16 14v2M10 19v2M14 19v2",
    "wax": "M12 3l2 5 5 2-5 2-2 5-2-5-5-2 5-2zM19 15l1 2 2 1-2 1-1 2-1-2-2-1 2-1z",
    "clean": "M7 10h10v10H7zM9 10V6a3 3 0 0 1 6 0v4M4 14h3M17 14h3",
    "collect": "M7 4l-4 7h6M17 4l4 7h-6M8 20h8l3-5H5zM12 4l2 3",
}


def icon(name: str, label: str | None = None) -> Markup:
    """The icon `name` as `<svg><use href="#i-name">`; decorative unless `label` names it for screen readers."""
    if name not in ICONS:
        name = "ok" if name == "done" else "tasks"
    a11y = f'role="img" aria-label="{escape(label)}"' if label else 'aria-hidden="true" focusable="false"'
    return Markup(f'<svg class="icon icon-{name}" {a11y}><use href="#i-{name}"></use></svg>')


def sprite() -> Markup:
    """Every icon as a <symbol>, once per page (base.html)."""
    symbols = "".join(f'<symbol id="i-{name}" viewBox="0 0 24 24"><path d="{path}"/></symbol>'
                      for name, path in ICONS.items())
    return Markup(f'<svg class="icon-sprite" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" '
                  f'hidden>{symbols}</svg>')


_NUMBER_SPACE = re.compile(r"(\d) ")


def units_together(text: str) -> str:
    """「6 小时 37 分」 → 「6\u00a0小时 37\u00a0分」: a number never leaves its unit alone on the next line
    (with `word-break: keep-all` the line breaks only between 「6 小时」 and 「37 分」)."""
    return _NUMBER_SPACE.sub("\\1\u00a0", str(text))


def init_ui(app: Flask) -> None:
    app.jinja_env.globals.update(icon=icon, icon_sprite=sprite)
    app.jinja_env.filters["units_together"] = units_together
