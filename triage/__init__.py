"""ALS red-flag triage: a questionnaire that says how urgently to get medical evaluation.

It never gives a diagnosis. The rule book (rules.yaml) holds every question, rule and sentence;
`triage.rulebook` loads it, `triage.engine` assesses answers, the web app asks the questions.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from triage.rulebook import Rulebook

__all__ = ["create_app"]


def create_app(test_config: Mapping[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    """The web app. Settings come from TRIAGE_* environment variables, or `test_config` in tests.
    `instance_path` overrides the folder that may hold the secret key.

    The rule book is loaded and checked here, once: a broken one raises RulebookError and the app
    does not start.
    """
    # The web stack is imported here, not with the package: the `triage` command (check, verify,
    # assess, report, diff) and the proof's own process do not need it.
    from flask_babel import Babel
    from jinja2 import StrictUndefined

    from triage import api, config, fhir_api, languages, limits, security, staff, views
    from triage.forms import build_forms, csrf_input
    from triage.proof import policy_problems
    from triage.rulebook import RulebookError, load_rulebook
    from triage.sessions import CookieSessions
    from triage.webapp import PAGE_TRANSLATIONS, TriageFlask, resource_dir
    from triage.yamlsource import Problem

    app = TriageFlask(
        __name__,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
        instance_relative_config=True,
        instance_path=instance_path,
    )
    app.session_interface = CookieSessions()
    app.config.from_mapping(config.DEFAULTS)
    app.config.update(config.settings_from_env(os.environ) if test_config is None else test_config)
    config.finish(app.config, Path(app.instance_path))

    rulebook = load_rulebook(
        app.config["RULES_PATH"], emergency_number=app.config["EMERGENCY_NUMBER"], services=app.config["SERVICES"]
    )
    unproved = policy_problems(rulebook, app.config["RULES_PATH"])  # the policy, over every answer set
    if unproved:
        raise RulebookError(rulebook.file, unproved)
    if app.config["REQUIRE_SIGNED"] and not rulebook.sign_off.signed:
        state = rulebook.sign_off.summary
        message = f"TRIAGE_REQUIRE_SIGNED is set, and the rule book is {state}: sign it with `triage sign`"
        raise RulebookError(rulebook.file, [Problem(1, message)])
    rulebooks = {"en": rulebook, **translated(app.config, rulebook)}
    app.extensions["triage"] = {
        "rulebook": rulebook,
        "rulebooks": rulebooks,
        "forms": {language: build_forms(book) for language, book in rulebooks.items()},
        "minutes": {},  # triage.clock: each language's current minute
    }
    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.globals["csrf_input"] = csrf_input
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    # The pages' own words through gettext (Flask-Babel), in the language of the request's path.
    pages_catalogs = app.config["PAGE_TRANSLATIONS"] or PAGE_TRANSLATIONS
    Babel(app, locale_selector=languages.locale, default_translation_directories=str(pages_catalogs))
    languages.init_app(app)

    security.init_app(app)
    views.init_app(app)
    api.init_app(app)
    fhir_api.init_app(app)
    if app.config["STAFF_MODE"]:
        staff.init_app(app)
    limits.init_app(app)
    return app


def translated(config: Mapping[str, Any], english: Rulebook) -> dict[str, Rulebook]:
    """The rule book in each other language offered (`TRIAGE_LANGUAGES`). A language whose rule
    book or pages' catalog is not complete stops start-up, every problem listed by file and line."""
    from triage.config import ConfigError
    from triage.i18n import page_catalog_problems
    from triage.rulebook import RulebookError, load_rulebook
    from triage.webapp import PAGE_TRANSLATIONS

    books: dict[str, Rulebook] = {}
    problems: list[str] = []
    for language in config["LANGUAGES"]:
        if language == "en":
            continue
        try:
            books[language] = load_rulebook(
                config["RULES_PATH"],
                emergency_number=config["EMERGENCY_NUMBER"],
                services=config["SERVICES"],
                language=language,
            )
        except RulebookError as error:
            problems += error.lines()
        problems += page_catalog_problems(language, Path(config["PAGE_TRANSLATIONS"] or PAGE_TRANSLATIONS))
    if problems:
        shown = problems[:100] + ([f"... and {len(problems) - 100} more"] if len(problems) > 100 else [])
        raise ConfigError("TRIAGE_LANGUAGES names a language that is not complete:\n" + "\n".join(shown))
    return books
