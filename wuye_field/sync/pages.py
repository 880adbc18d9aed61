"""The offline pages in one download (issue 19): `GET /sync/pages?u=/t/…&u=…` renders up to `MAX_PAGES` of
the signed-in user's offline pages and answers them in one JSON document, `{"pages": [{url, headers, body}],
"missing": [url, …]}`.

Every page repeats the same shell (head, icon sprite, navigation, strings: about 3.5 KB compressed each), so
33 pages fetched one by one cost some 200 KB on the wire. Compressed together, the shell and the page
markup that places share are sent once: a guard's 35 pages come to about 17 KB (Brotli) or 39 KB (gzip).
The service worker stores each page under its own URL with its own headers, exactly as if it had fetched
it alone, so every page opens offline — a cold reload included — as before.

Each page is rendered by its own view through the app's URL map, as a GET of its own inside this request
(as `sync.batch` does for field actions): the same cookie and language, a fresh application context, every
request hook. Only pages of the user's own offline list are rendered; any other URL, or a page that does
not answer 200 HTML (a redirect to the login, an error), is listed under `missing` and the phone keeps
whatever it had. The request holds no transaction while the pages run (a page may write an access row).
"""
from __future__ import annotations

import json
import logging

from flask import Flask, Request
from werkzeug.test import EnvironBuilder

from wuye_field.sync.batch import PASSED_HEADERS

log = logging.getLogger(__name__)

MAX_PAGES = 50
# A page's own headers the phone serves it with offline (its policy, its type, no-store).
PAGE_HEADERS = ("Content-Type", "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                "X-Frame-Options", "Permissions-Policy", "Cache-Control", "Content-Language")


def requested(urls: list[str], allowed: list[str]) -> tuple[list[str], list[str]]:
    """(the URLs to render, the URLs refused): at most MAX_PAGES of the user's own offline pages, in order,
    each once."""
    allowed_set = set(allowed)
    wanted: list[str] = []
    refused: list[str] = []
    for url in urls:
        if url in wanted or url in refused:
            continue
        (wanted if url in allowed_set and len(wanted) < MAX_PAGES else refused).append(url)
    return wanted, refused


def render(app: Flask, outer: Request, path: str) -> dict | None:
    """{url, headers, body} of the page at `path` as its own GET answers it, or None when that is not 200 HTML."""
    headers = {name: outer.headers[name] for name in PASSED_HEADERS if name in outer.headers}
    headers["Accept"] = "text/html"
    builder = EnvironBuilder(path=path, method="GET", base_url=outer.host_url, headers=headers,
                             environ_base={"REMOTE_ADDR": outer.remote_addr or ""})
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    try:
        with app.app_context(), app.request_context(environ):
            response = app.full_dispatch_request()
            if response.status_code != 200 or response.mimetype != "text/html" or response.is_streamed:
                return None
            return {"url": path, "body": response.get_data(as_text=True),
                    "headers": {name: response.headers[name] for name in PAGE_HEADERS if name in response.headers}}
    except Exception:  # noqa: BLE001 - one page that fails is missing from the download, the others are kept
        log.exception("offline page %s could not be rendered", path)
        return None


def bundle(app: Flask, outer: Request, urls: list[str], allowed: list[str]) -> str:
    """The JSON document of the pages asked for (see the module's docstring)."""
    wanted, missing = requested(urls, allowed)
    pages = []
    for url in wanted:
        page = render(app, outer, url)
        if page is None:
            missing.append(url)
        else:
            pages.append(page)
    return json.dumps({"pages": pages, "missing": missing}, ensure_ascii=False, separators=(",", ":"))
