"""The rule book in other languages through gettext catalogs: the template made from it, catalogs
merged as translators' tools expect, and a language refused at load, with file and line, when one
of its texts is missing, empty, fuzzy or has other placeholders. The signature covers them."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from triage.cli import main
from triage.rulebook import RulebookError, default_rules_path, load_rulebook
from triage.rulebook.translation import catalog_path

FR = "fr_CA"


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    """A copy of the rule book with a template and a French catalog, every text 'translated' as
    '[fr] ' and its English (placeholders kept)."""
    path = tmp_path / "rules.yaml"
    shutil.copy(default_rules_path(), path)
    assert main(["translations", "update", str(path), "--language", FR]) == 0
    edit(path, lambda message: setattr(message, "string", f"[fr] {message.id}"))
    return path


def edit(rules: Path, change: object, only: str | None = None) -> int:
    """Apply `change` to each message (or the one whose context is `only`) of the French catalog;
    the line of the last message changed."""
    po = catalog_path(rules, FR)
    catalog = read_po(io.StringIO(po.read_text(encoding="utf-8")))
    for message in catalog:
        if message.id and (only is None or message.context == only):
            change(message)  # type: ignore[operator]
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100)
    po.write_bytes(buffer.getvalue())
    changed = read_po(io.StringIO(po.read_text(encoding="utf-8")))
    return max((m.lineno for m in changed if m.id and (only is None or m.context == only)), default=0)


def problems(rules: Path) -> list[str]:
    with pytest.raises(RulebookError) as refused:
        load_rulebook(rules, language=FR)
    return refused.value.lines()


@pytest.mark.slow
def test_the_template_holds_every_text_a_person_reads_with_where_it_is(rules: Path) -> None:
    pot = (rules.parent / "translations" / "rules.pot").read_text(encoding="utf-8")
    assert "msgctxt \"the text of question 'speech' (other voice)\"" in pot
    assert "#: rules.yaml:" in pot
    assert 'msgid "Call {emergency_number} now"' in pot  # placeholders as written, for the translator
    assert 'msgctxt "version"' not in pot and "a source url" not in pot  # not words: not translated


@pytest.mark.slow
def test_a_complete_catalog_gives_the_rule_book_in_that_language(rules: Path) -> None:
    french = load_rulebook(rules, language=FR)
    english = load_rulebook(rules)
    assert french.language == FR and english.language == "en"
    speech = french.in_voice("other").question_by_id["speech"]
    assert speech.text == f"[fr] {english.in_voice('other').question_by_id['speech'].text}"
    assert french.levels[0].title == "[fr] Call 911 now"  # the placeholder filled in, as in English
    assert [r.id for r in french.rules] == [r.id for r in english.rules]  # the same rules: words only
    assert french.meta.version == english.meta.version


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["missing", "empty", "fuzzy", "placeholder"])
def test_a_missing_or_stale_text_refuses_the_language_with_its_line(rules: Path, fault: str) -> None:
    where = "the text of question 'speech' (self voice)"
    po = str(catalog_path(rules, FR))
    if fault == "missing":
        text = catalog_path(rules, FR).read_text(encoding="utf-8")
        entry = re.search(r'\n#: rules\.yaml:(\d+)\nmsgctxt "' + re.escape(where) + r'"\n.*?\n\n', text, re.S)
        assert entry is not None
        catalog_path(rules, FR).write_text(text.replace(entry[0], "\n"), encoding="utf-8")
        expected = (
            f"{rules}:{entry[1]}: {where} has no fr_CA translation in {po} (`triage translations update` adds it)"
        )
    else:
        change = {
            "empty": lambda m: setattr(m, "string", ""),
            "fuzzy": lambda m: m.flags.add("fuzzy"),
            "placeholder": lambda m: setattr(m, "string", "[fr] {emergency_number}"),
        }[fault]
        line = edit(rules, change, only=where)
        message = {
            "empty": f"the fr_CA of {where} is empty",
            "fuzzy": f"the fr_CA of {where} is marked fuzzy (its English changed, or it was guessed): check it, "
            "then remove the flag",
            "placeholder": f"the fr_CA of {where} must have the English's placeholders (none)",
        }[fault]
        expected = f"{po}:{line}: {message}"
    assert problems(rules) == [expected]
    assert load_rulebook(rules).language == "en"  # English is still whole


@pytest.mark.slow
def test_english_changed_since_translated_is_fuzzy_after_an_update(rules: Path) -> None:
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("Do your muscles twitch?", "Do any of your muscles twitch?"), encoding="utf-8")
    assert main(["translations", "update", str(rules)]) == 0
    found = problems(rules)
    assert len(found) == 1 and "the text of question 'twitching' (self voice) is marked fuzzy" in found[0]


@pytest.mark.slow
def test_check_names_each_problem_and_the_app_refuses_to_start(rules: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(rules, lambda m: setattr(m, "string", ""), only="the title of section 'muscles'")
    assert main(["check", str(rules), "--language", FR]) == 1
    err = capsys.readouterr().err
    assert "the fr_CA of the title of section 'muscles' is empty" in err
    assert main(["check", str(rules)]) == 0  # English alone


@pytest.mark.slow
def test_the_signature_covers_every_language(rules: Path) -> None:
    before = load_rulebook(rules).sign_off.content_sha256
    edit(rules, lambda m: setattr(m, "string", "[fr] autre"), only="the title of section 'muscles'")
    after = load_rulebook(rules).sign_off.content_sha256
    assert before != after
    assert main(["translations", "update", str(rules)]) == 0  # a tool rewriting headers: no change
    assert load_rulebook(rules).sign_off.content_sha256 == after


def test_the_pages_template_holds_every_message_of_the_templates_and_code() -> None:
    from triage.i18n import page_template
    from triage.webapp import PAGE_TRANSLATIONS

    committed = read_po(io.StringIO((PAGE_TRANSLATIONS / "messages.pot").read_text(encoding="utf-8")))
    extracted = page_template()
    assert {(m.context, m.id) for m in extracted if m.id} == {(m.context, m.id) for m in committed if m.id}, (
        "translations/messages.pot is out of date: run `triage translations update`"
    )
    ids = {m.id for m in extracted}
    assert "Skip to main content" in ids and "Call %(number)s" in ids and "Caller's name" in ids


@pytest.mark.parametrize("fault", ["complete", "missing", "empty", "fuzzy", "placeholder"])
def test_the_pages_catalog_of_a_language_is_checked_with_its_lines(tmp_path: Path, fault: str) -> None:
    from babel.messages.catalog import Catalog

    from triage.i18n import page_catalog_path, page_catalog_problems

    template = Catalog()
    template.add("Skip to main content", locations=[("templates/base.html", 15)])
    template.add("Call %(number)s", locations=[("templates/result.html", 12)])
    french = Catalog(locale=FR)
    french.add("Skip to main content", "Passer au contenu principal")
    if fault != "missing":
        string = {"empty": "", "placeholder": "Composez le 911"}.get(fault, "Composez le %(number)s")
        french.add("Call %(number)s", string, flags=["fuzzy"] if fault == "fuzzy" else [])
    path = page_catalog_path(FR, tmp_path)
    path.parent.mkdir(parents=True)
    buffer = io.BytesIO()
    write_po(buffer, french)
    path.write_bytes(buffer.getvalue())
    found = page_catalog_problems(FR, tmp_path, template)
    if fault == "complete":
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith(f"{path}:")
        assert {
            "missing": "no fr_CA translation",
            "empty": "is empty",
            "fuzzy": "fuzzy",
            "placeholder": "placeholders",
        }[fault] in found[0]


@pytest.mark.slow
def test_diff_shows_the_texts_changed_in_each_language(
    rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    later = tmp_path / "later"
    shutil.copytree(rules.parent, later)
    where = "the text of question 'speech' (self voice)"
    edit(later / "rules.yaml", lambda m: setattr(m, "string", "[fr] Parlez-vous autrement?"), only=where)
    assert main(["diff", str(rules), str(later / "rules.yaml")]) == 0
    out = capsys.readouterr().out
    assert "\nTexts changed, fr_CA, self voice\n  question `speech`: “[fr] Is your speech" in out
    assert "” → “[fr] Parlez-vous autrement?”" in out
    assert "Texts changed, self voice" not in out  # the English did not change


@pytest.mark.slow
def test_the_report_shows_every_text_in_each_language_and_what_changed(rules: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert main(["report", str(rules), "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert '<th scope="row">To the person, fr_CA</th><td>[fr] Call 911 now' in html
    later = tmp_path / "later"
    shutil.copytree(rules.parent, later, ignore=shutil.ignore_patterns("report.html"))
    edit(later / "rules.yaml", lambda m: setattr(m, "string", "[fr] Autrement"), only="the title of level 'soon'")
    assert main(["report", str(later / "rules.yaml"), "--since", str(rules), "--no-appendix", "-o", str(out)]) == 0
    assert "Texts changed, fr_CA" in out.read_text(encoding="utf-8")
