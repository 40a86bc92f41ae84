"""The rule book in other languages, the way translators work: gettext catalogs.

The English in `rules.yaml` is the source. Each text a person reads is a message of the `rules`
domain, its English as `msgid` and where it stands in the rule book as `msgctxt` (the words the
loader uses for it in its own messages, such as "the text of question 'speech' (other voice)"), with
its line in `rules.yaml` as the location. The template is `translations/rules.pot`, beside the rule
book; each language's catalog is `translations/<language>/LC_MESSAGES/rules.po`, which Poedit,
Weblate, Lokalize or any gettext tool opens. `triage translations update` writes the template and
merges it into each catalog (new texts empty, texts whose English changed marked fuzzy, as
`msgmerge` does).

A rule book loaded in a language is refused, every problem with its file and line, when a text has
no translation, or an empty one, or one marked fuzzy (its English changed since, or a tool guessed
it), or one whose placeholders (`{emergency_number}`, ...) differ from the English.
"""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po

from triage.rulebook.contract import _FIELD
from triage.yamlsource import Problem, Problems, RulebookError

DOMAIN = "rules"
SOURCE_LANGUAGE = "en"


def translations_dir(rules: Path) -> Path:
    return rules.parent / "translations"


def catalog_path(rules: Path, language: str) -> Path:
    return translations_dir(rules) / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalogs_of(rules: Path) -> dict[str, Path]:
    """Every language's catalog beside the rule book, by language."""
    found = sorted(translations_dir(rules).glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return {path.parent.parent.name: path for path in found}


def signed_catalogs(rules: Path) -> str:
    """What of the catalogs a clinician's signature covers: each language's translations (where,
    English, words, whether marked fuzzy), not the headers a tool rewrites on every update. A
    catalog that cannot be read is covered as it is written."""
    parts = []
    for language, path in catalogs_of(rules).items():
        stat = path.stat()
        parts.append(f"\n--- {language}\n{_signed_catalog(path, stat.st_mtime_ns, stat.st_size)}")
    return "".join(parts)


@functools.lru_cache(maxsize=16)
def _signed_catalog(path: Path, modified: int, size: int) -> str:
    """One catalog as the signature covers it (read again when the file changes)."""
    text = path.read_text(encoding="utf-8")
    try:
        catalog = read_po(io.StringIO(text), domain=DOMAIN, abort_invalid=True)
    except (PoFileError, ValueError):
        return text
    entries = sorted((str(m.context or ""), str(m.id), str(m.string or ""), m.fuzzy) for m in catalog if m.id)
    return json.dumps(entries, ensure_ascii=False)


@dataclass(frozen=True)
class Entry:
    text: str
    fuzzy: bool
    line: int


@dataclass
class CatalogTranslator:
    """Gives each text in the catalog's language; what is missing, empty, fuzzy or has other
    placeholders is a problem (in the rule book where the text has no entry, else in the catalog)."""

    language: str
    file: str  # the catalog, as messages name it
    entries: dict[tuple[str, str], Entry]
    used: set[tuple[str, str]] = field(default_factory=set)

    def translate(self, english: str, what: str, line: int, problems: Problems) -> str:
        entry = self.entries.get((what, english))
        self.used.add((what, english))
        if entry is None:
            message = f"{what} has no {self.language} translation in {self.file} (`triage translations update` adds it)"
            problems.add(line, message)
            return english
        if not entry.text.strip():
            problems.found.append(Problem(entry.line, f"the {self.language} of {what} is empty", self.file))
            return english
        if entry.fuzzy:
            message = (
                f"the {self.language} of {what} is marked fuzzy (its English changed, or it was guessed): check it"
            )
            problems.found.append(Problem(entry.line, f"{message}, then remove the flag", self.file))
        wanted, given = sorted(set(_FIELD.findall(english))), sorted(set(_FIELD.findall(entry.text)))
        if wanted != given:
            names = ", ".join("{" + n + "}" for n in wanted) or "none"
            message = f"the {self.language} of {what} must have the English's placeholders ({names})"
            problems.found.append(Problem(entry.line, message, self.file))
        return entry.text


@dataclass
class Recorder:
    """Keeps the English of every text, where it is and its line: the template's messages."""

    found: dict[tuple[str, str], int] = field(default_factory=dict)

    def translate(self, english: str, what: str, line: int, problems: Problems) -> str:
        self.found.setdefault((what, english), line)
        return english


def read_catalog(text: str, file: str, language: str) -> CatalogTranslator:
    """A language's catalog; RulebookError (with the catalog's line) when it cannot be read."""
    try:
        catalog = read_po(io.StringIO(text), locale=None, domain=DOMAIN, abort_invalid=True)
    except (PoFileError, ValueError) as error:
        line = getattr(error, "lineno", 1) or 1
        raise RulebookError(file, [Problem(int(line), f"cannot read the catalog: {error}")]) from None
    entries: dict[tuple[str, str], Entry] = {}
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue  # the header (and plural forms, which the rule book has none of)
        string = message.string if isinstance(message.string, str) else ""
        entries[message.context or "", message.id] = Entry(string, message.fuzzy, message.lineno or 1)
    return CatalogTranslator(language, file, entries)


def template(found: dict[tuple[str, str], int], rules_file: str, version: str) -> Catalog:
    """The template (.pot) of the texts `Recorder` found."""
    catalog = Catalog(domain=DOMAIN, project="rules.yaml", version=version, charset="utf-8", fuzzy=False)
    for (what, english), line in sorted(found.items(), key=lambda item: item[1]):
        catalog.add(english, context=what, locations=[(rules_file, line)])
    return catalog


def write_catalog(catalog: Catalog, path: Path) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=False, omit_header=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def merged(template_catalog: Catalog, existing: str | None, language: str) -> Catalog:
    """A language's catalog brought up to the template, as msgmerge does: texts kept, new ones
    empty, those whose English changed marked fuzzy with their earlier words kept for reference."""
    if existing is None:
        catalog = Catalog(locale=language, domain=DOMAIN, project="rules.yaml", charset="utf-8", fuzzy=False)
    else:
        catalog = read_po(io.StringIO(existing), locale=language, domain=DOMAIN)
    catalog.update(template_catalog, no_fuzzy_matching=False)
    return catalog
