"""The visitor's pages as HTML, quick to serve: what is the same for everyone is rendered once.

Views ask this module for a page (`start_page`, `section_page`, `result_page`) and get its HTML;
whether it was filled in from a skeleton or rendered in full is decided here, and nowhere else.

A question page or a result differs from one person to the next in only a few places: the answers
already chosen, the CSRF token, and which reasons apply. So:

- `Fields` renders each question's field, with the `question_field` macro, once for every answer
  it can show, and each rule's reason once, with `reason_item`.
- A `Skeleton` is a whole page rendered once by its usual template, with *holes* where those parts
  go; serving the page fills the holes by joining strings.
- `Skeletons` keeps every skeleton, built all at once the first time a page is asked for, for the
  one path the app is mounted at (`APPLICATION_ROOT`). A request under any other path gets its
  page rendered in full: it can neither evict what is kept nor make the app build more.

Nothing kept depends on a person: skeletons and fields are built from the rule book alone, every
variant at once, so no one's answers decide what is rendered or kept. Pages that show an error
message are rendered in full, by the same templates and the same fields. The setting
`PAGE_SKELETONS` (on by default) turns all of this off, so that tests can compare the two.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from itertools import combinations
from typing import Any

from babel import Locale
from flask import Flask, current_app, render_template, request, url_for
from jinja2 import Environment
from markupsafe import Markup, escape

from triage import dates, journey, languages
from triage.engine import Assessment, Reason
from triage.forms import csrf_input
from triage.hours import closed_now
from triage.rulebook import RESPONDENT_VOICES, VOICES, Level, Question, Rulebook, Section

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


@dataclass(frozen=True)
class _ListAnswered:
    """A list of questions asked together, as the answers show it: one row, the items answered yes."""

    id: str
    group: Any
    items: tuple[tuple[str, str], ...]  # (question id, its words as an item)


# What the answers' list looks at, section by section: each question asked in the voice, with
# the condition it is asked on, and a list asked together where its first question stands.
_Summary = tuple[tuple[Section, tuple[tuple[Question, Any, _ListAnswered | None], ...]], ...]


def _summary_plan(book: Rulebook) -> _Summary:
    plan = []
    for section in book.sections:
        entries = []
        for question in section.questions:
            group = section.group_of.get(question.id)
            if not question.in_voice or (group is not None and question.id != group.questions[0]):
                continue  # not asked in this voice, or shown with the first of its list
            listed = None
            if group is not None:
                items = tuple((q, book.question_by_id[q].item or "") for q in group.questions)
                listed = _ListAnswered(group.id, group, items)
            entries.append((question, question.ask_when, listed))
        plan.append((section, tuple(entries)))
    return tuple(plan)


class Fields:
    """Question fields and reasons as HTML, from the macros in macros.html.

    With `keep` (the default), every field a visitor's page can show without an error is rendered
    at start-up: each question, folded or not under its trigger, with each answer it can hold.
    Staff fields, fields with an error, number fields and answers no page offers are rendered when
    asked for.
    """

    def __init__(self, env: Environment, rulebook: Rulebook, keep: bool = True) -> None:
        macros = env.get_template("macros.html").module
        self._field: Callable[..., Markup] = macros.question_field  # type: ignore[attr-defined]
        self._reason: Callable[[Reason], Markup] = macros.reason_item  # type: ignore[attr-defined]
        self._say: Callable[[Reason], Markup] = macros.say_item  # type: ignore[attr-defined]
        self._row: Callable[[Question, Any], Markup] = macros.answer_row  # type: ignore[attr-defined]
        self._group_row: Callable[..., Markup] = macros.group_answer_row  # type: ignore[attr-defined]
        self._heading: Callable[[Section], Markup] = macros.answers_heading  # type: ignore[attr-defined]
        self._group: Callable[..., Markup] = macros.group_field  # type: ignore[attr-defined]
        self._say_section: Callable[..., Markup] = macros.say_section  # type: ignore[attr-defined]
        self._answers_section: Callable[[Markup], Markup] = macros.answers_section  # type: ignore[attr-defined]
        self._voice = rulebook.voice
        self._number = rulebook.meta.emergency_number
        self._questions = rulebook.question_by_id
        self._group_of = {qid: group for group in rulebook.groups for qid in group.questions}
        self._groups: dict[Hashable, Markup] = {}  # lists of questions asked together, kept as first shown
        self._kept: dict[Hashable, Markup] = {}
        self._reasons: dict[str, Markup] = {}
        self._says: dict[str, Markup] = {}
        self._rows: dict[Hashable, Markup] = {}  # answer rows, kept as first asked for
        self._headings: dict[Hashable, Markup] = {}  # the answers' section headings (they hold links)
        self._keep = keep
        self._summary = _summary_plan(rulebook)
        if not keep:
            return
        for section in rulebook.sections:
            reveals = {q.id: r for q, r in journey.page_layout(rulebook, section, {})}
            for question in section.questions:
                reveal = reveals.get(question.id)
                folds = (True, False) if reveal is not None and reveal.values else (True,)
                for shown in folds:
                    for value in _answers_shown(question):
                        key = (question.id, reveal is not None, shown, _key(question, value))
                        self._kept[key] = self._field(question, value, None, reveal, False, False, shown)
        reasons = [Reason(r.id, r.level.id, r.reason, r.advice, r.source, r.say, r.contacts) for r in rulebook.rules]
        self._reasons = {reason.rule: self._reason(reason) for reason in reasons}
        self._says = {reason.rule: self._say(reason) for reason in reasons}

    def html(
        self,
        question: Question,
        value: Any,
        error: str | None = None,
        reveal: journey.Reveal | None = None,
        shown: bool = True,
        staff: bool = False,
        autofocus: bool = False,
    ) -> Markup:
        """A question's field, from those rendered at start-up where it is one of them."""
        if error is None and not staff and not autofocus:
            kept = self._kept.get((question.id, reveal is not None, shown, _key(question, value)))
            if kept is not None:
                return kept
        return self._field(question, value, error, reveal, staff, autofocus, shown)

    def field(
        self,
        question: Question,
        reveal: journey.Reveal | None,
        values: Mapping[str, Any],
        errors: Mapping[str, str],
        staff: bool = False,
        autofocus: bool = False,
    ) -> Markup:
        """A question as its page shows it: its own field, or, for a question asked together with
        others, the whole list where the first of them stands (and nothing for the others)."""
        group = self._group_of.get(question.id)
        if group is None:
            value = values.get(question.id)
            return self.html(question, value, errors.get(question.id), reveal, shown(reveal, values), staff, autofocus)
        if question.id != group.questions[0]:
            return Markup("")
        answers = tuple(values.get(qid) for qid in group.questions)
        error = next((errors[qid] for qid in group.questions if errors.get(qid)), None)
        plain = error is None and not staff and not autofocus and all(a in (None, "yes", "no") for a in answers)
        unfolded = shown(reveal, values)
        key = (group.id, answers, reveal is not None, unfolded)
        kept = self._groups.get(key) if plain else None
        if kept is not None:
            return kept
        members = [self._questions[qid] for qid in group.questions]
        ticked = {qid for qid, answer in zip(group.questions, answers, strict=True) if answer == "yes"}
        none = all(answer == "no" for answer in answers)
        html = self._group(group, members, ticked, none, error, staff, autofocus, reveal, unfolded)
        if plain and self._keep:
            self._groups[key] = html
        return html

    def reason_items(self, reasons: Iterable[Reason]) -> Markup:
        """The list items for these reasons, from those rendered at start-up."""
        return Markup("".join(self._reasons.get(r.rule) or self._reason(r) for r in reasons))

    def say_section(self, reasons: Iterable[Reason], urgent_now: bool) -> Markup:
        """What to say when calling, an item for each reason that has words for it (or nothing)."""
        items = "".join(self._says.get(r.rule) or self._say(r) for r in reasons if r.say)
        return self._say_section(Markup(items), urgent_now, self._voice, self._number) if items else Markup("")

    def answers(self, answers: Mapping[str, Any], root: str | None) -> Markup:
        """The answers given, section by section, each section with a link to its page to change
        them. Rows and headings are kept for the one path the app is mounted at (`root`; None:
        keep none)."""
        keep = root is not None and self._keep
        rows_kept = self._rows
        parts: list[str] = []
        for section, entries in self._summary:
            rows = []
            for question, ask_when, group in entries:
                if ask_when is not None and not ask_when.holds(answers):
                    continue
                if group is not None:  # a list asked together: one row, where its first question stands
                    ticked = tuple(item for qid, item in group.items if answers.get(qid) == "yes")
                    key: Hashable = (group.id, ticked)
                    rows.append(self._once(rows_kept, key, keep, self._group_row, group.group, ticked))
                    continue
                value = answers.get(question.id)
                if keep and value.__class__ is str:  # the common case: a choice, its row kept
                    html = rows_kept.get((question.id, ("value", value)))
                    if html is not None:
                        rows.append(html)
                        continue
                key = _key(question, value)
                shown = sorted(value) if isinstance(value, frozenset) else value
                rows.append(
                    self._once(rows_kept, (question.id, key), keep and key is not None, self._row, question, shown)
                )
            if rows:
                heading = self._once(self._headings, section.id, keep, self._heading, section)
                parts.extend((heading, '<dl class="summary">', *rows, "</dl>\n"))
        return self._answers_section(Markup("".join(parts))) if parts else Markup("")

    @staticmethod
    def _once(
        kept: dict[Hashable, Markup], key: Hashable, keep: bool, render: Callable[..., Markup], *args: Any
    ) -> Markup:
        """`render(*args)`, or what it gave before for `key`; kept for next time when `keep`."""
        html = kept.get(key) if keep else None
        if html is None:
            html = render(*args)
            if keep:
                kept[key] = html
        return html


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
    """Every skeleton `build` makes, for the one path the app is mounted at (`root`), built the
    first time one is asked for. Requests under any other path get none."""

    def __init__(self, app: Flask, build: Callable[[], dict[Hashable, Skeleton]], root: str) -> None:
        self._app = app
        self._build = build
        self._root = root
        self._built: dict[Hashable, Skeleton] | None = None

    def get(self, key: Hashable, script_root: str) -> Skeleton | None:
        if script_root != self._root:
            return None
        if self._built is None:
            # A request of its own, so that building touches nobody's session.
            with self._app.test_request_context("/", base_url=f"http://localhost{self._root}/"):
                self._built = self._build()
        return self._built.get(key)


