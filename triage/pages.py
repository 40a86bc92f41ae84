"""The visitor's pages as HTML, quick to serve: what is the same for everyone is rendered once.

Views ask this module for a page (`start_page`, `section_page`, `result_page`) and get its HTML;
whether it was filled in from a skeleton or rendered in full is decided here, and nowhere else.

A question page or a result differs from one person to the next in only a few places: the answers
already chosen, the CSRF token, and which reasons apply. So:

- `Fields` renders each question's field, with the `question_field` macro, once for every answer
  it can show, and each rule's reason once, with `reason_item`.
- A `Skeleton` is a whole page rendered once by its usual template, with *holes* where those parts
  go; serving the page fills the holes by joining strings.
- `Skeletons` keeps every skeleton of one language, built all at once the first time a page is
  asked for, for the one path that language's pages are at (`APPLICATION_ROOT`, and `/fr` under it
  for French). A request under any other path gets its page rendered in full: it can neither evict
  what is kept nor make the app build more.

Nothing kept depends on a person: skeletons and fields are built from the rule book alone, every
variant at once, so no one's answers decide what is rendered or kept. Pages that show an error
message are rendered in full, by the same templates and the same fields. The setting
`PAGE_SKELETONS` (on by default) turns all of this off, so that tests can compare the two.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from contextlib import AbstractContextManager
from itertools import combinations
from typing import Any

from flask import Flask, current_app, render_template, request, url_for
from markupsafe import Markup

from triage import journey, languages
from triage.answers_list import AnswersList
from triage.clock import Minute, this_minute
from triage.engine import Assessment
from triage.fields import Fields
from triage.forms import csrf_input
from triage.memo import once_per_object
from triage.rulebook import RESPONDENT_VOICES, VOICES, Level, Question, Rulebook, Section
from triage.skeleton import Skeleton, hole


class Skeletons:
    """Every skeleton `build` makes in one language, for the one path its pages are at (`root`),
    built the first time one is asked for, and the address of each step there. Requests under any
    other path get none."""

    def __init__(
        self, app: Flask, build: Callable[[], dict[Hashable, Skeleton]], root: str, language: str = languages.SOURCE
    ) -> None:
        self._app = app
        self._build = build
        self._root = root
        self._language = language
        self._built: dict[Hashable, Skeleton] | None = None
        self._urls: dict[str | None, str] | None = None

    @property
    def root(self) -> str:
        """The path this language's pages are kept for."""
        return self._root

    def get(self, key: Hashable, script_root: str) -> Skeleton | None:
        if script_root != self._root:
            return None
        if self._built is None:
            with self._request():
                self._built = self._build()
        return self._built.get(key)

    def url(self, step: str | None, script_root: str) -> str | None:
        """The address of a step (a section, or the result; None: the start page), as `url_for`
        makes it."""
        if script_root != self._root:
            return None
        if self._urls is None:
            with self._request():
                steps = (None, *(section.id for section in languages.rulebook().sections), journey.RESULT)
                self._urls = {step: _step_url(step) for step in steps}
        return self._urls.get(step)

    def _request(self) -> AbstractContextManager[object]:
        """A request of its own, in the language, so that building touches nobody's session."""
        return languages.rendering(self._app, "/", f"http://localhost{self._root}/", self._language)


def init_app(app: Flask, rulebooks: Mapping[str, Rulebook]) -> None:
    """Fields, answers' lists and skeletons for each language offered, each at its own path."""
    keep = bool(app.config["PAGE_SKELETONS"])
    root = app.config["APPLICATION_ROOT"]
    fields = app.extensions["triage"]["fields"] = {}
    for language, rulebook in rulebooks.items():
        # Rendered at start-up in a request of the language, so in its words.
        with languages.rendering(app, "/", f"http://localhost{languages.own_root(root, language)}/", language):
            for voice in VOICES:
                keep_fields = keep and voice in VISITOR_VOICES
                fields[language, voice] = Fields(app.jinja_env, rulebook.in_voice(voice), keep=keep_fields)
    app.extensions["triage"]["answers_lists"] = {
        (language, voice): AnswersList(app.jinja_env, rulebook.in_voice(voice), keep=keep)
        for language, rulebook in rulebooks.items()
        for voice in VISITOR_VOICES
    }
    app.extensions["triage"]["skeletons"] = {
        language: Skeletons(app, build_skeletons, languages.own_root(root, language), language)
        for language in rulebooks
        if keep
    }


VISITOR_VOICES = tuple(RESPONDENT_VOICES.values())


def _kept() -> dict[str, Any]:
    return current_app.extensions["triage"]  # type: ignore[no-any-return]


def _skeletons(kept: dict[str, Any], language: str | None = None) -> Skeletons | None:
    """The skeletons of `language` (default: this request's); none when they are turned off."""
    return kept["skeletons"].get(language or languages.current())  # type: ignore[no-any-return]


