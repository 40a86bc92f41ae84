"""Rule cases: YAML files (tests/cases/) that pin the clinical behaviour. Read here, for the
test suite and for the clinician's report.

A file holds an optional `baseline` (answers every case starts from) and a list of `cases`:

    - name: A sentence saying what the person should be told
      answers: {swallowing: "yes"}      # laid over the baseline; null removes a baseline answer
      level: urgent                     # the overall level ...
      fired: {swallowing: urgent}       # ... and every rule that fires, with its level
    - name: ...
      baseline: false                   # use only these answers (the emergency short-cut)
      answers: {breathing_now: "yes"}
      level: emergency
      fired: {breathing_now: emergency}
    - name: ...
      answers: {age: "forty"}
      errors: {age: not_a_whole_number} # the answers are refused, with these field errors
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from triage.yamlsource import load_plain

FILE_KEYS = {"baseline", "cases"}
CASE_KEYS = {"name", "answers", "baseline", "level", "fired", "errors"}


class CaseFileError(Exception):
    """A case file that cannot be read as cases; the message names the file and the case."""


@dataclass(frozen=True)
class Case:
    file: Path
    name: str
    answers: dict[str, Any]
    level: str | None = None
    fired: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] | None = None
    given: dict[str, Any] = field(default_factory=dict)  # the case's own answers, without the baseline


MAX_BYTES = 1024 * 1024  # a case file is a few KB; a huge one is refused unread


def load_cases(path: Path) -> list[Case]:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise CaseFileError(f"{path.name}: larger than {MAX_BYTES // 1024} KB, which no case file is")
        data = load_plain(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CaseFileError(f"{path.name}: cannot be read as YAML: {first}") from None
    if not isinstance(data, dict) or not set(data) <= FILE_KEYS or not isinstance(data.get("cases"), list):
        raise CaseFileError(f"{path.name}: a case file is a mapping with 'cases' (a list) and optional 'baseline'")
    baseline = data.get("baseline") or {}
    cases = []
    for number, raw in enumerate(data["cases"], start=1):
        label = f"{path.name}: case {number}"
        if not isinstance(raw, dict):
            raise CaseFileError(f"{label} is not a mapping")
        unknown = set(raw) - CASE_KEYS
        if unknown:
            raise CaseFileError(f"{label} has unknown key(s) {sorted(unknown)}; allowed: {sorted(CASE_KEYS)}")
        if "name" not in raw or ("errors" in raw) == ("level" in raw):
            raise CaseFileError(f"{label} needs a 'name' and either 'level' with 'fired', or 'errors'")
        if "level" in raw and not isinstance(raw.get("fired"), dict | None):
            raise CaseFileError(f"{label}: 'fired' maps each rule that fires to its level")
        answers = dict(baseline) if raw.get("baseline", True) else {}
        for key, value in (raw.get("answers") or {}).items():
            if value is None:
                answers.pop(key, None)
            else:
                answers[key] = value
        given = {k: v for k, v in (raw.get("answers") or {}).items() if v is not None}
        fired = dict(raw.get("fired") or {})
        cases.append(Case(path, str(raw["name"]), answers, raw.get("level"), fired, raw.get("errors"), given))
    names = [case.name for case in cases]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise CaseFileError(f"{path.name}: case names must be unique: {sorted(duplicates)}")
    return cases
