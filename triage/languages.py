"""Which language a request is in, and the links between languages.

English is at the app's own paths; each other language offered (`TRIAGE_LANGUAGES`) is under a
path of its own, its two-letter code: `/fr/questions/emergency` is the French of
`/questions/emergency`. A thin WSGI wrapper moves that prefix from the path to the script root
(as mounting an app under a prefix does), so every link the pages make stays in the language, the
session cookie (path /) and its answers are shared, and the views see the same paths.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale
from babel.support import NullTranslations, Translations
from flask import Flask, Response, current_app, has_request_context, redirect, request
from flask_babel import Domain, get_translations
from werkzeug.wrappers import Response as BaseResponse

from triage.i18n import DOMAIN as PAGE_DOMAIN
from triage.i18n import compiled_pages
from triage.rulebook import Rulebook
from triage.webapp import PAGE_TRANSLATIONS

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

SOURCE = "en"
ENVIRON_KEY = "triage.language"
ASKED = "triage.language_asked"  # the API's language, once worked out
TRANSLATIONS = "triage.translations"  # the request's catalog, once found


def path_prefix(language: str) -> str:
    return "" if language == SOURCE else "/" + language.split("_")[0]


def own_root(app_root: str, language: str) -> str:
    """Where a language's pages are, for an app mounted at `app_root` (its script root)."""
    return app_root.rstrip("/") + path_prefix(language)


def environ_of(language: str) -> dict[str, str]:
    """What the wrapper below puts in a request's environ for `language`: for a request made
    inside the app (a page rendered once, as a skeleton) to be in that language."""
    return {} if language == SOURCE else {ENVIRON_KEY: language}


@contextmanager
def rendering(app: Flask, path: str, base_url: str, language: str) -> Iterator[None]:
    """A request made inside the app for a page rendered once (a skeleton) in `language`: as a
    request under that language's path is, with its catalog, and touching nobody's session."""
    with app.test_request_context(path, base_url=base_url, environ_overrides=environ_of(language)):
        domain: CompiledPages | None = app.extensions["triage"].get("pages_domain")
        if domain is not None and language != SOURCE:
            domain.as_default()  # what each request's `before_request` does
        yield


def html_lang(language: str) -> str:
    """The language as HTML's lang and hreflang attributes and Content-Language write it."""
    return language.replace("_", "-")


class LanguagePaths:
    """WSGI wrapper: a request under a language's prefix is that language's, the prefix moved from
    PATH_INFO to SCRIPT_NAME."""

    def __init__(self, app: WSGIApplication, languages: Iterable[str]) -> None:
        self.app = app
        self.prefixes = {path_prefix(code): code for code in languages if code != SOURCE}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        for prefix, language in self.prefixes.items():
            if path == prefix or path.startswith(prefix + "/"):
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
                environ["PATH_INFO"] = path[len(prefix) :] or "/"
                environ[ENVIRON_KEY] = language
                break
        return self.app(environ, start_response)


class CompiledPages(Domain):  # type: ignore[misc]
    """Flask-Babel's domain for the pages' words, with each language's catalog compiled once at
    start-up (through `get_translations_cache`, the hook Flask-Babel gives for it)."""

    def __init__(self, compiled: dict[tuple[str, str], Translations]) -> None:
        super().__init__(domain=PAGE_DOMAIN)
        self.compiled = compiled

    def get_translations_cache(self, ctx: object) -> dict[tuple[str, str], Translations]:
        return self.compiled


def own_name(language: str) -> str:
    """A language's name in itself, as its link says it ("Français"): from Babel's CLDR data, so a
    new language needs a catalog, not code."""
    name = str(_locale(language).get_language_name(_locale(language)) or language)
    return name[:1].upper() + name[1:]


def locale() -> Locale:
    """The request's language as Babel's Locale (for Flask-Babel's locale selector): made once."""
    return _locale(current())


@functools.lru_cache(maxsize=8)
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def translations() -> NullTranslations:
    """The request's gettext catalog, found once per request (Flask-Babel's `get_translations`
    looks it up again on every message); outside a request, none (the templates' English)."""
    if not has_request_context():
        return _NONE
    environ = request.environ  # (not `g`: a page rendered inside another request has its own environ)
    found: NullTranslations | None = environ.get(TRANSLATIONS)
    if found is None:
        found = environ[TRANSLATIONS] = get_translations()
    return found


_NONE = NullTranslations()


