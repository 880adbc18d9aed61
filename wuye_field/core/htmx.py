"""One URL answers with a full page or an htmx fragment; the choice is made here only."""
from __future__ import annotations

from flask import current_app, make_response, redirect, render_template, request


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


def see_other(url: str):
    """After a successful POST: htmx follows `HX-Redirect`, a plain form gets a 303."""
    if is_htmx():
        response = current_app.response_class(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)
