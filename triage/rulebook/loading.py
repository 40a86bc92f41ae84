"""Reading a rule book file: the size limit, the YAML, the sign-off, and the build in each voice
(`load_rulebook`, `parse_rulebook`); a broken one raises `RulebookError` listing every problem."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import re
from pathlib import Path

from triage.rulebook.builder import Builder
from triage.rulebook.contract import VOICES
from triage.rulebook.model import Rulebook, ServiceSettings
from triage.rulebook.sign_off import SIGNATURE, Signature, SignOff
from triage.rulebook.translation import (
    DOMAIN,
    SOURCE_LANGUAGE,
    Recorder,
    catalog_path,
    catalogs_of,
    merged,
    read_catalog,
    signed_catalogs,
    template,
    translations_dir,
    write_catalog,
)
from triage.yamlsource import (
    MAX_BYTES,
    MappingNode,
    Node,
    Problem,
    Problems,
    RulebookError,
    ScalarNode,
    compose,
)


def default_rules_path() -> Path:
    """The rule book shipped with the package (wheel), or the checkout's top-level rules.yaml."""
    packaged = Path(__file__).parent.parent / "rules.yaml"  # triage/rules.yaml, in the wheel
    return packaged if packaged.is_file() else Path(__file__).resolve().parents[2] / "rules.yaml"


