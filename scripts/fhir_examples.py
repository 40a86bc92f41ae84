"""Write the FHIR examples under examples/fhir/ from the current rule book and examples/answers.json:
the Questionnaire (as GET /fhir/Questionnaire/triage?respondent=someone_else serves it), a
QuestionnaireResponse to it, and the Bundle $assess answers with (ids and times fixed, so that the
files change only when the rule book does). tests/test_fhir.py checks that they are current.

    .venv/bin/python scripts/fhir_examples.py
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

from triage.engine import assess, check_answers
from triage.fhir import Systems, questionnaire, response_from_answers, result_bundle
from triage.rulebook import RESPONDENT, RESPONDENT_VOICES, default_rules_path, load_rulebook

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "examples" / "fhir"
BASE = "http://localhost:8000/"  # where `scripts/run` serves the app
MADE = "2026-11-25T16:00:00+00:00"


def examples() -> dict[str, Any]:
    """Each example file's name and content."""
    answers = json.loads((ROOT / "examples" / "answers.json").read_text(encoding="utf-8"))
    base = load_rulebook(default_rules_path())
    book = base.in_voice(RESPONDENT_VOICES[answers[RESPONDENT]])
    systems = Systems(BASE)
    clean, _ = check_answers(book, answers)
    response = response_from_answers(book, systems, clean, MADE)
    counter = itertools.count(1)
    bundle = result_bundle(
        book,
        systems,
        response,
        assess(base, answers),
        MADE,
        new_id=lambda: f"urn:uuid:00000000-0000-4000-8000-{next(counter):012d}",
    )
    return {
        "questionnaire.json": questionnaire(book, systems),
        "questionnaire-response.json": response,
        "bundle.json": bundle,
    }


def text(resource: Any) -> str:
    return json.dumps(resource, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, resource in examples().items():
        (OUT / name).write_text(text(resource), encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT) / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
