"""HTTP security headers: a strict Content-Security-Policy (htmx runs with allowEval off) and no-store pages."""
from __future__ import annotations

from flask import Flask, Response, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register_security_headers(app: Flask) -> None:
    """Add CSP and friends to every response; HTML is never stored by the browser's HTTP cache.

    `no-store` keeps resident data out of the back/forward cache on a shared phone (R17);
    the service worker caches the pages a worker needs offline explicitly, per user.
    """

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.endpoint == "static":
            return response  # scripts, styles, images: the page's policy governs them (fewer bytes per file)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
        if response.mimetype in {"text/html", "application/json"} and request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response