def load_rulebook(
    path: str | Path | None = None,
    *,
    emergency_number: str | None = None,
    services: ServiceSettings = (),
    language: str | None = None,
) -> Rulebook:
    """Load and check a rule book; raise RulebookError listing every problem.

    `emergency_number` replaces the rule book's own number, and `services` the names, phones and
    booking links of its local services (deployment settings). `language` (such as fr_CA) gives it
    in that language, from its catalog beside it (see `translation`); None or "en": the file's own.
    The sign-off covers the rule book and every catalog beside it.
    """
    source = Path(path) if path is not None else default_rules_path()
    shown = str(path) if path is not None else "rules.yaml"
    try:
        with source.open("rb") as file:
            data = file.read(MAX_BYTES + 1)  # no further: a huge file is refused without reading it all
        if len(data) > MAX_BYTES:
            raise RulebookError(
                shown, [Problem(1, f"the file is larger than {MAX_BYTES // 1_000_000} MB: a rule book is far smaller")]
            )
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RulebookError(shown, [Problem(1, f"cannot read the rule book: {error}")]) from None
    catalog = None
    if language and language != SOURCE_LANGUAGE:
        po = catalog_path(source, language)
        po_shown = str(catalog_path(Path(shown), language))
        try:
            catalog = (language, po_shown, po.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            message = f"cannot read the {language} catalog ({error}): `triage translations update` makes it"
            raise RulebookError(po_shown, [Problem(1, message)]) from None
    try:
        signed = signed_catalogs(source)
    except (OSError, UnicodeDecodeError) as error:
        raise RulebookError(shown, [Problem(1, f"cannot read a catalog beside the rule book: {error}")]) from None
    return parse_rulebook(
        text, shown, emergency_number=emergency_number, services=services, catalog=catalog, catalogs=signed
    )


def parse_rulebook(
    text: str,
    file: str = "rules.yaml",
    *,
    emergency_number: str | None = None,
    services: ServiceSettings = (),
    earlier: bool = False,
    catalog: tuple[str, str, str] | None = None,
    catalogs: str = "",
) -> Rulebook:
    """The rule book in the person's own voice; `in_voice` gives it in the others. Each voice is
    built from the same checked file, so they differ in their words only.

    A rule book is frozen, so the same text read again (an app built again, as in the tests) gives
    the rule book already built; one that is refused is read again, and refused again, each time.

    `catalog` (language, file, text) gives the words in that language; `catalogs` is what of the
    catalogs the sign-off covers (`translation.signed_catalogs`)."""
    return _parse(text, file, emergency_number, tuple(services), earlier, catalog, catalogs)


@functools.lru_cache(maxsize=8)
def _parse(
    text: str,
    file: str,
    emergency_number: str | None,
    services: ServiceSettings,
    earlier: bool,
    catalog: tuple[str, str, str] | None,
    catalogs: str,
) -> Rulebook:
    problems = Problems(file)
    root = compose(text, problems)
    translator = read_catalog(catalog[2], catalog[1], catalog[0]) if catalog else None
    language = catalog[0] if catalog else SOURCE_LANGUAGE
    if root is not None:
        sign_off = read_sign_off(text, root, problems, catalogs)
        voices: dict[str, Rulebook] = {}
        for voice in VOICES:
            built = Builder(problems, emergency_number, voice, earlier, services, translator).build(root)
            if problems.found:
                break  # every problem is found by the first build; the others would repeat them
            if built is not None:
                voices[voice] = dataclasses.replace(
                    built, voice=voice, voices=voices, sign_off=sign_off, language=language
                )
        problems.raise_if_any()
        if len(voices) == len(VOICES):
            return voices[VOICES[0]]
    problems.raise_if_any()
    raise AssertionError("unreachable: a rule book was neither built nor refused")


def collect_texts(text: str, file: str) -> dict[tuple[str, str], int]:
    """Every text of the rule book a person reads, in every voice: (where it is, its English) and
    its line. RulebookError if the rule book cannot be used."""
    problems = Problems(file)
    root = compose(text, problems)
    recorder = Recorder()
    if root is not None:
        for voice in VOICES:
            Builder(problems, None, voice, False, (), recorder).build(root)
            problems.raise_if_any()
    problems.raise_if_any()
    return recorder.found


def update_catalogs(rules: Path, languages: tuple[str, ...] = ()) -> list[Path]:
    """Write the template of the rule book's texts beside it, and bring each catalog (those there,
    and one for each of `languages`) up to it; the files written."""
    text = rules.read_text(encoding="utf-8")
    version = load_rulebook(rules).meta.version
    pot = template(collect_texts(text, rules.name), rules.name, version)
    written = [translations_dir(rules) / f"{DOMAIN}.pot"]
    write_catalog(pot, written[0])
    for language in sorted({*catalogs_of(rules), *languages} - {SOURCE_LANGUAGE}):
        path = catalog_path(rules, language)
        existing = path.read_text(encoding="utf-8") if path.exists() else None
        write_catalog(merged(pot, existing, language), path)
        written.append(path)
    return written


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def signature_span(text: str, root: Node) -> tuple[int, int] | None:
    """Where the signature block is in `text` (from its key to the end of its value), if there is one."""
    for key, value in root.value if isinstance(root, MappingNode) else ():
        if isinstance(key, ScalarNode) and key.value == SIGNATURE:
            start = text.rfind("\n", 0, key.start_mark.index) + 1  # from the start of its line
            return start, value.end_mark.index
    return None


def content_sha256(text: str, root: Node, catalogs: str = "") -> str:
    """The SHA-256 of the rule book's content: its text without the signature block, with trailing
    blank lines ignored (so that adding or removing the block at the end does not change it), then
    its catalogs in other languages, if it has any (`translation.signed_catalogs`)."""
    span = signature_span(text, root)
    content = text if span is None else text[: span[0]] + text[span[1] :]
    return hashlib.sha256((content.rstrip() + catalogs).encode("utf-8")).hexdigest()


def read_sign_off(text: str, root: Node, problems: Problems, catalogs: str = "") -> SignOff:
    digest = content_sha256(text, root, catalogs)
    node = next(
        (v for k, v in (root.value if isinstance(root, MappingNode) else ()) if getattr(k, "value", None) == SIGNATURE),
        None,
    )
    if node is None:
        return SignOff("draft", None, digest)
    fields: dict[str, str] = {}
    if not isinstance(node, MappingNode):
        problems.add(node, "signature must be a mapping of by, on and sha256 (write it with `triage sign`)")
        return SignOff("draft", None, digest)
    for key, value in node.value:
        name = getattr(key, "value", None)
        if name not in ("by", "on", "sha256") or not isinstance(value, ScalarNode) or name in fields:
            problems.add(key, f"the signature has by, on and sha256 once each, not '{name}'")
            continue
        fields[name] = str(value.value)
    if len(fields) != 3 or not _SHA256.match(fields.get("sha256", "")):
        problems.add(node, "the signature needs by, on and a sha256 of 64 hex digits (write it with `triage sign`)")
        return SignOff("draft", None, digest)
    try:
        datetime.datetime.fromisoformat(fields["on"])
    except ValueError:
        problems.add(node, f"the signature's 'on' must be a date and time, not '{fields['on']}'")
    signature = Signature(fields["by"], fields["on"], fields["sha256"])
    return SignOff("signed" if signature.sha256 == digest else "changed", signature, digest)
