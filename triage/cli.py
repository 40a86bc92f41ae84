"""The `triage` command: check a rule book, or assess a set of answers from JSON (the clinical
lead's tools, `diff`, `sign`, `translations` and `report`, are in `triage.lead_commands`)."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from triage.engine import AnswerError, assess
from triage.rulebook import Rulebook, RulebookError, load_rulebook
from triage.strictjson import DuplicateKeyError, read_json

if TYPE_CHECKING:
    from triage.analysis import Report

EXIT_OK, EXIT_BAD_RULES, EXIT_BAD_ANSWERS = 0, 1, 2
EXIT_BAD_INPUT = 2  # a setting, a file or an argument that cannot be used
MAX_ANSWERS_BYTES = 1024 * 1024  # an answers file is a few KB; like a rule book, a huge one is refused
MAX_ERRORS_SHOWN = 100


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="triage", description="ALS red-flag triage: rule book tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate a rule book and list its red-flag inventory")
    check.add_argument("rules", nargs="?", type=Path, help="rule book to check (default: the built-in rules.yaml)")
    check.add_argument(
        "--language",
        action="append",
        default=[],
        help="check it in this language too, from its catalog (such as fr_CA); may be repeated",
    )
    translations = commands.add_parser(
        "translations", help="the rule book's texts for translators: gettext catalogs beside it"
    )
    translations.add_argument("action", choices=["update"], help="update: write the template, merge each catalog")
    translations.add_argument("rules", nargs="?", type=Path, help="rule book (default: the built-in rules.yaml)")
    translations.add_argument("--language", action="append", default=[], help="start a catalog for this language")
    prove = commands.add_parser(
        "verify", help="prove the rule book's clinical policy over every possible set of answers"
    )
    prove.add_argument("rules", nargs="?", type=Path, help="rule book to verify (default: the built-in rules.yaml)")
    sign = commands.add_parser(
        "sign", help="sign the rule book for the clinic: who, when, and a SHA-256 of its content"
    )
    sign.add_argument("--by", required=True, help="who signs, with their role, e.g. 'Dr A. Example, clinical lead'")
    sign.add_argument("rules", nargs="?", type=Path, help="rule book to sign (default: the built-in rules.yaml)")
    reporting = commands.add_parser(
        "report", help="write one HTML document for the clinical lead who signs the rule book"
    )
    reporting.add_argument(
        "rules", nargs="?", type=Path, help="rule book to report on (default: the built-in rules.yaml)"
    )
    reporting.add_argument(
        "-o", "--output", type=Path, default=Path("report.html"), help="where (default: report.html)"
    )
    reporting.add_argument("--cases", type=Path, help="the rule cases (default: tests/cases beside the rule book)")
    reporting.add_argument(
        "--since",
        type=Path,
        metavar="OLD",
        help="the rule book last signed (a file): the report opens with what changed since it",
    )
    reporting.add_argument(
        "--language",
        dest="report_language",
        help="make it in this language (such as fr_CA): its texts, and the report's own words, from its catalogs",
    )
    reporting.add_argument(
        "--no-appendix",
        action="store_true",
        help="leave out the appendix of every text in every voice (for a shorter printed copy)",
    )
    compare = commands.add_parser("diff", help="every change in behaviour and wording between two rule books")
    compare.add_argument("old", type=Path, help="the earlier rule book")
    compare.add_argument("new", type=Path, nargs="?", help="the later one (default: the built-in rules.yaml)")
    compare.add_argument("--markdown", action="store_true", help="Markdown, for a changelog or a review ticket")
    run = commands.add_parser("assess", help="assess answers given as JSON and print the advice as JSON")
    run.add_argument("--rules", type=Path, help="rule book to use (default: the built-in rules.yaml)")
    run.add_argument("answers", help="a JSON file of answers, or - to read standard input")
    web = commands.add_parser(
        "serve",
        help="run the web questionnaire with gunicorn, a production server",
        description="Serve the web questionnaire with gunicorn's threaded workers. Settings come from "
        "TRIAGE_* environment variables (see the README); these options override the ones named.",
    )
    web.add_argument("--host", help="address to listen on (TRIAGE_HOST; default 127.0.0.1, this computer only)")
    web.add_argument("--port", type=int, help="port (TRIAGE_PORT; default 8000)")
    web.add_argument("--workers", type=int, help="worker processes, about one per core (TRIAGE_WORKERS; default 2)")
    web.add_argument(
        "--threads",
        type=int,
        help="threads per worker: how many slow clients it serves at once (TRIAGE_THREADS; default 64)",
    )
    args = parser.parse_args(argv)
    # What is printed to a terminal has its control characters shown, not obeyed (a name in a
    # signature, a text in a rule book or an answers file could otherwise move the cursor or recolour).
    before = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = Escaping(sys.stdout), Escaping(sys.stderr)
    try:
        return run_command(args)
    except BrokenPipeError:  # `triage ... | head` closed the pipe early: that is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as error:  # a file that cannot be read or written, a folder that is not there
        print(f"triage {args.command}: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        sys.stdout, sys.stderr = before  # the streams the caller had, as they were


class Escaping:
    """A text stream that writes control characters (but line breaks and tabs) as \\xNN."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(shown(text))

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(text: str) -> str:
    return _CONTROL.sub(lambda found: f"\\x{ord(found[0]):02x}", text)


