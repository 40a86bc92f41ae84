"""`triage report`: one self-contained HTML document for the clinical lead."""

from __future__ import annotations

import datetime
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from browser_support import axe_violations
from bs4 import BeautifulSoup
from casefiles import measured
from pypdf import PdfReader
from test_cli import TRIAGE

from triage.rulebook import default_rules_path, load_rulebook
from triage.signing import sign_file


def make_report(tmp_path: Path, *args: str) -> tuple[Path, str]:
    out = tmp_path / "report.html"
    result = subprocess.run([TRIAGE, "report", *args, "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return out, result.stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out, stdout = make_report(tmp_path_factory.mktemp("report"))
    assert stdout.startswith(f"{out}: report on rules.yaml 3.0.1 (DRAFT: not signed; proved)")
    return out


@pytest.mark.slow
def test_the_report_holds_everything_a_clinical_lead_reviews(report: Path) -> None:
    soup = BeautifulSoup(report.read_text(encoding="utf-8"), "html.parser")
    book = load_rulebook()
    text = " ".join(soup.get_text(" ").split())
    assert "Draft: not yet reviewed by a clinician." in soup.select_one(".status").get_text()
    assert [h.get_text(strip=True) for h in soup.find_all("h2")] == [
        "Summary",
        "The clinical policy, proved",
        "Red flags of the source document, traced to rules",
        "Appendix: every text in every voice",
    ]
    assert [h.get_text(strip=True) for h in soup.select("h3.appendix-part")] == [
        "Levels and what each one says",
        "Questions, in the order they are asked",
        "Rules",
        "Rule cases",
        "Reading grade of every text",
    ]
    policy = soup.find("caption", string="Minimum level for each answer pattern").find_parent("table")
    rows = policy.select("tbody tr")
    assert len(rows) == len(book.policy.minimum_levels)
    assert all(row.find_all("td")[-1].get_text(strip=True) == "proved" for row in rows)
    # Every question in every voice, and when it is asked, in words.
    for voice in ("self", "other", "staff"):
        for question in book.in_voice(voice).questions:
            assert question.text in text
    assert (
        "symptom_course (choice) \u2013 asked when “Do any of the person's muscles seem weak?” is “Yes” or "
        "“Is it hard for the person to walk or climb stairs, or do they trip or fall?” is “Yes”"
    ) in text
    # Every rule as a sentence, with its source.
    rules = soup.find("caption", string="Every rule as a sentence").find_parent("table")
    assert len(rules.select("tbody tr")) == len(book.rules)
    assert (
        "“Does the person get more short of breath than they used to?” is “When lying down flat” "
        "Contact a doctor today (urgent)"
    ) in " ".join(rules.get_text(" ").split())
    # The inventory, every case, and a reading grade for every text.
    assert len(soup.find("caption", string="The red-flag inventory").find_parent("table").select("tbody tr")) == 17
    cases = soup.find("caption", string="Every rule case, with the level the rule book gives now")
    assert len(cases.find_parent("table").select("tbody tr")) >= 80
    assert "Story - known MND and a chest infection" in text
    assert re.search(r"(\d+) of \1 texts at grade 8 or below", text)
    # Where each level sends people, what they can say, and the questions asked together.
    assert book.level_by_id["urgent"].where in text and "(lists: Family doctor's office, " in text
    assert "I get short of breath when I lie down flat." in " ".join(rules.get_text(" ").split())
    assert "Asked together as one list, “Is any of these happening to you right now?”" in text


def test_the_report_loads_nothing_from_anywhere_else(report: Path) -> None:
    soup = BeautifulSoup(report.read_text(encoding="utf-8"), "html.parser")
    assert soup.find_all(["script", "link", "img", "iframe"]) == []
    assert all(not a.get("href", "").startswith(("http", "//")) for a in soup.find_all("a"))


@pytest.mark.slow
def test_a_signed_rule_book_is_reported_as_signed(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(default_rules_path().read_text(encoding="utf-8"), encoding="utf-8")
    sign_file(rules, "Dr A. Example, clinical lead", datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.UTC))
    out, stdout = make_report(tmp_path, str(rules), "--cases", str(Path(__file__).parent / "cases"))
    assert "signed by Dr A. Example, clinical lead on 2026-11-25T10:00:00+00:00" in stdout
    status = BeautifulSoup(out.read_text(), "html.parser").select_one(".status--signed").get_text(" ")
    assert "Signed signed by Dr A. Example" not in status and "Dr A. Example, clinical lead" in status


@pytest.mark.browser
def test_the_report_opens_in_chromium_prints_to_pdf_and_is_axe_clean(browser: Any, report: Path) -> None:
    page = browser.new_page()
    try:
        page.goto(report.as_uri())
        assert page.locator("h1").inner_text() == "Rule book 3.0.1: report for clinical sign-off"
        assert axe_violations(page) == []
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") > 10
    finally:
        page.close()


SIGNED_LAST = Path(__file__).parent / "data" / "rules-2.1.0.yaml"  # the rule book before 3.0.0


@pytest.fixture(scope="module")
def since_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out, _ = make_report(tmp_path_factory.mktemp("since"), "--since", str(SIGNED_LAST), "--no-appendix")
    return out


@pytest.mark.slow
def test_a_report_since_the_last_signed_version_opens_with_what_changed(since_report: Path) -> None:
    soup = BeautifulSoup(since_report.read_text(encoding="utf-8"), "html.parser")
    headings = [h2.get_text(strip=True) for h2 in soup.find_all("h2")]
    assert headings[:3] == ["Summary", "What changed since 2.1.0", "The clinical policy, proved"]
    moves = soup.select("#changes ~ table")[0]
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in moves.select("tbody tr")]
    lower = {(was, now.removesuffix(" (lower)")) for was, now, *_ in rows if now.endswith("(lower)")}
    assert lower == {("emergency", "urgent"), ("urgent", "soon"), ("soon", "routine")}
    sudden = next(example for was, now, _, example in rows if (was, now) == ("emergency", "urgent (lower)"))
    assert "more than a week ago" in sudden and "(before: “They started suddenly, over minutes or hours”)" in sudden
    text = " ".join(soup.get_text(" ").split())
    assert "Added: Chest pain, pressure or tightness, new or in the last few hours → at least emergency" in text
    assert "Changed: Coughing or choking when eating or drinking, or on one's own saliva (not yet diagnosed)" in text
    assert "added chest_pain (yes_no: yes, no)" in text  # questions, in words
    assert "`" not in text  # no markup from the terminal version
    assert soup.find(id="appendix") is None and soup.find(id="grades") is None  # left out


def test_without_since_the_report_keeps_its_appendix_and_no_changes(report: Path) -> None:
    soup = BeautifulSoup(report.read_text(encoding="utf-8"), "html.parser")
    assert soup.find(id="changes") is None
    assert soup.find(id="appendix") is not None and soup.find(id="grades") is not None


def test_a_report_since_a_file_that_is_not_a_rule_book_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "old.yaml"
    junk.write_text("meta: [", encoding="utf-8")
    result = subprocess.run(
        [TRIAGE, "report", "--since", str(junk), "-o", str(tmp_path / "r.html")], capture_output=True, text=True
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr


@pytest.mark.browser
def test_the_report_since_the_last_version_prints_in_about_15_pages(
    browser: Any, since_report: Path, request: pytest.FixtureRequest
) -> None:
    page = browser.new_page()
    try:
        page.goto(since_report.as_uri())
        assert axe_violations(page) == []
        pages = len(PdfReader(io.BytesIO(page.pdf(format="A4"))).pages)
    finally:
        page.close()
    measured(request, f"triage report --since 2.1.0 --no-appendix: {pages} A4 pages")
    assert pages <= 15


@pytest.fixture(scope="module")
def french_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out, stdout = make_report(tmp_path_factory.mktemp("fr"), "--language", "fr_CA")
    assert stdout.startswith(f"{out}: report on rules.yaml 3.0.1")
    return out


def _labels(soup: BeautifulSoup) -> list[str]:
    """The report's own words: its title, headings, captions, column and row headings, status."""
    return [" ".join(e.get_text(" ").split()) for e in soup.select("title, h1, h2, h3, caption, th, .status p")]


# Words the same in English and French (and ids, which are code).
SAME_IN_BOTH = {"Source", "Question", "Message"}


@pytest.mark.slow
def test_the_report_can_be_made_in_french(french_report: Path, report: Path) -> None:
    french = BeautifulSoup(french_report.read_text(encoding="utf-8"), "html.parser")
    english = BeautifulSoup(report.read_text(encoding="utf-8"), "html.parser")
    assert french.html["lang"] == "fr-CA"
    assert [h.get_text(strip=True) for h in french.find_all("h2")] == [
        "Sommaire",
        "La politique clinique, prouvée",
        "Signaux d\u2019alarme du document source, reliés aux règles",
        "Annexe : chaque texte, dans chaque voix",
    ]
    # Element for element, none of the report's own words is left in English.
    pairs = list(zip(_labels(english), _labels(french), strict=True))
    assert len(pairs) > 300
    assert [e for e, f in pairs if e == f and e not in SAME_IN_BOTH] == []
    text = " ".join(french.get_text(" ").split())
    assert "Ébauche : pas encore revue par un clinicien." in french.select_one(".status").get_text()
    # The policy and the inventory in French, conditions in French words and quotes, numbers and
    # dates the French way.
    policy = french.find("caption", string="Niveau minimal pour chaque type de réponses").find_parent("table")
    first = [td.get_text(" ", strip=True) for td in policy.select("tbody tr")[0].find_all("td")]
    assert first[:3] == [
        "A du mal à respirer en ce moment",
        "emergency",
        "« La personne a-t-elle du mal à respirer maintenant? » est « Oui »",
    ]
    assert first[-1] == "prouvé"
    assert "Une faiblesse qui empire en quelques semaines ou mois veut dire qu\u2019une évaluation est urgente." in text
    assert re.search(r"produit le \d{1,2} décembre|produit le \d{1,2} [a-zéû]+ \d{4}", text)
    assert re.search(r"en \d+,\d secondes", text)
    # Each voice in French first, the English beside it for checking the translation.
    levels = french.find("caption", string="Les textes du niveau urgent, dans chaque voix").find_parent("table")
    voices = [th.get_text(strip=True) for th in levels.select("tbody th")]
    assert voices[:3] == ["À la personne", "À quelqu\u2019un qui répond pour elle", "Personnel au téléphone"]
    assert "À la personne, en" in voices
    # Readability by the French measure, every text within it.
    assert french.find(id="grades").get_text(strip=True) == "Facilité de lecture de chaque texte"
    assert re.search(r"(\d+) textes sur \1 à 55 ou plus \(Kandel et Moles\)", text)


def test_a_report_in_a_language_without_a_catalog_is_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [TRIAGE, "report", "--language", "de_DE", "-o", str(tmp_path / "r.html")], capture_output=True, text=True
    )
    assert result.returncode == 2 and "no de_DE catalog" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "r.html").exists()


