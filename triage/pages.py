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

What is kept, and each step's address, is in `triage.page_store`; the rendering, in full or as
skeletons, in `triage.rendering`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, request
from markupsafe import Markup

from triage import journey, page_store, rendering
from triage.clock import Minute, this_minute
from triage.engine import Assessment
from triage.forms import csrf_input
from triage.page_store import step_url
from triage.rulebook import Rulebook, Section

__all__ = ["init_app", "result_page", "section_page", "start_page", "step_url"]


def init_app(app: Flask, rulebooks: Mapping[str, Rulebook]) -> None:
    """Fields, answers' lists and skeletons for each language offered, each at its own path."""
    page_store.init_app(app, rulebooks, rendering.build_skeletons)


def start_page(book: Rulebook, has_answers: bool) -> bytes:
    """The start page, in UTF-8 (as every page here)."""
    skeleton = page_store.skeleton(page_store.store(), rendering.start_key(has_answers), book.language)
    return skeleton.fill({"csrf": csrf_input()}) if skeleton else rendering.render_start(book, has_answers).encode()


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
    kept = page_store.store()
    problem = bool(errors) or csrf_failed or unknown_fields
    skeletons = None if problem else page_store.skeletons_of(kept, book.language)
    script_root = request.script_root
    key = rendering.section_key(book.voice, page, layout)
    skeleton = None if skeletons is None else skeletons.get(key, script_root)
    if skeletons is None or skeleton is None:
        back = page_store.back_url(book, page, earlier or {})
        return rendering.render_section(
            book, page, layout, values, errors or {}, csrf_failed, unknown_fields, back=back
        ).encode()
    show = kept["fields"][book.language, book.voice].field
    filled = {f"q:{q.id}": show(q, r, values, {}) for q, r in layout}
    if page_store.back_depends_on_answers(book, page):
        before = journey.previous_step(book, page.id, earlier or {})
        filled["back"] = page_store.address(skeletons, before, script_root)
    return skeleton.fill({"csrf": csrf_input(), **filled})


def result_page(book: Rulebook, assessment: Assessment, minute: Minute | None = None) -> bytes:
    """The result: the level's advice, what to say when calling, the reasons and, unless this is
    an emergency, the answers given with links to change them; made in `minute` (default: now)."""
    kept = page_store.store()
    shown = kept["fields"][book.language, book.voice]
    urgent_now = assessment.level.id == book.top_level.id
    parts = {
        "reasons": shown.reason_items(assessment.reasons),
        "say": shown.say_section(assessment.reasons, urgent_now),
        "answers": Markup(""),
        "made": (minute or this_minute(book)).made,
    }
    script_root = request.script_root
    skeletons = page_store.skeletons_of(kept, book.language)
    if not urgent_now:
        # (Rows are kept with the skeletons, at the one path they are for.)
        root = script_root if skeletons is not None and script_root == skeletons.root else None
        parts["answers"] = kept["answers_lists"][book.language, book.voice].render(assessment.answers, root)
    key = rendering.result_key(
        book.voice, assessment.level, assessment.complete, bool(parts["reasons"]), assessment.extra_contacts
    )
    skeleton = skeletons.get(key, script_root) if skeletons is not None else None
    if skeleton is None:
        return rendering.render_result(book, assessment, parts).encode()
    return skeleton.fill({"csrf": csrf_input(), **parts})