def init_app(app: Flask, rulebooks: Mapping[str, Rulebook]) -> None:
    """Fields for each language and voice; skeletons for English, the app's own paths. (Pages in
    another language are rendered in full, with fields rendered as asked for.)"""
    keep = bool(app.config["PAGE_SKELETONS"])
    root = app.config["APPLICATION_ROOT"].rstrip("/")
    app.extensions["triage"]["fields"] = {
        (language, voice): Fields(
            app.jinja_env,
            rulebook.in_voice(voice),
            keep=keep and voice in VISITOR_VOICES and language == rulebooks_source(rulebooks),
        )
        for language, rulebook in rulebooks.items()
        for voice in VOICES
    }
    app.extensions["triage"]["skeletons"] = Skeletons(app, build_skeletons, root) if keep else None


VISITOR_VOICES = tuple(RESPONDENT_VOICES.values())


def rulebooks_source(rulebooks: Mapping[str, Rulebook]) -> str:
    """The language of the rule book's own file (English): the one kept as skeletons."""
    return next(language for language, book in rulebooks.items() if book.language == "en")


def _kept() -> dict[str, Any]:
    return current_app.extensions["triage"]  # type: ignore[no-any-return]


def _skeleton(kept: dict[str, Any], key: Hashable) -> Skeleton | None:
    skeletons: Skeletons | None = kept["skeletons"]
    return skeletons.get(key, request.script_root) if skeletons is not None else None


