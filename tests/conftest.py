"""Collects the rule cases in tests/cases/*.yaml as test items, and shares fixtures."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from casefiles import MEASUREMENT, Case, CaseFileError, check_case, default_rulebook, load_cases

from triage.rulebook import Rulebook

pytest_plugins = ["browser_support"]

# Offices are open in every test (a Wednesday at 16:00 UTC: 09:00 in Edmonton, 11:00 in Toronto) unless
# a test sets the clock itself: results must not depend on when the tests run (tests/test_hours.py
# covers the hours).
OFFICE_HOURS = datetime.datetime(2026, 11, 25, 16, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def office_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    from triage import dates

    monkeypatch.setattr(dates, "utc_now", lambda: OFFICE_HOURS)
    monkeypatch.setenv("TZ", "UTC")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow",
        action="store_true",
        help="run the tests marked slow too (scripts/test and CI do; a plain pytest run leaves them out)",
    )


def slow_asked(config: pytest.Config) -> bool:
    """Whether the tests marked slow run: `--run-slow`, as scripts/test and CI give it, or a `-m`
    expression that names them."""
    return bool(config.getoption("--run-slow")) or "slow" in config.getoption("markexpr", "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked slow are left out (deselected) unless asked for."""
    if slow_asked(config):
        return
    slow = [item for item in items if "slow" in item.keywords]
    if slow:
        items[:] = [item for item in items if "slow" not in item.keywords]
        config.hook.pytest_deselected(items=slow)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent.name == "cases":
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        for case in load_cases(self.path):
            yield CaseItem.from_parent(self, name=case.name, case=case)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, CaseFileError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class CaseMismatchError(Exception):
    pass


class CaseItem(pytest.Item):
    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        problems = check_case(default_rulebook(), self.case)
        if problems:
            raise CaseMismatchError(problems)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, CaseMismatchError):
            details = "\n".join(f"  {p}" for p in excinfo.value.args[0])
            return f"{self.path.name}: Case '{self.case.name}'\n{details}\n  answers: {self.case.answers}"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.path.name}: Case '{self.case.name}'"


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    return default_rulebook()


MEASURED: list[str] = []  # the lines tests gave (`casefiles.measured`), for the summary


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Each test's measurements, from its last report (in the process that prints the summary,
    whether the test ran there or in a pytest-xdist worker)."""
    if report.when == "teardown":
        MEASURED.extend(str(line) for name, line in report.user_properties if name == MEASUREMENT)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not slow_asked(config):
        terminalreporter.write_line("tests marked slow were left out: scripts/test (or --run-slow) runs them")
    lines = MEASURED
    if lines:
        terminalreporter.section("measurements")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def app() -> Any:
    from triage import create_app

    return create_app({"SECRET_KEY": "test-secret", "TESTING": True})


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def visitor(client: Any) -> Any:
    from webpages import Visitor

    return Visitor(client)