def _skeleton(kept: dict[str, Any], key: Hashable, language: str) -> Skeleton | None:
    """A page's skeleton in `language` (a page's rule book's is its request's)."""
    skeletons = _skeletons(kept, language)
    return skeletons.get(key, request.script_root) if skeletons is not None else None


def fields(voice: str, language: str) -> Fields:
    return _kept()["fields"][language, voice]  # type: ignore[no-any-return]


# -- the pages ------------------------------------------------------------------------------------


def step_url(step: str | None, language: str | None = None) -> str:
    """The address of a step: a section, or the result (None: the start page), in `language`
    (default: this request's)."""
    return _address(_skeletons(_kept(), language), step, request.script_root)


def _address(skeletons: Skeletons | None, step: str | None, script_root: str) -> str:
    """A step's address, kept with the skeletons when the request is at their path."""
    kept = skeletons.url(step, script_root) if skeletons is not None else None
    return kept or _step_url(step)


def _step_url(step: str | None) -> str:
    if step is None:
        return url_for("visitor.start")
    if step == journey.RESULT:
        return url_for("visitor.result")
    return url_for("visitor.section", section_id=step)


def start_page(book: Rulebook, has_answers: bool) -> bytes:
    """The start page, in UTF-8 (as every page here)."""
    skeleton = _skeleton(_kept(), ("start", has_answers), book.language)
    return skeleton.fill({"csrf": csrf_input()}) if skeleton else _render_start(book, has_answers).encode()


def section_page(
    book: Rulebook,
    page: Section,
    layout: journey.Layout,
    values: Mapping[str, Any],
    errors: Mapping[str, str] | None = None,
    csrf_failed: bool = False,
    unknown_fields: bool = False,
    earlier: Mapping[str, Any] | None = None,
) -> bytes:
    """A question page of `book` (in its voice) showing `values`, with a message next to each
    question in `errors`. `earlier` (the answers of other pages) decides where Back goes: a page
    that asks this person nothing is passed over."""
    kept = _kept()
    problem = bool(errors) or csrf_failed or unknown_fields
    skeletons = None if problem else _skeletons(kept, book.language)
    script_root = request.script_root
    skeleton = (
        None if skeletons is None else skeletons.get(("section", book.voice, page.id, _layout_key(layout)), script_root)
    )
    if skeletons is None or skeleton is None:
        back = back_url(book, page, earlier or {})
        return _render_section(
            book, page, layout, values, errors or {}, csrf_failed, unknown_fields, back=back
        ).encode()
    show = kept["fields"][book.language, book.voice].field
    filled = {f"q:{q.id}": show(q, r, values, {}) for q, r in layout}
    if _back_depends_on_answers(book, page):
        before = journey.previous_step(book, page.id, earlier or {})
        filled["back"] = _address(skeletons, before, script_root)
    return skeleton.fill({"csrf": csrf_input(), **filled})


def back_url(book: Rulebook, page: Section, earlier: Mapping[str, Any]) -> str:
    return step_url(journey.previous_step(book, page.id, earlier), book.language)


def _back_depends_on_answers(book: Rulebook, page: Section) -> bool:
    """Whether the page before this one is asked of some people only (so Back depends on the
    answers): otherwise the Back link is part of the page's skeleton."""
    return page.id in _back_depends(book)


@once_per_object
def _back_depends(book: Rulebook) -> frozenset[str]:
    """The pages of `book` whose page before is asked of some people only."""
    found = set()
    for page in book.sections:
        previous = journey.previous_step(book, page.id)
        if previous is not None and not journey.has_questions(book.section_by_id[previous], {}):
            found.add(page.id)
    return frozenset(found)


def result_page(book: Rulebook, assessment: Assessment, minute: Minute | None = None) -> bytes:
    """The result: the level's advice, what to say when calling, the reasons and, unless this is
    an emergency, the answers given with links to change them; made in `minute` (default: now)."""
    kept = _kept()
    shown = kept["fields"][book.language, book.voice]
    urgent_now = assessment.level.id == book.top_level.id
    parts = {
        "reasons": shown.reason_items(assessment.reasons),
        "say": shown.say_section(assessment.reasons, urgent_now),
        "answers": Markup(""),
        "made": (minute or this_minute(book)).made,
    }
    script_root = request.script_root
    skeletons = _skeletons(kept, book.language)
    if not urgent_now:
        # (Rows are kept with the skeletons, at the one path they are for.)
        root = script_root if skeletons is not None and script_root == skeletons.root else None
        parts["answers"] = kept["answers_lists"][book.language, book.voice].render(assessment.answers, root)
    key = (
        "result",
        book.voice,
        _words(assessment.level),
        assessment.complete,
        bool(parts["reasons"]),
        assessment.extra_contacts,
    )
    skeleton = skeletons.get(key, script_root) if skeletons is not None else None
    if skeleton is None:
        return _render_result(book, assessment, parts).encode()
    return skeleton.fill({"csrf": csrf_input(), **parts})


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
    base = languages.rulebook()
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
    return languages.rendering(
        current_app, path.removeprefix(request.script_root), request.url_root, languages.current()
    )


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