def fields(voice: str, language: str) -> Fields:
    return _kept()["fields"][language, voice]  # type: ignore[no-any-return]


# -- the pages ------------------------------------------------------------------------------------


def step_url(step: str) -> str:
    if step == journey.RESULT:
        return url_for("visitor.result")
    return url_for("visitor.section", section_id=step)


def start_page(book: Rulebook, has_answers: bool) -> str:
    skeleton = _skeleton(_kept(), ("start", has_answers))
    return skeleton.fill({"csrf": csrf_input()}) if skeleton else _render_start(book, has_answers)


def section_page(
    book: Rulebook,
    page: Section,
    layout: journey.Layout,
    values: Mapping[str, Any],
    errors: Mapping[str, str] | None = None,
    csrf_failed: bool = False,
    unknown_fields: bool = False,
    earlier: Mapping[str, Any] | None = None,
) -> str:
    """A question page of `book` (in its voice) showing `values`, with a message next to each
    question in `errors`. `earlier` (the answers of other pages) decides where Back goes: a page
    that asks this person nothing is passed over."""
    kept = _kept()
    problem = bool(errors) or csrf_failed or unknown_fields
    skeleton = None if problem else _skeleton(kept, ("section", book.voice, page.id, _layout_key(layout)))
    if skeleton is None:
        back = back_url(book, page, earlier or {})
        return _render_section(book, page, layout, values, errors or {}, csrf_failed, unknown_fields, back=back)
    show = kept["fields"][book.language, book.voice].field
    filled = {f"q:{q.id}": show(q, r, values, {}) for q, r in layout}
    if _back_depends_on_answers(book, page):
        filled["back"] = back_url(book, page, earlier or {})
    return skeleton.fill({"csrf": csrf_input(), **filled})


