"""Rule books of an earlier form, read so that they can be compared with the current one: the
first answer contract (1.x: texts in one voice, a `staff` wording per question) translated to the
current form, and 2.x read without checking rule book 3's answer contract."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import yaml

from triage.rulebook import Rulebook, RulebookError, load_rulebook, parse_rulebook
from triage.yamlsource import Problem, load_plain


def load_any(path: Path) -> Rulebook:
    """A rule book of the current form, or of an earlier one: the first contract (translated to the
    current form), or 2.x (2.0 from before levels said where to go and rules what to say; 2.x of the
    second answer contract)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = load_plain(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise RulebookError(str(path), [Problem(line, f"cannot read this rule book: {_first_line(error)}")]) from None
    version = str(data.get("meta", {}).get("version", "")) if isinstance(data, dict) else ""
    found = re.match(r"(\d+)", version)
    major = int(found[1]) if found else None
    if isinstance(data, dict) and major is not None and major < 2:
        try:
            translated = _from_first_contract(data)
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            problem = f"this says version {version} but is not a rule book of the first contract ({error!r} is amiss)"
            raise RulebookError(str(path), [Problem(1, problem)]) from None
        return parse_rulebook(translated, str(path), earlier=True)
    if major == 2:  # 2.x: before the answer contract of rule book 3, read without checking it
        return parse_rulebook(text, str(path), earlier=True)
    return load_rulebook(path)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _every(text: str | None) -> dict[str, str] | None:
    return {"every_voice": text} if text is not None else None


def _from_first_contract(data: dict[str, Any]) -> str:
    every = _every
    data["meta"]["disclaimer"] = every(data["meta"]["disclaimer"])
    data["meta"]["reviewed_on"] = str(data["meta"]["reviewed_on"])
    for level in data["levels"]:
        visitor, staff = level.pop("visitor"), level.pop("staff_script")
        for key in ("title", "action", "timeframe", "safety_net"):
            level[key] = every(level[key])
        level["message"] = {"self": visitor, "other": visitor, "staff": staff}
    for section in data["sections"]:
        section["title"] = every(section["title"])
        if section.get("intro"):
            section["intro"] = every(section["intro"])
        for question in section["questions"]:
            staff = question.pop("staff")
            question["text"] = {"self": question["text"], "other": question["text"], "staff": staff}
            for key in ("hint", "error", "range_error"):
                if question.get(key):
                    question[key] = every(question[key])
            for option in question.get("options") or []:
                option["label"] = every(option["label"])
    for rule in data["rules"]:
        rule["reason"] = every(rule["reason"])
        if rule.get("advice"):
            rule["advice"] = every(rule["advice"])
    out = io.StringIO()
    yaml.safe_dump(data, out, sort_keys=False, allow_unicode=True, width=1000)
    return out.getvalue()
