"""Signing a rule book: a clinician's name, the time, and the SHA-256 of what they signed.

The signature block sits at the end of rules.yaml. The hash covers everything else in the file,
so any edit after signing (one character is enough) makes the rule book a draft again: `triage
check` says "DRAFT: changed since it was signed", every result says it is a draft, and with
TRIAGE_REQUIRE_SIGNED=true the app refuses to start. Only a rule book that loads and whose policy
is proved can be signed.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

from triage.analysis import verify
from triage.rulebook import SIGNATURE, RulebookError, content_sha256, load_rulebook, signature_span
from triage.rulebook.translation import signed_catalogs
from triage.yamlsource import Problem, Problems, compose


def sign_file(path: Path, by: str, now: datetime.datetime | None = None) -> str:
    """Sign the rule book at `path` in place; return what was recorded. RulebookError if it
    cannot be used, or if its policy is not proved."""
    if re.search(r"[\x00-\x1f\x7f-\x9f]", by):
        raise RulebookError(
            str(path), [Problem(1, "the name after --by must be plain text, without control characters")]
        )
    by = " ".join(by.split())
    if not by:
        raise RulebookError(str(path), [Problem(1, "say who signs, with their role: --by 'Name, role'")])
    rulebook = load_rulebook(path)  # refuses a broken rule book, with its lines
    report = verify(rulebook)
    if not report.ok:
        raise RulebookError(str(path), report.problems())
    text = path.read_text(encoding="utf-8")
    signed = sign_text(text, by, now or datetime.datetime.now().astimezone(), signed_catalogs(path))
    path.write_text(signed, encoding="utf-8")
    return signed[signed.rindex(f"\n{SIGNATURE}:") + 1 :]


def sign_text(text: str, by: str, when: datetime.datetime, catalogs: str = "") -> str:
    """The rule book's text with its signature block (replacing any earlier one) at the end; the
    hash covers its catalogs in other languages too (`catalogs`)."""
    problems = Problems("rules.yaml")
    root = compose(text, problems)
    problems.raise_if_any()
    assert root is not None  # compose reports an empty file as a problem
    span = signature_span(text, root)
    content = (text if span is None else text[: span[0]] + text[span[1] :]).rstrip()
    digest = content_sha256(text, root, catalogs)
    block = (
        f"{SIGNATURE}:\n"
        f"  # Written by `triage sign`. Any change to the rest of this file makes the rule book a draft again.\n"
        f"  by: {json.dumps(by, ensure_ascii=False)}\n"
        f'  on: "{when.isoformat(timespec="seconds")}"\n'
        f'  sha256: "{digest}"\n'
    )
    return f"{content}\n\n{block}"
