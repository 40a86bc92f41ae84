"""The proof of the clinical policy, run for the web app in a process of its own.

The app does not start on a rule book whose policy is not proved (triage.analysis). The solver
that proves it is large (about 30 MB in memory), so the proof runs in a separate, short-lived
process (`python -m triage.proof`): the app's own processes, and the server workers forked from
them, never load it. A proof
that held is remembered for the rest of the process, by what it depends on (`logic_key`): apps
built again with the same rules, as in the tests, are not proved again.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from triage.rulebook import Rulebook, load_rulebook
from triage.yamlsource import Problem

_PROVED: set[str] = set()  # what proofs that held depended on


def policy_problems(rulebook: Rulebook, path: str | Path | None) -> list[Problem]:
    """Every statement of the rule book's policy that is not proved, as problems on their lines
    (none when the whole policy holds). `path` is the file the rule book was loaded from."""
    key = logic_key(rulebook)
    if key in _PROVED:
        return []
    found = _prove_apart(None if path is None else str(path))
    if found is None:  # no Python to start here (an embedded interpreter): prove in this process
        found = _prove(None if path is None else str(path))
    if not found:
        _PROVED.add(key)
    return [Problem(line, message) for line, message in found]


def _prove_apart(path: str | None) -> list[tuple[int, str]] | None:
    """The proof in a process of its own; None if no such process can be started."""
    command = [sys.executable, "-m", "triage.proof", *([] if path is None else [path])]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    except OSError:
        return None
    if done.returncode != 0:
        raise RuntimeError(f"the proof of the clinical policy could not run: {done.stderr.strip()[-2000:]}")
    return [(int(line), str(message)) for line, message in json.loads(done.stdout)]


def _prove(path: str | None) -> list[tuple[int, str]]:
    from triage.analysis import verify  # loaded here, in the proof's own process only

    report = verify(load_rulebook(path))
    return [(problem.line, problem.message) for problem in report.problems()]


def logic_key(rulebook: Rulebook) -> str:
    """What a proof depends on: questions, follow-up conditions, rules, levels and the policy (not
    the words, nor the emergency number)."""
    questions = [
        (q.id, q.kind, q.values, q.required, q.ask_when, q.minimum, q.maximum, q.voices) for q in rulebook.questions
    ]
    policy = rulebook.policy
    parts: dict[str, Any] = {
        "questions": questions,
        "rules": [(r.id, r.level.id, r.level.rank, r.when) for r in rulebook.rules],
        "levels": [(level.id, level.rank) for level in rulebook.levels],
        "first": [q.id for q in rulebook.sections[0].questions],
        "minimum": [(m.id, m.when, m.at_least.id) for m in policy.minimum_levels],
        "never": [(n.id, n.question, n.answer) for n in policy.never_lower],
        "order": sorted((k, tuple(sorted(map(sorted, v)))) for k, v in policy.problem_order.items()),
        "context": sorted(policy.context),
    }
    return repr(parts)


if __name__ == "__main__":  # the proof's own process: prints the problems found, as JSON
    print(json.dumps(_prove(sys.argv[1] if len(sys.argv) > 1 else None)))
