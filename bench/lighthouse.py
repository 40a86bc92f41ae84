"""Lighthouse gate: performance, accessibility and best practices must all score 100.

    .venv/bin/python bench/lighthouse.py

Audits the start page, the first question page and the call screen, served the way the README runs
the app (`triage serve`). A missing score (null) fails too. Installs Lighthouse with npm into
.tools/ on first use, and uses Debian's Chromium (CHROME_PATH, default /usr/bin/chromium).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from serving import triage_server

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools"
LIGHTHOUSE_VERSION = "12"
PAGES = ["/", "/questions/emergency", "/staff"]
CATEGORIES = ["performance", "accessibility", "best-practices"]


def lighthouse() -> Path:
    binary = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        TOOLS.mkdir(exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", f"lighthouse@{LIGHTHOUSE_VERSION}"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return binary


def audit(binary: Path, url: str, out: Path) -> dict[str, float | None]:
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    flags = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
    subprocess.run(
        [
            str(binary), url, "--quiet", "--output=json", f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={flags}",
        ],
        env=env,
        check=True,
        timeout=180,
    )  # fmt: skip
    report = json.loads(out.read_text())
    scores = {name: report["categories"][name]["score"] for name in CATEGORIES}
    for name, score in scores.items():
        if score != 1:
            for ref in report["categories"][name]["auditRefs"]:
                result = report["audits"][ref["id"]]
                if result.get("score") is not None and result["score"] < 1 and ref.get("weight", 0) > 0:
                    print(f"    {name}: {result['title']} ({result.get('displayValue', result['score'])})")
    return scores


def main() -> int:
    binary = lighthouse()
    failed = False
    with triage_server(workers=2) as (base, _server), tempfile.TemporaryDirectory() as scratch:
        for index, path in enumerate(PAGES):
            scores = audit(binary, base + path, Path(scratch) / f"report-{index}.json")
            shown = ", ".join(f"{name} {'null' if s is None else round(s * 100)}" for name, s in scores.items())
            print(f"lighthouse {path}: {shown}")
            failed |= any(score != 1 for score in scores.values())
    print("lighthouse: " + ("FAIL (every score must be 100)" if failed else "PASS (all 100)"))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
