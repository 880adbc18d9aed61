"""Lighthouse (mobile) on every role's home: performance, accessibility and best-practices scores.

    npm install --prefix /tmp/lh lighthouse          # once, outside the repository
    LIGHTHOUSE=/tmp/lh/node_modules/.bin/lighthouse .venv/bin/python bench/lighthouse.py [--role guard01 …]

The app is served by gunicorn (2 workers) on a fresh SQLite database with the demo data, as in bench/sync.py.
Each demo user signs in (requests, with the login form's CSRF token); Lighthouse then loads that user's home
with the session cookie, in the system Chromium (CHROME_PATH, default /usr/bin/chromium), mobile form factor
and its default simulated throttling. Prints one line per role and exits non-zero when a score is under the
targets of issue 19 (performance ≥ 95, accessibility 100, best practices 100). `--runs N` loads each page N
times and keeps the run with the median performance score (Lighthouse's own advice for noisy machines: its
simulated CPU slowdown multiplies whatever else the machine is doing). `--json DIR` keeps the reports.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests  # noqa: E402
from sync import gunicorn, prepare_database  # noqa: E402  (bench/sync.py: the same server set-up)

ROLES = ("guard01", "cleaner01", "tech01", "supervisor01", "desk01", "admin01")
PASSWORD = "wuye-demo"
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}


def session_cookie(base: str, username: str) -> str:
    """Sign in through the form; the Cookie header value of the signed-in session."""
    session = requests.Session()
    page = session.get(base + "/login", timeout=10).text
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"username": username, "password": PASSWORD} | ({"csrf_token": match.group(1)} if match else {})
    response = session.post(base + "/login", data=data, timeout=30, allow_redirects=False)
    if response.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {response.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def run_lighthouse(lighthouse: str, url: str, cookie: str | None, out: Path) -> dict[str, int]:
    command = [
        lighthouse, url, "--quiet", "--output=json", f"--output-path={out}", "--form-factor=mobile",
        "--only-categories=performance,accessibility,best-practices",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = os.environ | {"CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, check=True, env=env, timeout=300, stdout=subprocess.DEVNULL)
    report = json.loads(out.read_text())
    return {key: round((cat["score"] or 0) * 100) for key, cat in report["categories"].items()}


def failures(report_path: Path) -> list[str]:
    """Audits that cost points, for the printout."""
    report = json.loads(report_path.read_text())
    lost = []
    for key, cat in report["categories"].items():
        for ref in cat["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                lost.append(f"{key}:{ref['id']}={audit['score']:.2f}")
    return lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", action="append", help="demo user (repeatable); default: every role, and /login")
    parser.add_argument("--json", type=Path, help="keep the Lighthouse reports in this folder")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median (by performance) is kept")
    args = parser.parse_args()
    lighthouse = os.environ.get("LIGHTHOUSE", "lighthouse")
    roles = args.role or ["login", *ROLES]
    below = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        reports = args.json or tmp_path
        reports.mkdir(parents=True, exist_ok=True)
        database_url = "sqlite:///" + str(tmp_path / "lighthouse.db")
        prepare_database(database_url, tmp_path / "data")
        (tmp_path / "instance").mkdir()
        with gunicorn(database_url, tmp_path / "data", tmp_path / "instance", workers=2) as base:
            for role in roles:
                cookie = None if role == "login" else session_cookie(base, role)
                url = base + ("/login" if role == "login" else "/")
                runs = []
                for n in range(args.runs):
                    out = reports / f"{role}-{n + 1}.json"
                    runs.append((run_lighthouse(lighthouse, url, cookie, out), out))
                runs.sort(key=lambda run: run[0]["performance"])
                scores, out = runs[len(runs) // 2]
                short = [s for s in failures(out)][:8]
                ok = all(scores.get(k, 0) >= v for k, v in TARGETS.items())
                below += not ok
                print(f"{role:13} performance {scores['performance']:3}  accessibility {scores['accessibility']:3}  "
                      f"best-practices {scores['best-practices']:3}  {'ok' if ok else 'BELOW TARGET'}"
                      + (f"  (runs: {[r[0]['performance'] for r in runs]})" if args.runs > 1 else "")
                      + (f"  ({', '.join(short)})" if short else ""), flush=True)
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
