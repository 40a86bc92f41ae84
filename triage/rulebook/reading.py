"""Reading the parts of a rule book's YAML: keys, words in each voice, ids; every problem with its line."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from triage.rulebook.contract import _CONTROL, _FIELD, _ID, EVERY_VOICE, PLACEHOLDER, SERVICE_PLACEHOLDERS, VOICES
from triage.rulebook.model import Option, ServiceSettings
from triage.yamlsource import (
    MappingNode,
    Node,
    Problems,
    ScalarNode,
    SequenceNode,
    Unreadable,
    did_you_mean,
    line_of,
    scalar_value,
)


class Translator(Protocol):
    """Gives a text of the rule book in another language: `english` as written in the file (with
    its placeholders), `what` says where it is, `line` its line; problems go to `problems`."""

    def translate(self, english: str, what: str, line: int, problems: Problems) -> str: ...


@dataclass
class _QuestionDraft:
    """A question read but not yet compiled: its ask_when needs every question to be known."""

    node: Node
    id: str
    kind: str
    values: tuple[str, ...]
    fields: dict[str, object]
    ask_when: Node | None


class _Reader:
    """The builder's state and its ways of reading YAML nodes: mappings with known keys, texts in
    every voice, ids, each problem reported with its line."""

    def __init__(
        self,
        problems: Problems,
        emergency_number: str | None,
        voice: str = VOICES[0],
        earlier: bool = False,
        services: ServiceSettings = (),
        translator: Translator | None = None,
    ) -> None:
        self.problems = problems
        self.translator = translator  # the words in another language than the file's own
        self.service_settings = services
        self.voice = voice
        self.earlier = earlier  # a rule book of an earlier contract, read to compare (triage diff)
        self.number_override = emergency_number
        self.number = emergency_number or ""
        self.yes_no: tuple[Option, ...] = (Option("yes", "Yes"), Option("no", "No"))
        self.declared_rules: set[str] = set()
        self.question_nodes: dict[str, Node] = {}
        self.level_variant_nodes: dict[str, Node] = {}
        self.sources_read = False
        self.phones: dict[str, str | None] | None = None  # the services' phones, once meta is read

    # -- reading helpers ------------------------------------------------------------------------

    def mapping(
        self, node: Node, what: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.problems.add(node, f"{what} must be a mapping of keys to values")
            return None
        required, allowed = tuple(required), (*required, *optional)
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = scalar_value(key_node) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                self.problems.add(key_node, f"keys in {what} must be words")
            elif key in found:
                self.problems.add(key_node, f"duplicate key '{key}' in {what}")
            elif key not in allowed:
                self.problems.add(
                    key_node,
                    f"unknown key '{key}' in {what}{did_you_mean(key, allowed)}; allowed: {', '.join(allowed)}",
                )
            else:
                found[key] = value_node
        for key in required:
            if key not in found:
                self.problems.add(node, f"{what} is missing '{key}'")
        return found

    def named(self, node: Node, kind: str, key: str = "id") -> str:
        """'rule 'speech'' when the item has a readable id, else 'a rule': for messages about it."""
        for key_node, value_node in node.value if isinstance(node, MappingNode) else ():
            if key_node.value == key and isinstance(value_node, ScalarNode) and value_node.value:
                return f"{kind} '{value_node.value}'"
        return f"a {kind}"

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode) or not node.value:
            self.problems.add(node, f"{what} must be a list with at least one item")
            return []
        return list(node.value)

    def scalar(self, node: Node) -> object:
        value = scalar_value(node) if isinstance(node, ScalarNode) else None
        if isinstance(value, Unreadable):
            self.problems.add(node, f"'{value.text}' cannot be read ({value.reason}); put it in quotes if it is text")
            return None
        return value

    def text(self, node: Node | None, what: str, *, words: bool = True) -> str | None:
        """A text, checked, its placeholders filled in; in the build's language when it has a
        translator and `words` (people read it: not a version, address, phone or hours)."""
        if node is None:
            return None
        before = len(self.problems.found)
        value = self.scalar(node)
        if len(self.problems.found) > before:
            return None  # unreadable, and already reported
        if isinstance(value, datetime.date):
            value = value.isoformat()
        if not isinstance(value, str) or not value.strip():
            self.problems.add(node, f"{what} must be text (put quotes around numbers and yes/no)")
            return None
        if _CONTROL.search(value):
            # A YAML escape such as "\0" can put one there; no page should show it (and the pages
            # use NUL to mark where answers go, see triage.pages).
            self.problems.add(node, f"{what} has a control character (such as \\0); remove it")
            value = _CONTROL.sub("", value)  # checked on without it, so this is the only problem reported
        if words and self.translator is not None:
            value = self.translator.translate(value, what, line_of(node), self.problems)
        known = (PLACEHOLDER, *SERVICE_PLACEHOLDERS)
        for name in _FIELD.findall(value):
            if name not in known:
                self.problems.add(node, f"unknown placeholder '{{{name}}}' in {what}{did_you_mean(name, known)}")
            elif name in SERVICE_PLACEHOLDERS and self.phones is not None:
                phone = self.phones.get(SERVICE_PLACEHOLDERS[name])
                if not phone:
                    self.problems.add(
                        node,
                        f"{what} names {{{name}}}, but service '{name}' has no phone: give it one in meta.services",
                    )
                value = value.replace("{" + name + "}", phone or "")
        return " ".join(value.replace("{" + PLACEHOLDER + "}", self.number).split())

    def voiced(self, node: Node | None, what: str, voice: str | None = None) -> str | None:
        """A text written in every voice (a mapping of self, other and staff, or every_voice): the
        words for `voice` (this build's voice unless given). A text that lacks a voice is refused."""
        if node is None:
            return None
        if not isinstance(node, MappingNode):
            self.problems.add(
                node,
                f"{what} must be written in every voice: a mapping with {', '.join(VOICES)} "
                f"(or {EVERY_VOICE}, when the words are the same for all)",
            )
            return None
        found = self.mapping(node, what, (), (*VOICES, EVERY_VOICE))
        if found is None:
            return None
        if EVERY_VOICE in found:
            if len(found) > 1:
                self.problems.add(node, f"{what}: {EVERY_VOICE} stands alone, without {', '.join(VOICES)}")
            return self.text(found[EVERY_VOICE], what)
        missing = [v for v in VOICES if v not in found]
        if missing:
            self.problems.add(node, f"{what} lacks the {' and '.join(missing)} voice{'s' if len(missing) > 1 else ''}")
        texts = {v: self.text(found[v], f"{what} ({v} voice)") for v in VOICES if v in found}
        return texts.get(voice or self.voice)

    def ident(self, node: Node, what: str, pattern: re.Pattern[str] = _ID) -> str | None:
        value = self.scalar(node)
        if not isinstance(value, str) or not pattern.match(value):
            style = "snake_case, like weakness_side" if pattern is _ID else "capitals, like RF1"
            self.problems.add(node, f"{what} must be an id in {style}, not '{value}'")
            return None
        return value

    def unique(self, ids: Iterable[tuple[str | None, Node]], what: str) -> None:
        seen: set[str] = set()
        for value, node in ids:
            if value is None:
                continue
            if value in seen:
                self.problems.add(node, f"duplicate {what} '{value}'")
            seen.add(value)
