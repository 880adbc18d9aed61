"""Static files under content-hashed names (css/app.<hash>.css), cached for a year; responses compressed.

`asset_url("css/app.css")` names the file with the first 10 hex digits of its SHA-256, so a new release is a
new URL and the old one may be cached forever (`immutable`). The static view strips the hash again: a
matching hash is served with the one-year cache, a stale hash (a page cached before a release) still
gets the current file but with `no-cache`, and an unhashed name likewise. No build step: the hash is
computed from the file itself and cached on its modification time.

Compression is Flask-Compress: Brotli where the client accepts it, else gzip, for every text response
(HTML, JSON, CSS, JS, SVG, the web manifest), at a level cheap enough for every request. Static text
files never change under their name, so they are compressed once per file at the strongest level (Brotli
11, gzip 9, with the same libraries) and kept in memory: the QR decoder is 33 KB instead of 45.
"""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from functools import lru_cache
from pathlib import Path

import brotli
from flask import Flask, Response, abort, current_app, request, url_for
from flask_compress import Compress
from werkzeug.security import safe_join

HASH_LENGTH = 10
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})(?P<ext>\.[A-Za-z0-9]+)$")

COMPRESS_MIMETYPES = [
    "text/html", "text/css", "text/plain", "text/csv", "text/javascript", "application/javascript",
    "application/json", "application/manifest+json", "image/svg+xml",
]

STATIC_MIN_SIZE = 500

compress = Compress()


@lru_cache(maxsize=512)
def _read(path: str, mtime: float) -> tuple[bytes, str]:
    data = Path(path).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:HASH_LENGTH]


def _file(filename: str) -> tuple[bytes, str] | None:
    path = safe_join(current_app.static_folder, filename)
    if path is None:
        return None
    try:
        return _read(path, Path(path).stat().st_mtime)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


@lru_cache(maxsize=256)
def _compressed(path: str, mtime: float, encoding: str) -> bytes:
    data = _read(path, mtime)[0]
    return brotli.compress(data, quality=11) if encoding == "br" else gzip.compress(data, compresslevel=9, mtime=0)


def _static_encoding(mimetype: str, size: int) -> str | None:
    """br or gzip when the client takes it and the file is text worth compressing; else None."""
    if mimetype not in COMPRESS_MIMETYPES or size < STATIC_MIN_SIZE:
        return None
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if accepted[encoding]:
            return encoding
    return None


def static_hash(filename: str) -> str:
    """Short content hash of a static file (changes whenever the file does)."""
    found = _file(filename)
    if found is None:
        raise FileNotFoundError(filename)
    return found[1]


def hashed_name(filename: str) -> str:
    """css/app.css → css/app.<hash>.css."""
    stem, dot, ext = filename.rpartition(".")
    if not dot or "/" in ext:
        return f"{filename}.{static_hash(filename)}"
    return f"{stem}.{static_hash(filename)}.{ext}"


def logical_name(filename: str) -> tuple[str, str | None]:
    """css/app.<hash>.css → ("css/app.css", "<hash>"); an unhashed name → (name, None)."""
    match = _HASHED.match(filename)
    if not match:
        return filename, None
    return match["stem"] + match["ext"], match["hash"]


def asset_url(filename: str) -> str:
    """URL of a static file under its content-hashed name."""
    return url_for("static", filename=hashed_name(filename))


def serve_static(filename: str) -> Response:
    """The static view: the current file for a hashed or plain name; a year's cache only when the hash matches."""
    name, wanted = logical_name(filename)
    found = _file(name)
    if found is None and wanted is not None:  # a file whose own name looks hashed
        name, wanted, found = filename, None, _file(filename)
    if found is None:
        abort(404)
    data, digest = found
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    encoding = _static_encoding(mimetype, len(data))
    if encoding:
        path = safe_join(current_app.static_folder, name)
        data = _compressed(path, Path(path).stat().st_mtime, encoding)
    response = Response(data, mimetype=mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding  # Flask-Compress leaves an encoded response alone
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(f"{digest}:{encoding}" if encoding else digest)
    response.headers["Cache-Control"] = IMMUTABLE if wanted == digest else REVALIDATE
    return response.make_conditional(request)


def init_static_files(app: Flask) -> None:
    """Hashed static URLs and compression (Brotli, else gzip) of every text response."""
    app.view_functions["static"] = serve_static
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESS_MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    compress.init_app(app)
