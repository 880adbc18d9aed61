"""What the service worker keeps: the shell every role needs (precached at install), each role's own scripts
(cached with the role's offline download), and a version that changes whenever the shell does.

The QR decoder is in neither list: the scanner page fetches it the first time it is opened (and only
where the browser has no BarcodeDetector); the worker then keeps it for offline use.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import current_app, url_for

from wuye_field.core.templating import asset_url, static_hash

# Static files every page needs offline (paths under static/). htmx is not among them: it only enhances
# (refresh, partial updates) pages that work without it, so the page loads it when online and the worker
# keeps it once fetched.
SHELL_FILES = (
    "css/app.css",
    "js/outbox.js",
    "js/photos.js",
    "js/app.js",
    "js/outbox-page.js",  # the 「上传记录」 page's own script: every role has that page offline
    "js/alerts.js",  # live alerts (issue 16)
    "js/sos.js",     # the SOS button's script, loaded on its first press (issue 16)
    "vendor/idb-8.0.4.umd.js",
)
# Each role's own scripts, cached with its offline pages (roles that scan tags get the scanner page's script).
ROLE_FILES = {
    "guard": ("js/scanner.js", "js/patrol.js"),
    "cleaner": ("js/scanner.js", "js/patrol.js"),
    "technician": ("js/scanner.js", "js/patrol.js", "js/workorders.js"),
    "supervisor": ("js/scanner.js", "js/patrol.js", "js/workorders.js"),
    "gate": ("js/scanner.js", "js/gate.js"),
    "desk": ("js/workorders.js",),
    "admin": (),
}
# Fetched by the scanner page on first use, never precached.
DECODER_FILE = "vendor/jsQR-1.4.0.js"
SCANNING_ROLES = ("guard", "cleaner", "technician", "supervisor")
# Scripts the service worker itself loads (the outbox core and its sending half replay in Background Sync;
# pages load outbox-send.js only when something waits).
WORKER_IMPORTS = ("vendor/idb-8.0.4.umd.js", "js/outbox.js", "js/outbox-send.js")


def shell_urls() -> list[str]:
    """Versioned URLs of the shell files, plus the offline page and the web manifest."""
    return [asset_url(name) for name in SHELL_FILES] + [url_for("pwa.offline"), url_for("pwa.manifest")]


def role_files(roles) -> list[str]:
    """Static files (names under static/) the holder of `roles` needs offline beyond the shell, in a fixed order."""
    names: list[str] = []
    for role, files in ROLE_FILES.items():
        if role in roles:
            names += [name for name in files if name not in names]
    return names


def offline_assets(user) -> list[str]:
    """Versioned URLs of the user's role files."""
    return [asset_url(name) for name in role_files(user.roles)]


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