def back_url(book: Rulebook, page: Section, earlier: Mapping[str, Any]) -> str:
    previous = journey.previous_step(book, page.id, earlier)
    return step_url(previous) if previous else url_for("visitor.start")


def _back_depends_on_answers(book: Rulebook, page: Section) -> bool:
    """Whether the page before this one is asked of some people only (so Back depends on the
    answers): otherwise the Back link is part of the page's skeleton."""
    previous = journey.previous_step(book, page.id)
    return previous is not None and not journey.has_questions(book.section_by_id[previous], {})


def result_page(book: Rulebook, assessment: Assessment) -> str:
    """The result: the level's advice, what to say when calling, the reasons and, unless this is
    an emergency, the answers given with links to change them."""
    kept = _kept()
    shown = kept["fields"][book.language, book.voice]
    urgent_now = assessment.level.id == book.top_level.id
    parts = {
        "reasons": shown.reason_items(assessment.reasons),
        "say": shown.say_section(assessment.reasons, urgent_now),
        "answers": Markup(""),
        "made": Markup(escape(made_now())),
    }
    if not urgent_now:
        root = (
            request.script_root if request.script_root == current_app.config["APPLICATION_ROOT"].rstrip("/") else None
        )
        parts["answers"] = shown.answers(assessment.answers, root)
    key = (
        "result",
        book.voice,
        _words(assessment.level),
        assessment.complete,
        bool(parts["reasons"]),
        assessment.extra_contacts,
    )
    skeleton = _skeleton(kept, key)
    if skeleton is None:
        return _render_result(book, assessment, parts)
    return skeleton.fill({"csrf": csrf_input(), **parts})


def after_hours(book: Rulebook) -> bool:
    """Whether the clinic is closed now, by its opening hours (the setting, or the rule book's) in
    its time zone; False when no hours are known."""
    config = current_app.config
    return closed_now(config["OPENING_HOURS"] or book.meta.opening_hours, config["TIME_ZONE"])


