"""Pages that are quick to serve: what is the same for everyone is rendered once, the rest is filled in.

A question page or a result differs from one person to the next in only a few places: the answers
already chosen, the CSRF token, and which reasons apply. So:

- `Fields` renders each question's field, with the `question_field` macro, once for every answer
  it can show, and each rule's reason once, with `reason_item`.
- A `Skeleton` is a whole page rendered once by its usual template, with *holes* where those parts
  go; serving the page fills the holes by joining strings.
- `Skeletons` keeps every skeleton for the path the app is served under, built all at once, the
  first time that path is seen.

Nothing kept depends on a person: skeletons and fields are built from the rule book alone, every
variant at once, so no one's answers decide what is rendered or kept. Pages that show an error
message are rendered in full, by the same templates and the same fields.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from flask import Flask
from jinja2 import Environment
from markupsafe import Markup

from triage import journey
from triage.engine import Reason
from triage.rulebook import Question, Rulebook
from triage.webapp import this_request

HOLE = "\x00"  # the rule book loader refuses control characters, so no text can contain it
MULTI_KEPT_UP_TO = 8  # options in a "choose all that apply" question: 2**8 variants at most


def hole(name: str) -> Markup:
    """A marker that a skeleton turns into a hole named `name`."""
    return Markup(f"{HOLE}{name}{HOLE}")


@dataclass(frozen=True)
class Skeleton:
    """A rendered page split at its holes: static text, hole name, static text, ..., static text."""

    parts: tuple[str, ...]

    @classmethod
    def of(cls, html: str) -> Skeleton:
        parts = tuple(html.split(HOLE))
        if len(parts) % 2 == 0:
            raise ValueError("a hole marker is not closed")
        return cls(parts)

    @property
    def holes(self) -> tuple[str, ...]:
        return self.parts[1::2]

    def fill(self, values: Mapping[str, str]) -> str:
        """The page, with each hole replaced by its value (KeyError if one is missing)."""
        parts = list(self.parts)
        for i in range(1, len(parts), 2):
            parts[i] = values[parts[i]]
        return "".join(parts)


class Fields:
    """Question fields and reasons as HTML, from the macros in macros.html.

    Every field a visitor's page can show without an error is rendered at start-up: each question,
    folded or not under its trigger, with each answer it can hold. Staff fields, fields with an
    error, number fields and answers no page offers are rendered when asked for.
    """

    def __init__(self, env: Environment, rulebook: Rulebook) -> None:
        macros = env.get_template("macros.html").module
        self._field: Callable[..., Markup] = macros.question_field  # type: ignore[attr-defined]
        self._reason: Callable[[Reason], Markup] = macros.reason_item  # type: ignore[attr-defined]
        self._kept: dict[Hashable, Markup] = {}
        for section in rulebook.sections:
            reveals = {q.id: r for q, r in journey.page_layout(rulebook, section, {})}
            for question in section.questions:
                reveal = reveals.get(question.id)
                folds = (True, False) if reveal is not None and reveal.values else (True,)
                for shown in folds:
                    for value in _answers_shown(question):
                        key = (question.id, reveal is not None, shown, _key(question, value))
                        self._kept[key] = self._field(question, value, None, reveal, False, False, shown)
        self._reasons = {
            rule.id: self._reason(Reason(rule.id, rule.level.id, rule.reason, rule.advice, rule.source))
            for rule in rulebook.rules
        }

    def html(
        self,
        question: Question,
        value: Any,
        error: str | None = None,
        reveal: journey.Reveal | None = None,
        shown: bool = True,
        staff: bool = False,
        autofocus: bool = False,
        fresh: bool = False,
    ) -> Markup:
        """A question's field, from those rendered at start-up where it is one of them (unless `fresh`)."""
        if error is None and not staff and not autofocus and not fresh:
            kept = self._kept.get((question.id, reveal is not None, shown, _key(question, value)))
            if kept is not None:
                return kept
        return self._field(question, value, error, reveal, staff, autofocus, shown)

    def reason_items(self, reasons: Iterable[Reason], fresh: bool = False) -> Markup:
        """The list items for these reasons, from those rendered at start-up (unless `fresh`)."""
        kept = {} if fresh else self._reasons
        return Markup("".join(kept.get(r.rule) or self._reason(r) for r in reasons))


def shown(reveal: journey.Reveal | None, values: Mapping[str, Any]) -> bool:
    """Whether a follow-up starts unfolded: always, unless its trigger's answer does not reveal it."""
    return reveal is None or not reveal.values or values.get(reveal.trigger.id) in reveal.values


def _answers_shown(question: Question) -> list[Any]:
    """Every answer a page can show for a question that has options, as the page holds it."""
    if question.kind == "number":
        return []
    values = [option.value for option in question.options]
    if question.kind != "multi":
        return [None, *values]
    if len(values) > MULTI_KEPT_UP_TO:
        return []
    return [list(chosen) for size in range(len(values) + 1) for chosen in combinations(values, size)]


def _key(question: Question, value: Any) -> Hashable:
    """What of an answer changes its field's HTML; None when the field is never kept."""
    if question.kind == "multi":
        if value is None:
            return frozenset()
        if isinstance(value, list | tuple | frozenset) and all(isinstance(v, str) for v in value):
            return frozenset(value)
        return None
    if question.kind != "number" and (value is None or isinstance(value, str)):
        return ("value", value)
    return None


class Skeletons:
    """Every skeleton `build` makes, per path the app is served under (its script root)."""

    ROOTS_KEPT = 4  # a deployment has one; more is a misconfiguration, served by full rendering

    def __init__(self, app: Flask, build: Callable[[], dict[Hashable, Skeleton]]) -> None:
        self._app = app
        self._build = build
        self._by_root: dict[str, dict[Hashable, Skeleton]] = {}

    def get(self, key: Hashable) -> Skeleton | None:
        root = this_request().request.script_root
        built = self._by_root.get(root)
        if built is None:
            if len(self._by_root) >= self.ROOTS_KEPT:
                return None
            # A request of its own, so that building touches nobody's session.
            with self._app.test_request_context("/", base_url=f"http://localhost{root}/"):
                built = self._by_root[root] = self._build()
        return built.get(key)
