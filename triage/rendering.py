"""The visitor's pages rendered by their templates: in full, or as skeletons, with holes where
what differs from one person to the next goes (`build_skeletons`; see `triage.pages`)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from contextlib import AbstractContextManager
from itertools import combinations
from typing import Any

from flask import current_app, render_template, request, url_for
from markupsafe import Markup

from triage import journey, languages
from triage.engine import Assessment
from triage.page_store import VISITOR_VOICES, back_depends_on_answers, back_url, fields
from triage.rulebook import Level, Question, Rulebook, Section
from triage.skeleton import Skeleton, hole


def render_start(book: Rulebook, has_answers: bool, holes: bool = False) -> str:
    extra = {"csrf_input": lambda: hole("csrf")} if holes else {}
    return render_template("start.html", book=book, has_answers=has_answers, **extra)


def render_section(
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
        back_url=hole("back") if holes and back_depends_on_answers(book, page) else back or back_url(book, page, {}),
        number=number,
        steps=steps,
        last=page.id == book.sections[-1].id,
        **({"csrf_input": lambda: hole("csrf")} if holes else {}),
    )


def render_result(book: Rulebook, assessment: Assessment, parts: Mapping[str, Markup], holes: bool = False) -> str:
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


# Each skeleton's key: what tells its page apart from the others (`build_skeletons` keeps each by
# its key, and `triage.pages` finds a page's by the same key).


def start_key(has_answers: bool) -> Hashable:
    return ("start", has_answers)


def section_key(voice: str, page: Section, layout: journey.Layout) -> Hashable:
    return ("section", voice, page.id, tuple(question.id for question, _ in layout))


def result_key(voice: str, level: Level, complete: bool, has_reasons: bool, extra: tuple[str, ...]) -> Hashable:
    """A result's: its level's words (a variant has other words), whether every question was
    answered, whether it has reasons, and the services its rules add."""
    words = (level.id, level.title, level.action, level.timeframe, level.visitor, level.safety_net, level.where)
    return ("result", voice, (*words, *level.contacts), complete, has_reasons, extra)


def build_skeletons() -> dict[Hashable, Skeleton]:
    """Every visitor page that shows no error, rendered with holes, in each visitor voice: the start
    page (with or without earlier answers), each section in each layout it can have, and each kind
    of result (each level, in each of its variants' words)."""
    base = languages.rulebook()
    with _at(url_for("visitor.start")):
        built: dict[Hashable, Skeleton] = {
            start_key(has): Skeleton.of(render_start(base, has, holes=True)) for has in (False, True)
        }
    extras = _extra_contacts(base)
    for voice in VISITOR_VOICES:
        book = base.in_voice(voice)
        for page in book.sections:
            for layout in journey.possible_layouts(book, page):
                with _at(url_for("visitor.section", section_id=page.id)):
                    html = render_section(book, page, layout, {}, {}, holes=True)
                built[section_key(voice, page, layout)] = Skeleton.of(html)
        for level in book.levels:
            daytime = (level, *(variant for _, variant in level.variants))
            for words in (*daytime, *(w.after_hours for w in daytime if w.after_hours is not None)):
                for complete in (True, False):
                    for has_reasons in (True, False):
                        for extra in extras if has_reasons else [()]:
                            parts = {k: hole(k) for k in ("say", "answers", "made")}
                            parts["reasons"] = hole("reasons") if has_reasons else Markup("")
                            assessment = _blank_assessment(book, words, complete, extra)
                            key = result_key(voice, words, complete, has_reasons, extra)
                            with _at(url_for("visitor.result")):
                                html = render_result(book, assessment, parts, holes=True)
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