def init_app(app: Flask) -> None:
    # The templates' gettext through Jinja's documented i18n hook, with the catalog of the request
    # found once (a page of 40 messages took a quarter longer with a lookup per message).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: translations().gettext(message),
        lambda singular, plural, n: translations().ngettext(singular, plural, n),
        newstyle=True,
    )
    app.context_processor(lambda: {"html_lang": html_lang(current())})
    offered = app.config["LANGUAGES"]
    if len(offered) == 1:
        return  # English only: no prefixes, no links
    root = Path(app.config["PAGE_TRANSLATIONS"] or PAGE_TRANSLATIONS)
    compiled = {
        (str(Locale.parse(code)), PAGE_DOMAIN): compiled_pages(code, root) for code in offered if code != SOURCE
    }
    pages_domain = app.extensions["triage"]["pages_domain"] = CompiledPages(compiled)

    def in_the_path_language() -> None:
        """The request's catalogs, where its language has some (English: the words as written)."""
        if current() != SOURCE:
            pages_domain.as_default()

    app.before_request(in_the_path_language)
    app.wsgi_app = LanguagePaths(app.wsgi_app, offered)  # type: ignore[method-assign]
    app.context_processor(language_links)
    app.before_request(first_visit_in_browser_language)
    app.after_request(vary_on_browser_language)


def current() -> str:
    """The language of this request: its path's, or English (also outside a request)."""
    try:
        environ = request.environ
    except RuntimeError:  # outside a request
        return SOURCE
    return str(environ.get(ENVIRON_KEY, SOURCE))


def language_links() -> dict[str, object]:
    """For the pages: each other language's link to this same page (answers and place kept)."""
    language = current()
    root = request.script_root.removesuffix(path_prefix(language))
    links = []
    for code in current_app.config["LANGUAGES"]:
        if code == language:
            continue
        path = request.path
        href = f"{root}{path_prefix(code)}{path}"
        if code == SOURCE and path == "/":
            href += "?lang=en"  # chosen: the start page then keeps English whatever the browser asks
        links.append({"code": code, "lang": html_lang(code), "name": own_name(code), "href": href})
    return {"language_links": links}


def asked() -> str | None:
    """The language an API request asks for: its `lang` parameter (fr_CA, fr-CA or fr), else its
    path's, else the first of its Accept-Language offered, else English. None: a `lang` that is
    not offered (refused, not guessed)."""
    environ = request.environ
    if ASKED in environ:  # worked out once per request
        return environ[ASKED]  # type: ignore[no-any-return]
    offered = current_app.config["LANGUAGES"]
    # (the query string parsed only when it can name a language: most requests have none)
    given = request.args.get("lang") if "lang" in environ.get("QUERY_STRING", "") else None
    found: str | None
    if given is not None:
        found = next((code for code in offered if given in (code, html_lang(code), code.split("_")[0])), None)
    elif len(offered) == 1:
        found = SOURCE
    elif current() != SOURCE:
        found = current()
    else:
        names = {html_lang(code): code for code in offered} | {code.split("_")[0]: code for code in offered}
        best = request.accept_languages.best_match(list(names))
        found = names[best] if best else SOURCE
    environ[ASKED] = found
    return found


def asked_rulebook() -> Rulebook:
    """The rule book in the language an API request asks for (English when it names none offered:
    the routes refuse that request first)."""
    return book(asked() or SOURCE)


def with_content_language(response: Response, language: str | None = None) -> Response:
    """An answer of the API and FHIR routes with texts, saying which language they are in (the
    one asked for, when not given)."""
    response.headers["Content-Language"] = html_lang(language or asked() or SOURCE)
    return response


def book(language: str) -> Rulebook:
    """The rule book in `language` (one offered)."""
    return current_app.extensions["triage"]["rulebooks"][language]  # type: ignore[no-any-return]


def rulebook() -> Rulebook:
    """The rule book in this request's language (in the person's own voice)."""
    return current_app.extensions["triage"]["rulebooks"][current()]  # type: ignore[no-any-return]


def vary_on_browser_language(response: Response) -> Response:
    if request.path == "/" and current() == SOURCE:
        response.vary.add("Accept-Language")  # a first visit may be sent to another language
    return response


def first_visit_in_browser_language() -> BaseResponse | None:
    """The start page, on a first visit in English, follows the browser's languages."""
    if current() != SOURCE or request.method != "GET" or request.path != "/" or request.args.get("lang"):
        return None
    if current_app.config["SESSION_COOKIE_NAME"] in request.cookies:
        return None  # not a first visit: the person has been answering in English
    offered = current_app.config["LANGUAGES"]
    best = request.accept_languages.best_match([html_lang(code) for code in offered] + ["en"], default="en")
    chosen = next((code for code in offered if html_lang(code) == best or code.split("_")[0] == best), SOURCE)
    if chosen == SOURCE:
        return None
    response = redirect(request.script_root + path_prefix(chosen) + "/", code=302)
    response.vary.add("Accept-Language")
    return response