def made_now() -> str:
    """Now, to the minute, as the result says when it was made: in the clinic's time zone and
    language. (Written once a minute: results show no seconds.)"""
    config = current_app.config
    language = languages.current()
    where = config["BABEL_LOCALE"] if language == languages.SOURCE else _locale(language)
    return _written_at(int(time.time() // 60), config["TIME_ZONE"], where)


@lru_cache(maxsize=8)
def _locale(language: str) -> Locale:
    return Locale.parse(language)


@lru_cache(maxsize=8)
def _written_at(minute: int, zone: tzinfo | None, where: Locale) -> str:
    return dates.written(datetime.fromtimestamp(minute * 60, UTC), zone, where)


# -- rendering, in full or as skeletons -----------------------------------------------------------


def _render_start(book: Rulebook, has_answers: bool, holes: bool = False) -> str:
    extra = {"csrf_input": lambda: hole("csrf")} if holes else {}
    return render_template("start.html", book=book, has_answers=has_answers, **extra)


def _render_section(
    book: Rulebook,
    page: Section,
    layout: journey.Layout,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    csrf_failed: bool = False,
    unknown_fields: bool = False,
    holes: bool = False,
    back: str = "",
) -> str:
    """The section page rendered in full; with `holes`, the skeleton the answers, token and Back
    link fill."""
    show = fields(book.voice, book.language).field

    def field(question: Question, reveal: journey.Reveal | None) -> Markup:
        if holes:
            return hole(f"q:{question.id}")
        return show(question, reveal, values, errors)

    number, steps = journey.step_number(book, page)
    return render_template(
        "section.html",
        book=book,
        section=page,
        layout=layout,
        field=field,
        errors=errors,
        csrf_failed=csrf_failed,
        unknown_fields=unknown_fields,
        back_url=hole("back") if holes and _back_depends_on_answers(book, page) else back or back_url(book, page, {}),
        number=number,
        steps=steps,
        last=page.id == book.sections[-1].id,
        **({"csrf_input": lambda: hole("csrf")} if holes else {}),
    )


def _render_result(book: Rulebook, assessment: Assessment, parts: Mapping[str, Markup], holes: bool = False) -> str:
    extra = {"csrf_input": lambda: hole("csrf")} if holes else {}
    return render_template(
        "result.html",
        book=book,
        assessment=assessment,
        reason_items=parts["reasons"],
        say_section=parts["say"],
        answers_section=parts["answers"],
        made=parts["made"],
        **extra,
    )


def _words(level: Level) -> tuple[str, ...]:
    """What tells a level's results apart: its id and its words (a variant has other words)."""
    return (
        level.id,
        level.title,
        level.action,
        level.timeframe,
        level.visitor,
        level.safety_net,
        level.where,
        *level.contacts,
    )


def _layout_key(layout: journey.Layout) -> tuple[str, ...]:
    return tuple(question.id for question, _ in layout)


def build_skeletons() -> dict[Hashable, Skeleton]:
    """Every visitor page that shows no error, rendered with holes, in each visitor voice: the start
    page (with or without earlier answers), each section in each layout it can have, and each kind
    of result (each level, in each of its variants' words)."""
    base: Rulebook = _kept()["rulebook"]
    with _at(url_for("visitor.start")):
        built: dict[Hashable, Skeleton] = {
            ("start", has): Skeleton.of(_render_start(base, has, holes=True)) for has in (False, True)
        }
    extras = _extra_contacts(base)
    for voice in VISITOR_VOICES:
        book = base.in_voice(voice)
        for page in book.sections:
            for layout in journey.possible_layouts(book, page):
                with _at(url_for("visitor.section", section_id=page.id)):
                    html = _render_section(book, page, layout, {}, {}, holes=True)
                built["section", voice, page.id, _layout_key(layout)] = Skeleton.of(html)
        for level in book.levels:
            daytime = (level, *(variant for _, variant in level.variants))
            for words in (*daytime, *(w.after_hours for w in daytime if w.after_hours is not None)):
                for complete in (True, False):
                    for has_reasons in (True, False):
                        for extra in extras if has_reasons else [()]:
                            parts = {k: hole(k) for k in ("say", "answers", "made")}
                            parts["reasons"] = hole("reasons") if has_reasons else Markup("")
                            assessment = _blank_assessment(book, words, complete, extra)
                            key = ("result", voice, _words(words), complete, has_reasons, extra)
                            with _at(url_for("visitor.result")):
                                html = _render_result(book, assessment, parts, holes=True)
                            built[key] = Skeleton.of(html)
    return built


def _at(path: str) -> AbstractContextManager[object]:
    """A request of its own for the page at `path` (under the same root), for what a page says of
    its own address (the link to it in another language)."""
    return current_app.test_request_context(path.removeprefix(request.script_root), base_url=request.url_root)


def _extra_contacts(book: Rulebook, most: int = 3) -> list[tuple[str, ...]]:
    """Each list of services the rules that fire can add to a level's (in the order the rules come),
    when there are few; otherwise only none (the others are rendered in full)."""
    lists = {()} | {rule.contacts for rule in book.rules}
    if len(lists) > 2**most:
        return [()]
    found: set[tuple[str, ...]] = set()
    for size in range(len(lists) + 1):
        for chosen in combinations(sorted(lists), size):
            merged: list[str] = []
            for contacts in chosen:
                merged += [c for c in contacts if c not in merged]
            found.add(tuple(merged))
    return sorted(found)


def _blank_assessment(book: Rulebook, level: Level, complete: bool, extra: tuple[str, ...] = ()) -> Assessment:
    meta = book.meta
    return Assessment(
        level, (), {}, complete, meta.disclaimer, meta.title, meta.version, book.sign_off, extra_contacts=extra
    )
