"""`wuye tags --out` into a folder that does not exist yet, or cannot be written: a folder made or a
clear message, never a traceback; `make run PORT=…` prints tags that open that port."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from wuye_field.demo import load_demo
from wuye_field.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def test_out_in_a_missing_folder_makes_the_folder(runner, demo, tmp_path):
    out = tmp_path / "missing-folder" / "deeper" / "x.csv"
    result = runner.invoke(args=["wuye", "tags", "DEMO", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and str(out) in result.output


def test_out_that_cannot_be_written_is_a_clear_error(runner, demo, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = runner.invoke(args=["wuye", "tags", "DEMO", "--out", str(blocker / "x.csv")])
    assert result.exit_code == 1
    assert "无法写入" in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, OSError)  # handled, not raised


def test_demo_tags_follow_the_port_the_demo_is_served_on(app):
    assert load_demo("http://127.0.0.1:5000", app.config["PASSWORD_HASH_METHOD"]).tag_url("x") == "http://127.0.0.1:5000/t/x"
    site = load_demo("http://127.0.0.1:5055", app.config["PASSWORD_HASH_METHOD"])
    assert site.tag_url("x") == "http://127.0.0.1:5055/t/x"  # run again on another port: tags follow
    site.public_base_url = "https://wuye.example.com"  # an admin's real address is never replaced
    db.session.flush()
    assert load_demo("http://127.0.0.1:5077", app.config["PASSWORD_HASH_METHOD"]).public_base_url == "https://wuye.example.com"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_passes_its_port_to_the_demo_and_the_server():
    dry = subprocess.run(["make", "-n", "run", "PORT=5055"], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin"})
    demo_lines = [line for line in dry.stdout.splitlines() if "wuye demo" in line or "flask --app app run" in line]
    assert len(demo_lines) == 2 and all('PUBLIC_BASE_URL="http://127.0.0.1:5055"' in line for line in demo_lines)
