"""The app shell the service worker precaches, and a version that changes whenever any of it does."""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import current_app, url_for

from wuye_field.core.templating import asset_url, static_hash

# Static files every page may need offline (paths under static/).
SHELL_FILES = (
    "css/app.css",
    "js/outbox.js",
    "js/photos.js",
    "js/app.js",
    "js/scanner.js",
    "js/patrol.js",
    "js/workorders.js",
    "vendor/htmx-2.0.11.min.js",
    "vendor/idb-8.0.4.umd.js",
    "vendor/jsQR-1.4.0.js",
    "icons/icon-192.png",
    "icons/icon-512.png",
    "icons/icon-maskable-512.png",
)
# Scripts the service worker itself loads (the outbox core replays in Background Sync).
WORKER_IMPORTS = ("vendor/idb-8.0.4.umd.js", "js/outbox.js")


def shell_urls() -> list[str]:
    """Versioned URLs of the shell files, plus the offline page and the web manifest."""
    return [asset_url(name) for name in SHELL_FILES] + [url_for("pwa.offline"), url_for("pwa.manifest")]


def worker_imports() -> list[str]:
    return [asset_url(name) for name in WORKER_IMPORTS]


def shell_version(worker_source: str) -> str:
    """Hash of every shell file's hash and of the worker source: a new release means a new cache."""
    digest = hashlib.sha256(worker_source.encode("utf-8"))
    for name in SHELL_FILES:
        digest.update(f"{name}={static_hash(name)}\n".encode())
    return digest.hexdigest()[:12]


def worker_source() -> str:
    return (Path(current_app.static_folder) / "sw.js").read_text(encoding="utf-8")
