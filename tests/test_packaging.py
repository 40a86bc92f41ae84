"""`pip install .` into a fresh virtual environment gives a working `triage` with its own rule book."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # builds and installs the wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(out.glob("*.whl"))


def test_the_wheel_carries_the_rule_book_templates_and_static_files(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "triage/rules.yaml" in names
    for folder in ("templates", "static"):
        files = [path for path in (ROOT / folder).rglob("*") if path.is_file()]
        assert files
        for path in files:
            assert f"triage/{folder}/{path.relative_to(ROOT / folder).as_posix()}" in names


def test_installed_command_works_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)  # pip installs into it from outside (its --python option)
    python = env_dir / "bin" / "python"
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", str(wheel)]
    subprocess.run(install, check=True, capture_output=True, timeout=600)
    triage = env_dir / "bin" / "triage"
    check = subprocess.run([triage, "check"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert check.returncode == 0, check.stderr
    assert "rules.yaml: OK." in check.stdout
    where = subprocess.run(
        [python, "-c", "from triage.rulebook import default_rules_path as p; print(p())"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert "site-packages" in where and Path(where).is_file()
    result = subprocess.run(
        [triage, "assess", "-"],
        input='{"sudden_symptoms": "yes"}',
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert json.loads(result.stdout)["level"] == "emergency"
    pages = subprocess.run(
        [
            python,
            "-c",
            "from triage import create_app\n"
            "client = create_app({'SECRET_KEY': 'x'}).test_client()\n"
            "print(client.get('/').status_code, client.get('/static/app.css').status_code)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert pages.stdout.split() == ["200", "200"], pages.stderr
