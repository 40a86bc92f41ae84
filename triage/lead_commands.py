"""The clinical lead's tools on the command line: `triage diff`, `sign`, `translations` and
`report` (loaded only when one of them runs)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from triage.cli import EXIT_BAD_INPUT, EXIT_BAD_RULES, EXIT_OK, MAX_ERRORS_SHOWN, has_control, rulebook_path
from triage.rulebook import Rulebook, RulebookError, load_rulebook

if TYPE_CHECKING:
    from babel.support import NullTranslations


def run(args: argparse.Namespace) -> int:
    """`diff`, `sign` or `translations`, as `args` says."""
    return {"diff": run_diff, "sign": run_sign, "translations": run_translations}[args.command](args)


def run_diff(args: argparse.Namespace) -> int:
    """Every change in behaviour and wording between two rule books, in each language."""
    from triage.diffing import diff, load_any

    try:
        old, new = load_any(args.old), load_any(args.new or rulebook_path(None))
        found = diff(old, new)
        found = dataclasses.replace(found, changes=found.changes + translated_changes(args.old, args.new))
    except RulebookError as error:
        print("\n".join(error.lines()), file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        sys.stdout.write(found.text(markdown=args.markdown))
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK


def run_sign(args: argparse.Namespace) -> int:
    """Sign the rule book for the clinic: who, when, and the SHA-256 of what they signed."""
    from triage.rulebook import default_rules_path
    from triage.signing import sign_file

    path = args.rules or default_rules_path()
    if has_control(args.by):
        print("triage sign: --by must be a name and role in plain text, without control characters", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        recorded = sign_file(path, args.by)
    except RulebookError as error:
        print("\n".join(error.lines()), file=sys.stderr)
        print("The rule book was not signed.", file=sys.stderr)
        return EXIT_BAD_RULES
    print(f"{path}: signed.\n{recorded}", end="")
    return EXIT_OK


def run_translations(args: argparse.Namespace) -> int:
    """The template of the rule book's texts, and each catalog merged with it."""
    from triage.i18n import update_page_catalogs
    from triage.rulebook import update_catalogs

    try:
        written = update_catalogs(rulebook_path(args.rules), tuple(args.language))
    except RulebookError as error:
        print("\n".join(error.lines()), file=sys.stderr)
        return EXIT_BAD_RULES
    if args.rules is None:  # the pages' words go with the built-in rule book's, in the checkout
        written += update_page_catalogs(tuple(args.language))
    print("\n".join(f"wrote {path}" for path in written))
    return EXIT_OK


def run_report(args: argparse.Namespace, rulebook: Rulebook) -> int:
    """The HTML document for the clinical lead who signs `rulebook`."""
    from triage.report import write_report

    cases = args.cases or Path(rulebook_path(args.rules)).resolve().parent / "tests" / "cases"
    since = None
    if args.since is not None:
        from triage.diffing import load_any

        try:
            since = load_any(args.since)
        except RulebookError as error:
            print("\n".join(error.lines()), file=sys.stderr)
            return EXIT_BAD_INPUT
    from triage.rulebook.translation import catalogs_of

    path = rulebook_path(args.rules)
    language = args.report_language or rulebook.language
    try:
        books = {code: load_rulebook(path, language=code) for code in catalogs_of(path)}
        if language != rulebook.language and language not in books:
            print(
                f"{path}: there is no {language} catalog beside it: the report cannot be made in it",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        books[rulebook.language] = rulebook
    except RulebookError as error:
        print("\n".join(error.lines()), file=sys.stderr)
        return EXIT_BAD_RULES
    words, unusable = report_words(language)
    if unusable:
        print("\n".join(unusable[:MAX_ERRORS_SHOWN]), file=sys.stderr)
        return EXIT_BAD_RULES
    try:
        changed = translated_changes(args.since, args.rules, words.gettext) if args.since is not None else ()
    except RulebookError as error:
        print("\n".join(error.lines()), file=sys.stderr)
        return EXIT_BAD_RULES
    proof = write_report(
        books[language],
        args.output,
        cases,
        since=since,
        appendix=not args.no_appendix,
        translations={code: book for code, book in books.items() if code != language},
        translated_changes=changed,
        words=words,
        compared=rulebook,
    )
    status = "proved" if proof.ok else f"{len(proof.failures)} NOT PROVED"
    print(f"{args.output}: report on {rulebook.file} {rulebook.meta.version} ({rulebook.sign_off.summary}; {status})")
    return EXIT_OK


def translated_changes(
    old_path: Path, new_path: Path | None, gettext: Callable[[str], str] | None = None
) -> tuple[tuple[str, str], ...]:
    """The texts changed in each language the later rule book has a catalog for (in the words of
    `gettext`, or English)."""
    from triage.diffing import text_changes
    from triage.in_words import as_written
    from triage.rulebook.translation import catalogs_of

    new_path = rulebook_path(new_path)
    changes: list[tuple[str, str]] = []
    for language in catalogs_of(new_path):
        new = load_rulebook(new_path, language=language)
        old = load_rulebook(old_path, language=language) if language in catalogs_of(old_path) else None
        changes += text_changes(old, new, gettext or as_written)
    return tuple(changes)


def report_words(language: str) -> tuple[NullTranslations, list[str]]:
    """The report's own words in `language`, from the pages' catalog (English: as written), or
    what stops that catalog being used."""
    from babel.support import NullTranslations

    from triage.i18n import compiled_pages, page_catalog_problems

    if language == "en":
        return NullTranslations(), []
    problems = page_catalog_problems(language)
    return (NullTranslations(), problems) if problems else (compiled_pages(language), [])
