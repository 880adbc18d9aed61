"""What the photo tests share: guard01 signed in, and the photo files on disk."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def guard(client, auth, demo):
    """The test client signed in as guard01 of the demo site."""
    auth.login("guard01")
    return client


def photo_files(app) -> list[Path]:
    """Every file under the app's photo store, sorted (none when the store does not exist yet)."""
    root = Path(app.config["WUYE_DATA_DIR"]) / "photos"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
