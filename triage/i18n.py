"""The pages' own words in other languages: gettext catalogs of the `messages` domain, extracted
from the templates and the code with Babel (`gettext`, `{% trans %}`, `lazy_gettext`), kept in
`triage/translations/` (the template `messages.pot`, and `<language>/LC_MESSAGES/messages.po`).

As for the rule book (`triage.rulebook.translation`), a language is usable only when every
message has a translation that is neither empty nor fuzzy and has the English's placeholders
(`%(number)s`); every problem is reported with the catalog's file and line.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel import support
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from flask_babel import gettext

from triage.fhir.outcome import Words
from triage.rulebook.translation import merged, write_catalog
from triage.webapp import PAGE_TRANSLATIONS

DOMAIN = "messages"
SOURCE_ROOT = Path(__file__).resolve().parents[1]  # the checkout: triage/ and templates/
KEYWORDS = {"gettext": None, "_l": None, "lazy_gettext": None}
_TEMPLATES = {"trim_blocks": "True", "lstrip_blocks": "True"}
METHODS = [
    ("triage/**.py", "python"),
    ("templates/**.html", "jinja2.ext:babel_extract"),
    ("templates/**.txt", "jinja2.ext:babel_extract"),
]
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def page_catalog_path(language: str, root: Path = PAGE_TRANSLATIONS) -> Path:
    return root / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def page_template(source: Path = SOURCE_ROOT) -> Catalog:
    """Every message of the templates and the code, with where each is."""
    catalog = Catalog(domain=DOMAIN, project="triage pages", charset="utf-8", fuzzy=False)
    options = {"templates/**.html": _TEMPLATES, "templates/**.txt": _TEMPLATES}
    for file, line, message, comments, context in extract_from_dir(str(source), METHODS, options, KEYWORDS):
        catalog.add(message, locations=[(file, line)], auto_comments=comments, context=context)
    return catalog


def update_page_catalogs(languages: tuple[str, ...], root: Path = PAGE_TRANSLATIONS) -> list[Path]:
    """Write the pages' template and bring each language's catalog up to it; the files written."""
    pot = page_template()
    written = [root / f"{DOMAIN}.pot"]
    write_catalog(pot, written[0])
    present = {path.parent.parent.name for path in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    for language in sorted(present | set(languages)):
        path = page_catalog_path(language, root)
        existing = path.read_text(encoding="utf-8") if path.exists() else None
        write_catalog(merged(pot, existing, language), path)
        written.append(path)
    return written


def _read_template(root: Path) -> Catalog:
    """The pages' template as `triage translations update` last wrote it (a test keeps it current)."""
    return read_po(io.StringIO((root / f"{DOMAIN}.pot").read_text(encoding="utf-8")))


def page_catalog_problems(language: str, root: Path = PAGE_TRANSLATIONS, template: Catalog | None = None) -> list[str]:
    """What stops the pages being shown in `language`, each as `file:line: message`."""
    path = page_catalog_path(language, root)
    shown = str(path)
    try:
        catalog = read_po(io.StringIO(path.read_text(encoding="utf-8")), abort_invalid=True)
    except OSError:
        return [f"{shown}:1: the pages have no {language} catalog: `triage translations update --language {language}`"]
    except (PoFileError, ValueError, UnicodeDecodeError) as error:
        return [f"{shown}:{getattr(error, 'lineno', 1) or 1}: cannot read the catalog: {error}"]
    wanted = template if template is not None else _read_template(root)
    problems = []
    for message in wanted:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        english = str(message.id)
        if found is None or not isinstance(found.string, str):
            file, line = message.locations[0] if message.locations else ("?", 0)
            problems.append(
                f"{shown}:1: no {language} translation of {english[:60]!r} ({file}:{line}): "
                "`triage translations update` adds it"
            )
            continue
        line = found.lineno or 1
        if not found.string.strip():
            problems.append(f"{shown}:{line}: the {language} of {english[:60]!r} is empty")
        elif found.fuzzy:
            problems.append(f"{shown}:{line}: the {language} of {english[:60]!r} is marked fuzzy: check it")
        elif sorted(set(_PLACEHOLDER.findall(english))) != sorted(set(_PLACEHOLDER.findall(found.string))):
            problems.append(f"{shown}:{line}: the {language} of {english[:60]!r} must keep its placeholders")
    return problems


def compiled_pages(language: str, root: Path = PAGE_TRANSLATIONS) -> support.Translations:
    """A language's catalog of the pages' words, compiled in memory for gettext (no .mo file is
    kept beside the .po: the catalog translators edit is the only one)."""
    catalog = read_po(io.StringIO(page_catalog_path(language, root).read_text(encoding="utf-8")))
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return support.Translations(fp=compiled, domain=DOMAIN)


def bundle_words() -> Words:
    """The FHIR Bundle's own words in the language of the request (gettext, through Flask-Babel)."""
    return Words(
        subject=gettext("The person the answers are about"),
        urgency=gettext("How soon to get medical help"),
        complete=gettext("Every question asked"),
        why=gettext("Why"),
        when=gettext("When: %(timeframe)s"),
        draft=gettext("Draft: not yet reviewed by a clinician (rule book %(version)s)."),
    )
