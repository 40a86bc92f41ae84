"""Lighthouse gate: performance, accessibility and best practices must all score 100.

    .venv/bin/python bench/lighthouse.py

Audits the start page, the first question page and the call
screen, in English and in French, served the way the README runs the app (`triage serve`). Scores
vary from run to run with the machine's load, so each page is audited three times and the median
score of each category must be 100, as Lighthouse's own guidance on variability advises. A missing
score (null) fails. A run that ends in a Lighthouse runtime error (such as NO_NAVSTART) is repeated,
at most twice for a page. Installs Lighthouse with npm into .tools/ on first use, and uses Debian's
Chromium (CHROME_PATH, default /usr/bin/chromium).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from serving import triage_server

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools"
LIGHTHOUSE_VERSION = "12"
# Served offering English and French (TRIAGE_LANGUAGES=en,fr_CA): each page in both.
PAGES = ["/", "/questions/emergency", "/staff", "/fr/", "/fr/questions/emergency", "/fr/staff"]
RUNS = 3
RETRIES = 2
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


def median_scores(binary: Path, url: str, scratch: Path) -> dict[str, float | None]:
    runs: list[dict[str, float | None]] = []
    retries = RETRIES
    while len(runs) < RUNS:
        try:
            runs.append(audit(binary, url, scratch / f"report-{len(runs)}.json"))
        except subprocess.CalledProcessError:
            if not retries:
                raise
            retries -= 1
            print(f"    (Lighthouse runtime error on {url}: running it again)")
    medians: dict[str, float | None] = {}
    for name in CATEGORIES:
        values = [run[name] for run in runs]
        medians[name] = None if None in values else statistics.median(v for v in values if v is not None)
        print(f"    {name}: runs {', '.join('null' if v is None else str(round(v * 100)) for v in values)}")
    return medians


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
    languages = {"TRIAGE_LANGUAGES": "en,fr_CA"}
    with triage_server(workers=2, **languages) as (base, _server), tempfile.TemporaryDirectory() as scratch:
        for path in PAGES:
            scores = median_scores(binary, base + path, Path(scratch))
            shown = ", ".join(f"{name} {'null' if s is None else round(s * 100)}" for name, s in scores.items())
            print(f"lighthouse {path} (median of {RUNS}): {shown}")
            failed |= any(score != 1 for score in scores.values())
    print("lighthouse: " + ("FAIL (every score must be 100)" if failed else "PASS (all 100)"))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
