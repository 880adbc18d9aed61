"""One URL answers with a full page or an htmx fragment; the choice is made here only."""
from __future__ import annotations

from flask import make_response, render_template, request


def is_htmx() -> bool:
    """True when the request came from htmx (and is not a history restore, which needs the page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render(page: str, partial: str, status: int = 200, **context):
    """Render `partial` for htmx requests and `page` otherwise, with `Vary: HX-Request`.

    The Vary header keeps the service worker and any HTTP cache from serving a fragment as a page.
    """
    template = partial if is_htmx() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
