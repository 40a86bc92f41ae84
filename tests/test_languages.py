"""A deployment in two languages (TRIAGE_LANGUAGES=en,fr_CA): French under /fr/, the first visit
following the browser, a link on every page that keeps the answers and the place, the API and FHIR
in the language asked, and start-up refused when a French text is missing. The French here is a
pseudo-translation ("[fr] " and the English), made from the real catalogs' templates, so that
every text can be traced; the real French catalogs are checked by `triage check --language`."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po, write_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import answer_sets
from webpages import ALL_QUIET, TO_LEVEL, Visitor, parse

from triage import create_app
from triage.config import ConfigError
from triage.engine import assess
from triage.i18n import page_catalog_path, update_page_catalogs
from triage.rulebook import default_rules_path, update_catalogs
from triage.rulebook.translation import catalog_path

FR = "fr_CA"


def pseudo(path: Path) -> None:
    """Every message of a catalog 'translated' as "[fr] " and its English."""
    catalog = read_po(io.StringIO(path.read_text(encoding="utf-8")))
    for message in catalog:
        if message.id:
            message.string = f"[fr] {message.id}"
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100)
    path.write_bytes(buffer.getvalue())


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("bilingual")
    rules = folder / "rules.yaml"
    shutil.copy(default_rules_path(), rules)
    update_catalogs(rules, (FR,))
    pseudo(catalog_path(rules, FR))
    pages = folder / "pages"
    update_page_catalogs((FR,), pages)
    pseudo(page_catalog_path(FR, pages))
    return {"RULES_PATH": str(rules), "PAGE_TRANSLATIONS": str(pages), "LANGUAGES": ("en", FR)}


@pytest.fixture
def app(catalogs: dict[str, Any]) -> Any:
    return create_app({"SECRET_KEY": "l" * 32, "RATE_LIMIT": "off", **catalogs})


@pytest.mark.slow
def test_french_pages_are_under_fr_with_their_language_and_a_link_back(app: Any) -> None:
    soup = parse(app.test_client().get("/fr/"))
    assert soup.html["lang"] == "fr-CA"
    assert soup.h1.get_text(strip=True) == "[fr] Check how soon to see a doctor"
    assert soup.find("form", class_="start-choice")["action"] == "/fr/start"  # every link stays in French
    link = soup.find("a", class_="header__language")
    assert (link["href"], link["hreflang"], link.get_text()) == ("/?lang=en", "en", "English")
    assert soup.find("link", rel="alternate", hreflang="en")["href"] == "/?lang=en"
    english = parse(app.test_client().get("/?lang=en"))
    assert english.html["lang"] == "en" and english.find("a", class_="header__language")["href"] == "/fr/"


def test_the_language_link_keeps_the_answers_and_the_place(app: Any) -> None:
    visitor = Visitor(app.test_client())
    visitor.answer_all(TO_LEVEL["urgent"])
    english = parse(visitor.client.get("/result"))
    assert english.find("a", class_="header__language")["href"] == "/fr/result"
    french = parse(visitor.client.get("/fr/result"))
    assert french.html["lang"] == "fr-CA"
    assert french.h1.get_text(strip=True) == "[fr] Contact a doctor today"  # the same level, in French
    assert "[fr] Why we are saying this" in french.get_text()
    made = french.select_one(".meta").get_text()
    assert "décembre" in made or "novembre" in made  # the date in French, by Babel


def test_a_french_page_posts_and_goes_on_in_french(app: Any) -> None:
    client = app.test_client()
    page = parse(client.get("/fr/"))
    token = page.find("input", attrs={"name": "csrf_token"})["value"]
    started = client.post("/fr/start", data={"csrf_token": token, "respondent": "self"})
    assert started.status_code == 303 and started.headers["Location"].startswith("/fr/questions/")
    emergency = parse(client.get(started.headers["Location"]))
    assert emergency.html["lang"] == "fr-CA" and emergency.h1.get_text(strip=True).startswith("[fr] ")
    token = emergency.find("input", attrs={"name": "csrf_token"})["value"]
    missing = parse(client.post("/fr/questions/emergency", data={"csrf_token": token}))
    assert "[fr] There is a problem" in missing.get_text()
    assert missing.select_one(".error-summary a").get_text().startswith("[fr] ")  # the rule book's message


@pytest.mark.parametrize(("header", "goes_to"), [("fr-CA,fr;q=0.9,en;q=0.5", "/fr/"), ("fr", "/fr/"), ("en-CA", None)])
def test_a_first_visit_follows_the_browsers_language(app: Any, header: str, goes_to: str | None) -> None:
    response = app.test_client().get("/", headers={"Accept-Language": header})
    assert "Accept-Language" in response.headers.get("Vary", "")
    if goes_to:
        assert response.status_code == 302 and response.headers["Location"] == goes_to
    else:
        assert response.status_code == 200


def test_a_visitor_who_chose_english_or_has_answers_stays(app: Any) -> None:
    client = app.test_client()
    assert client.get("/?lang=en", headers={"Accept-Language": "fr"}).status_code == 200
    Visitor(client).start()
    assert client.get("/", headers={"Accept-Language": "fr"}).status_code == 200


def test_every_answer_with_texts_says_its_language_and_a_refusal_does_not(app: Any) -> None:
    client = app.test_client()
    answers = {"answers": {**ALL_QUIET}}
    for lang, said in (("fr", "fr-CA"), ("en", "en")):
        for response in (
            client.get(f"/api/v1/questionnaire?lang={lang}"),
            client.post(f"/api/v1/assessments?lang={lang}", json=answers),
            client.get(f"/fhir/Questionnaire/triage?lang={lang}"),
        ):
            assert response.status_code == 200 and response.headers["Content-Language"] == said
    for refused in (
        client.get("/api/v1/questionnaire?lang=de"),
        client.post("/api/v1/assessments?lang=fr", json={"answers": {"chest_pain": "maybe"}}),
        client.post("/api/v1/assessments", data="{", content_type="application/json"),
        client.get("/fhir/Questionnaire/triage?lang=de"),
    ):
        assert refused.status_code >= 400 and "Content-Language" not in refused.headers


@pytest.mark.parametrize("level", TO_LEVEL)
def test_the_api_answers_in_the_language_asked_and_the_level_never_depends_on_it(app: Any, level: str) -> None:
    client = app.test_client()
    answers = {"answers": {**ALL_QUIET, **TO_LEVEL[level]}}
    english = client.post("/api/v1/assessments", json=answers)
    french = client.post("/api/v1/assessments?lang=fr", json=answers)
    by_header = client.post("/api/v1/assessments", json=answers, headers={"Accept-Language": "fr-CA"})
    assert english.headers["Content-Language"] == "en" and french.headers["Content-Language"] == "fr-CA"
    assert by_header.get_json() == french.get_json()
    ours, theirs = english.get_json(), french.get_json()
    assert theirs["level"] == ours["level"]
    assert [r["rule"] for r in theirs["reasons"]] == [r["rule"] for r in ours["reasons"]]
    assert theirs["title"] == f"[fr] {ours['title']}"


def test_a_language_not_offered_is_refused_not_guessed(app: Any) -> None:
    response = app.test_client().get("/api/v1/questionnaire?lang=de")
    assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == "lang"
    assert app.test_client().get("/fhir/Questionnaire/triage?lang=de").status_code == 400


def test_fhir_gives_the_questionnaire_in_the_language_asked(app: Any) -> None:
    resource = app.test_client().get("/fhir/Questionnaire/triage?lang=fr_CA").get_json()
    assert resource["language"] == "fr-CA" and resource["item"][1]["text"].startswith("[fr] ")


def test_the_call_screen_is_in_french_too(app: Any) -> None:
    soup = parse(app.test_client().get("/fr/staff"))
    assert soup.html["lang"] == "fr-CA" and soup.h1.get_text(strip=True) == "[fr] Call screen"


@pytest.mark.slow
@pytest.mark.parametrize("catalog", ["rules", "pages"])
def test_start_up_is_refused_when_a_french_text_is_missing(
    catalogs: dict[str, Any], tmp_path: Path, catalog: str
) -> None:
    rules = tmp_path / "rules.yaml"
    shutil.copytree(Path(catalogs["RULES_PATH"]).parent, tmp_path, dirs_exist_ok=True)
    pages = tmp_path / "pages"
    path = catalog_path(rules, FR) if catalog == "rules" else page_catalog_path(FR, pages)
    text = path.read_text(encoding="utf-8")
    first = text.index('msgstr "[fr] ')
    path.write_text(text[:first] + 'msgstr ""' + text[text.index("\n", first) :], encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"{path}:\d+: the fr_CA of .* is empty"):
        create_app({"SECRET_KEY": "l" * 32, **catalogs, "RULES_PATH": str(rules), "PAGE_TRANSLATIONS": str(pages)})


# Words a French page never needs in English (a sign that a text was not translated).
ENGLISH = re.compile(
    r"\b(the|and|you|your|with|what|call|this|that|draft|signed|answers|today|doctor|please|when|where)\b"
)


def english_lines(response: Any) -> list[str]:
    soup = parse(response)
    for hidden in soup(["script", "style"]) + soup.select("#call-bundle"):
        hidden.decompose()  # (a FHIR Bundle's codes are FHIR's own: "draft", "proposal")
    lines = {" ".join(line.split()) for line in soup.get_text("\n").splitlines()}
    return sorted(line for line in lines if ENGLISH.search(line.lower()))


@pytest.fixture(scope="module")
def french() -> Any:
    """The real French catalogs in translations/, as a deployment offering French uses them."""
    return create_app({"SECRET_KEY": "f" * 32, "RATE_LIMIT": "off", "LANGUAGES": ("en", FR)})


@pytest.mark.slow
@pytest.mark.parametrize("respondent", ["self", "someone_else"])
@pytest.mark.parametrize("level", TO_LEVEL)
def test_a_french_visitor_meets_no_english_from_start_to_result(french: Any, level: str, respondent: str) -> None:
    visitor = Visitor(french.test_client())
    assert english_lines(visitor.client.get("/fr/")) == []
    visitor.start(respondent)
    book = french.extensions["triage"]["rulebooks"][FR]
    for section in book.sections:
        page = visitor.client.get(f"/fr/questions/{section.id}")
        assert page.status_code in (200, 409) and english_lines(page) == [], section.id
    visitor.answer_all({**TO_LEVEL[level], "carer_coping": "no", "known_diagnosis": "yes" if level == "soon" else "no"})
    result = visitor.client.get("/fr/result")
    assert parse(result).html["lang"] == "fr-CA"
    assert english_lines(result) == []


def test_a_receptionist_runs_a_call_in_french(french: Any) -> None:
    client = french.test_client()
    screen = client.get("/fr/staff")
    assert english_lines(screen) == []
    token = parse(screen).find("input", attrs={"name": "csrf_token"})["value"]
    answers = {**ALL_QUIET, **TO_LEVEL["urgent"], "csrf_token": token}
    advice = client.post("/fr/staff", data=answers)
    assert advice.status_code == 200 and english_lines(advice) == []
    assert "Résumé de l\u2019appel" in parse(advice).get_text()


def test_the_english_word_check_can_fail(french: Any) -> None:
    assert english_lines(french.test_client().get("/")) != []  # the English start page


VOUS = re.compile(r"\b(vous|votre|vos)\b", re.IGNORECASE)
VOUS_AVEZ_DIT = re.compile(r"^Vous avez dit( que)?|[Vv]ous nous avez (aussi )?parlé")


def about_the_person_fr(texts: list[str]) -> list[str]:
    """The texts that say "vous" about the person answered for (not to the one answering)."""
    return [text for text in texts if VOUS.search(VOUS_AVEZ_DIT.sub("", text))]


def test_answering_for_someone_else_no_french_question_or_reason_says_vous_about_them(french: Any) -> None:
    book = french.extensions["triage"]["rulebooks"][FR].in_voice("other")
    shown: list[str] = [section.title for section in book.sections]
    for group in book.groups:
        shown += [group.text, group.hint or "", group.none, group.error]
    for question in book.questions:
        if question.id == "carer_coping":
            continue  # the carer's own question speaks to the one answering, about themselves
        grouped = any(question.id in group.questions for group in book.groups)
        shown += [question.item or ""] if grouped else [question.text, question.error]
        shown += [question.hint or ""] + [option.label for option in question.options]
    shown += [rule.reason for rule in book.rules if rule.id != "carer_coping"]
    assert about_the_person_fr(shown) == []
    assert about_the_person_fr(["Avez-vous du mal à respirer?", "Vous avez dit que la personne tousse."]) == [
        "Avez-vous du mal à respirer?"
    ]


def test_the_openapi_document_lists_the_languages_offered(app: Any) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    lang = next(p for p in document["paths"]["/api/v1/assessments"]["post"]["parameters"] if p["name"] == "lang")
    assert lang["schema"]["enum"] == ["en", "fr_CA", "fr-CA", "fr"]
    assert "Content-Language" in document["paths"]["/fhir/Questionnaire/triage"]["get"]["responses"]["200"]["headers"]


def test_french_pages_fit_the_weight_budget(french: Any) -> None:
    client = french.test_client()
    visitor = Visitor(client)
    assets = 0
    for name in ("app.css", "app.js", "favicon.svg"):
        with client.get(f"/static/{name}") as response:  # (a file response is closed when read)
            assets += len(response.data)
    visitor.start()
    weights = {}
    book = french.extensions["triage"]["rulebooks"][FR]
    visitor.answer_all({"known_diagnosis": "yes", "carer_coping": "no"})
    for section in book.sections:
        weights[section.id] = len(client.get(f"/fr/questions/{section.id}").data) + assets
    weights["result"] = len(client.get("/fr/result").data) + assets
    assert max(weights.values()) <= 30 * 1024, weights


FRENCH_APP = create_app({"SECRET_KEY": "p" * 32, "RATE_LIMIT": "off", "LANGUAGES": ("en", FR)})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer_sets(), st.sampled_from(["self", "someone_else"]))
def test_the_level_reasons_and_completeness_never_depend_on_the_language(
    answers: dict[str, Any], respondent: str
) -> None:
    books = FRENCH_APP.extensions["triage"]["rulebooks"]
    english, french = books["en"], books[FR]
    carer = {"carer_coping": "no"} if respondent == "someone_else" else {}
    given_answers = {**answers, **carer, "respondent": respondent}
    ours, theirs = assess(english, given_answers), assess(french, given_answers)
    assert (theirs.level.id, [r.rule for r in theirs.reasons], theirs.complete) == (
        ours.level.id,
        [r.rule for r in ours.reasons],
        ours.complete,
    )
    assert theirs.level.title != ours.level.title  # the words are French