def has_control(text: str) -> bool:
    """Whether `text` holds a control character (a tab or a line feed is not one here)."""
    return _CONTROL.search(text) is not None


def run_command(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return run_serve(args)
    if args.command in ("diff", "sign", "translations"):
        from triage import lead_commands  # the clinical lead's tools, loaded only for them

        return lead_commands.run(args)
    try:
        rulebook = load_rulebook(args.rules)
        for language in getattr(args, "language", None) or ():
            load_rulebook(args.rules, language=language)
    except RulebookError as error:
        print("\n".join(error.lines()), file=sys.stderr)
        print(f"{len(error.problems)} problem(s): the rule book cannot be used.", file=sys.stderr)
        return EXIT_BAD_RULES
    if args.command == "report":
        from triage import lead_commands

        return lead_commands.run_report(args, rulebook)
    if args.command in ("check", "verify"):
        return run_check(args, rulebook)
    return run_assess(rulebook, args.answers, sys.stdin, sys.stdout, sys.stderr)


def run_serve(args: argparse.Namespace) -> int:
    from triage.config import ConfigError, server_settings
    from triage.server import serve  # the web stack is only loaded to serve

    try:
        chosen = server_settings(os.environ)
    except ConfigError as error:
        for line in str(error).splitlines():
            print(f"Cannot start: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    given = {"host": args.host, "port": args.port, "workers": args.workers, "threads": args.threads}
    chosen |= {key: value for key, value in given.items() if value is not None}
    allowed = chosen.get("forwarded_allow_ips", "127.0.0.1")
    return serve(chosen["host"], chosen["port"], chosen["workers"], chosen["threads"], allowed)


def run_check(args: argparse.Namespace, rulebook: Rulebook) -> int:
    """`check` (with the pages' catalogs of each `--language`) and `verify`."""
    if args.command == "check" and args.language:
        from triage.i18n import page_catalog_problems

        unusable = [line for language in args.language for line in page_catalog_problems(language)]
        if unusable:
            print("\n".join(shown(line) for line in unusable[:100]), file=sys.stderr)
            print(
                f"{len(unusable)} problem(s) in the pages' catalogs: those languages cannot be used.", file=sys.stderr
            )
            return EXIT_BAD_RULES
    from triage.analysis import verify  # the solver is only loaded to prove

    report = verify(rulebook)
    try:
        if args.command == "check":
            print_check(rulebook, sys.stdout, report)
        else:
            print("\n".join(report.lines()))
    except BrokenPipeError:  # `triage check | head` closed the pipe early: that is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if not report.ok:
        for problem in report.problems():
            print(f"{rulebook.file}:{problem.line}: {problem.message}", file=sys.stderr)
        print(f"{len(report.failures)} statement(s) not proved: the rule book cannot be used.", file=sys.stderr)
        return EXIT_BAD_RULES
    return EXIT_OK


def rulebook_path(given: Path | None) -> Path:
    from triage.rulebook import default_rules_path

    return given if given is not None else default_rules_path()


def print_check(rulebook: Rulebook, out: TextIO, report: Report) -> None:
    meta = rulebook.meta
    per_level = Counter(rule.level.id for rule in rulebook.rules)
    asked = sum(1 for item in rulebook.inventory if item.rules)
    print(f"{rulebook.file}: OK. {meta.title} {meta.version}, {rulebook.sign_off.summary}", file=out)
    print(f"  {len(rulebook.sections)} sections, {len(rulebook.questions)} questions", file=out)
    levels = ", ".join(f"{level.id} {per_level[level.id]}" for level in rulebook.levels)
    print(f"  {len(rulebook.rules)} rules ({levels})", file=out)
    not_asked = len(rulebook.inventory) - asked
    print(f"  {len(rulebook.inventory)} inventory items ({asked} with rules, {not_asked} not asked)", file=out)
    print(f"  emergency number {meta.emergency_number}", file=out)
    proved = len(report.checks) - len(report.failures)
    state = "all proved" if report.ok else f"{len(report.failures)} NOT PROVED (see triage verify)"
    print(f"  policy: {proved} of {len(report.checks)} statements proved ({state}) in {report.seconds:.1f} s", file=out)
    print("\nRed-flag inventory:", file=out)
    levels_of = {rule.id: rule.level.id for rule in rulebook.rules}
    for item in rulebook.inventory:
        print(f"  {item.ref:<5} {item.statement}", file=out)
        if item.rules:
            print("        rules: " + ", ".join(f"{r} ({levels_of[r]})" for r in item.rules), file=out)
        else:
            print(f"        not asked: {item.not_asked}", file=out)


def run_assess(rulebook: Rulebook, source: str, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    def fail(field: str | None, code: str, message: str) -> int:
        json.dump({"errors": [{"field": field, "code": code, "message": message}]}, err, indent=2)
        err.write("\n")
        return EXIT_BAD_ANSWERS

    try:
        if source == "-":
            raw = stdin.buffer.read(MAX_ANSWERS_BYTES + 1) if hasattr(stdin, "buffer") else stdin.read().encode()
        else:
            with Path(source).open("rb") as file:
                raw = file.read(MAX_ANSWERS_BYTES + 1)  # no further: a huge file is refused unread
        if len(raw) > MAX_ANSWERS_BYTES:
            return fail(None, "too_large", f"The answers file is larger than {MAX_ANSWERS_BYTES // 1024} KB.")
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return fail(None, "unreadable", f"Cannot read the answers file: {error}")
    try:
        data = read_json(text.encode("utf-8"))
    except DuplicateKeyError as twice:
        return fail(twice.key, "duplicate_key", f"The key {twice.key!r} is given twice: the answer is ambiguous.")
    except (ValueError, RecursionError) as error:  # not JSON, nested too deep, or a number too long
        reason = "it is nested too deeply" if isinstance(error, RecursionError) else str(error)[:200]
        return fail(None, "not_json", f"The answers are not valid JSON: {reason}")
    answers = data.get("answers", data) if isinstance(data, dict) else None
    if not isinstance(answers, dict):
        return fail(None, "not_an_object", 'The answers must be a JSON object, like {"breathing_now": "no", ...}')
    try:
        assessment = assess(rulebook, answers)
    except AnswerError as invalid:
        shown_errors = invalid.to_dict()
        more = len(shown_errors["errors"]) - MAX_ERRORS_SHOWN
        if more > 0:  # a file of thousands of wrong keys does not print thousands of lines
            shown_errors["errors"] = shown_errors["errors"][:MAX_ERRORS_SHOWN]
            shown_errors["more_errors"] = more
        json.dump(shown_errors, err, indent=2)
        err.write("\n")
        return EXIT_BAD_ANSWERS
    json.dump(assessment.to_dict(), out, indent=2, ensure_ascii=False)
    out.write("\n")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
