"""Text that stays where it is put (R29 in docs/standards.md): what users type is cleaned on the way in, and
isolated on the way out.

In: `clean_text()` is the one cleaning of free text every service applies before storing it — control
characters, escape sequences and the invisible characters that reorder or hide text (direction
embeddings, overrides and isolates, marks, zero-width characters) are removed; a note keeps its line
breaks, a name becomes one line. Field actions store the cleaned text (a record made offline is never
refused for an invisible character); forms a person can correct call `text_problem()` and show its
Chinese message next to the field.

Out: every value a template prints loses direction controls (`strip_direction_controls` is the Jinja
`finalize`, so text stored before this cleaning cannot reverse a page either), and names and notes are
printed through the `bdi` filter — `<bdi>` isolates right-to-left text from its neighbours. CSV cells
get the same cleaning in `core.csv_export`.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from markupsafe import Markup, escape

# Direction embeddings/overrides/isolates, marks (LRM, RLM, ALM), zero-width characters, word joiner
# and invisible operators, and the BOM: nothing a user means to type, everything that can hide or reorder.
_INVISIBLE = "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
_DIRECTION_RE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS_RE = re.compile("\r\n|[\r\u2028\u2029\x85]")
_SINGLE_LINE_RE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_INVISIBLE}]")
_MULTILINE_RE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")  # keeps \t and \n
_TAB_RE = re.compile("[\t\n]")


def clean_text(raw: object, *, multiline: bool = False) -> str:
    """`raw` as text fit to store: line breaks normalised to \\n; in a `multiline` text line breaks and tabs
    are kept, in a single line each becomes a space; every other control or invisible formatting
    character is removed and surrounding whitespace stripped. None → ''."""
    text = _LINE_BREAKS_RE.sub("\n", "" if raw is None else str(raw))
    if multiline:
        text = _MULTILINE_RE.sub("", text)
    else:
        text = _SINGLE_LINE_RE.sub("", _TAB_RE.sub(" ", text))
    return text.strip()


def text_problem(raw: object, *, multiline: bool = False) -> str | None:
    """The Chinese message for a form field whose text holds characters `clean_text` would remove
    (None when there are none). Tabs, and line breaks in a multi-line field, are not a problem."""
    text = _LINE_BREAKS_RE.sub("\n", "" if raw is None else str(raw)).replace("\t", " ")
    if (_MULTILINE_RE if multiline else _SINGLE_LINE_RE).search(text):
        return _("含有看不见的控制字符（常见于复制粘贴），请删除后重新输入。")
    return None


def strip_direction_controls(value):
    """Jinja `finalize`: every printed string without direction controls (markup stays markup)."""
    if isinstance(value, Markup):
        return Markup(_DIRECTION_RE.sub("", str(value)))
    if isinstance(value, str):
        return _DIRECTION_RE.sub("", value)
    return value


def isolate(value) -> Markup:
    """Template filter `bdi`: the escaped text in `<bdi>`, so right-to-left text never reorders its
    neighbours (a name next to a number, a note in a list)."""
    if value is None:
        return Markup("")
    text = value if isinstance(value, Markup) else str(value)
    return Markup("<bdi>%s</bdi>") % escape(strip_direction_controls(text))