@pytest.mark.slow
def test_a_french_report_since_the_last_version_compares_the_rule_books_not_the_languages(
    tmp_path: Path, since_report: Path
) -> None:
    out, _ = make_report(tmp_path, "--language", "fr_CA", "--since", str(SIGNED_LAST), "--no-appendix")
    soup = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
    assert [h2.get_text(strip=True) for h2 in soup.find_all("h2")][:2] == [
        "Sommaire",
        "Ce qui a changé depuis la version 2.1.0",
    ]
    french = [li.get_text(" ", strip=True) for li in soup.select("#changes ~ ul")[0].find_all("li")]
    english = [
        li.get_text(" ", strip=True)
        for li in BeautifulSoup(since_report.read_text(), "html.parser").select("#changes ~ ul")[0].find_all("li")
    ]
    # The same rows added and changed as in English (compared in English, shown in French).
    kinds = [line.split(" :")[0] for line in french]
    assert kinds == [
        {"Added": "Ajoutée", "Changed": "Changée", "Removed": "Retirée"}[line.split(":")[0]] for line in english
    ]
    assert any(line.startswith("Ajoutée : Douleur, pression ou serrement à la poitrine") for line in french)
    # Questions, rules and texts changed, in French words, quoting the French questions.
    text = " ".join(soup.get_text(" ").split())
    assert "ajoutée : chest_pain (yes_no : yes, no) : « La personne a-t-elle une douleur, une pression" in text
    assert "Textes changés, fr_CA chaque texte est nouveau" in text
    assert "added " not in text and "Texts changed" not in text


@pytest.mark.browser
def test_the_french_report_is_axe_clean(browser: Any, french_report: Path) -> None:
    page = browser.new_page()
    try:
        page.goto(french_report.as_uri())
        assert page.locator("h1").inner_text() == "Livre de règles 3.0.1 : rapport pour l\u2019approbation clinique"
        assert axe_violations(page) == []
    finally:
        page.close()
