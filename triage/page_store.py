"""What the visitor's pages are made from, kept per app: each question's fields, the answers'
lists and the skeletons of each language (see `triage.pages`), and each step's address.

The skeletons are kept for the one path a language's pages are at; so are the addresses, which
`url_for` would otherwise make on every page (the Back link, the next step).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from flask import Flask, current_app, request, url_for

from triage import journey, languages
from triage.answers_list import AnswersList
from triage.fields import Fields
from triage.memo import once_per_object
from triage.rulebook import RESPONDENT_VOICES, VOICES, Rulebook, Section
from triage.skeleton import Skeleton


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


def init_app(app: Flask, rulebooks: Mapping[str, Rulebook], build: Callable[[], dict[Hashable, Skeleton]]) -> None:
    """Fields, answers' lists and skeletons (made by `build` when first asked for) for each language
    offered, each at its own path."""
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
        language: Skeletons(app, build, languages.own_root(root, language), language) for language in rulebooks if keep
    }


VISITOR_VOICES = tuple(RESPONDENT_VOICES.values())


def store() -> dict[str, Any]:
    """What this app keeps (`current_app.extensions["triage"]`)."""
    return current_app.extensions["triage"]  # type: ignore[no-any-return]


def skeletons_of(kept: dict[str, Any], language: str | None = None) -> Skeletons | None:
    """The skeletons of `language` (default: this request's) in `kept` (the app's `store()`);
    none when they are turned off."""
    return kept["skeletons"].get(language or languages.current())  # type: ignore[no-any-return]


def skeleton(kept: dict[str, Any], key: Hashable, language: str) -> Skeleton | None:
    """A page's skeleton in `language` (a page's rule book's is its request's)."""
    skeletons = skeletons_of(kept, language)
    return skeletons.get(key, request.script_root) if skeletons is not None else None


def fields(voice: str, language: str) -> Fields:
    return store()["fields"][language, voice]  # type: ignore[no-any-return]


# -- addresses ------------------------------------------------------------------------------------


def step_url(step: str | None, language: str | None = None) -> str:
    """The address of a step: a section, or the result (None: the start page), in `language`
    (default: this request's)."""
    return address(skeletons_of(store(), language), step, request.script_root)


def address(skeletons: Skeletons | None, step: str | None, script_root: str) -> str:
    """A step's address, kept with the skeletons when the request is at their path."""
    found = skeletons.url(step, script_root) if skeletons is not None else None
    return found or _step_url(step)


def _step_url(step: str | None) -> str:
    if step is None:
        return url_for("visitor.start")
    if step == journey.RESULT:
        return url_for("visitor.result")
    return url_for("visitor.section", section_id=step)


def back_url(book: Rulebook, page: Section, earlier: Mapping[str, Any]) -> str:
    return step_url(journey.previous_step(book, page.id, earlier), book.language)


def back_depends_on_answers(book: Rulebook, page: Section) -> bool:
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
