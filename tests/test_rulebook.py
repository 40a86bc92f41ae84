"""The loader refuses a broken rule book, naming every problem as `file:LINE: message`.

Each test breaks the real rules.yaml in one way and checks the exact message on the exact line,
so the messages a clinician sees are pinned as well as the checks behind them.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from triage.rulebook import CONTRACT, EMERGENCY_QUESTIONS, RulebookError, default_rules_path, load_rulebook

RULES = default_rules_path().read_text(encoding="utf-8")


def broken(tmp_path: Path, old: str, new: str, *, every: bool = False) -> tuple[Path, list[str]]:
    """Write rules.yaml with `old` replaced by `new`; return its path and the loader's message lines."""
    assert old in RULES, f"the rule book no longer contains {old!r}: update this test"
    path = tmp_path / "rules.yaml"
    path.write_text(RULES.replace(old, new) if every else RULES.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RulebookError) as refused:
        load_rulebook(path)
    return path, refused.value.lines()


def line(fragment: str, *, after: str = "", text: str = RULES) -> int:
    """The line of `text` on which `fragment` first occurs (after `after`, if given)."""
    start = text.index(after) if after else 0
    return text[: text.index(fragment, start)].count("\n") + 1


def test_the_shipped_rule_book_loads(rulebook) -> None:
    assert [level.id for level in rulebook.levels] == ["emergency", "urgent", "soon", "routine"]
    assert set(CONTRACT) <= set(rulebook.question_by_id)
    assert [q.id for q in rulebook.sections[0].questions] == list(EMERGENCY_QUESTIONS)


def test_invalid_yaml(tmp_path: Path) -> None:
    path, lines = broken(tmp_path, "  version: 3.0.1\n", "  version: [3.0.1\n")
    # YAML only finds the unclosed bracket on the next line, where the colon is.
    found_on = line("  version: 3.0.1") + 1
    assert lines == [f"{path}:{found_on}: this is not valid YAML: expected ',' or ']', but got ':'"]


def test_empty_file(tmp_path: Path) -> None:
    path, lines = broken(tmp_path, RULES, "")
    assert lines == [f"{path}:1: the file is empty"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RulebookError) as refused:
        load_rulebook(tmp_path / "nowhere.yaml")
    assert refused.value.lines()[0].startswith(f"{tmp_path / 'nowhere.yaml'}:1: cannot read the rule book:")


def test_duplicate_key(tmp_path: Path) -> None:
    old = "  - id: swallowing\n    level: urgent\n"
    path, lines = broken(tmp_path, old, old + "    level: soon\n")
    assert lines == [f"{path}:{line(old, after='rules:') + 2}: duplicate key 'level' in rule 'swallowing'"]


def test_unknown_key_with_suggestion_and_the_missing_key(tmp_path: Path) -> None:
    reason = "    reason:\n      self: You said your speech is slurred"
    path, lines = broken(tmp_path, reason, reason.replace("reason:", "reasn:"))
    assert lines == [
        f"{path}:{line('  - id: speech', after='rules:')}: rule 'speech' is missing 'reason'",
        f"{path}:{line(reason)}: unknown key 'reasn' in rule 'speech' (did you mean 'reason'?); "
        "allowed: id, level, when, reason, source, say, advice, contacts",
    ]


def test_wrong_kind_of_value(tmp_path: Path) -> None:
    path, lines = broken(tmp_path, "  version: 3.0.1\n", "  version: one\n")
    assert lines == [f"{path}:{line('  version: 3.0.1')}: version must be a semantic version like 1.2.0, not 'one'"]


def test_unquoted_emergency_number(tmp_path: Path) -> None:
    path, lines = broken(tmp_path, '  emergency_number: "911"', "  emergency_number: 911")
    message = 'emergency_number must be digits in quotes, like "911", not 911'
    assert lines == [f"{path}:{line('  emergency_number:')}: {message}"]


def test_unknown_question_in_a_condition(tmp_path: Path) -> None:
    old = 'when: {question: twitching, equals: "yes"}'
    path, lines = broken(tmp_path, old, old.replace("twitching", "twitchin"))
    assert lines == [f"{path}:{line(old)}: unknown question 'twitchin' (did you mean 'twitching'?)"]


def test_option_the_question_does_not_have(tmp_path: Path) -> None:
    old = "when: {question: breathlessness, equals: at_rest}"
    path, lines = broken(tmp_path, old, old.replace("at_rest", "at_rets"))
    assert lines == [
        f"{path}:{line(old)}: 'at_rets' is not an option of 'breathlessness' (did you mean 'at_rest'?); "
        "options: none, exertion, lying_flat, at_rest"
    ]


def test_true_instead_of_yes_in_a_condition(tmp_path: Path) -> None:
    old = 'when: {question: twitching, equals: "yes"}'
    path, lines = broken(tmp_path, old, "when: {question: twitching, equals: true}")
    assert lines == [f"{path}:{line(old)}: 'true' is not an option of 'twitching'; options: yes, no"]


def test_unquoted_yes_means_the_word_yes(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES.replace('equals: "yes"', "equals: yes"), encoding="utf-8")
    assert load_rulebook(path).rules == load_rulebook().rules


def test_test_that_does_not_fit_the_question(tmp_path: Path) -> None:
    old = "when: {question: weight_loss, equals: significant}"
    path, lines = broken(tmp_path, old, old.replace("equals", "includes"))
    assert lines == [
        f"{path}:{line(old)}: 'includes' needs a multiple-choice question; 'weight_loss' is a choice question"
    ]


def test_unknown_level(tmp_path: Path) -> None:
    old = "  - id: speech\n    level: urgent"
    path, lines = broken(tmp_path, old, old.replace("urgent", "urgnet"))
    assert lines == [f"{path}:{line(old) + 1}: unknown level 'urgnet' in rule 'speech' (did you mean 'urgent'?)"]


def test_follow_up_that_depends_on_a_later_question(tmp_path: Path) -> None:
    old = 'ask_when: {question: weakness, equals: "yes"}\n        options:\n          - value: arms'
    path, lines = broken(tmp_path, old, old.replace('weakness, equals: "yes"', "symptom_course, equals: sudden_recent"))
    assert lines == [
        f"{path}:{line(old)}: ask_when of 'weakness_where' refers to 'symptom_course', which is not asked "
        "before it; a follow-up can only depend on earlier questions"
    ]


def test_inventory_item_with_no_rule_and_no_reason(tmp_path: Path) -> None:
    path, lines = broken(tmp_path, "    rules: [worse_with_tiredness]\n  - ref: IF6", "  - ref: IF6")
    assert lines == [
        f"{path}:{line('  - ref: IF5')}: inventory item IF5 needs either 'rules' (the rules that implement it) "
        "or 'not_asked' (why self-screening does not ask it), not both or neither"
    ]


def test_inventory_item_listing_a_rule_that_does_not_cite_it(tmp_path: Path) -> None:
    path, lines = broken(tmp_path, "    rules: [numbness]\n", "    rules: [numbness, cramps]\n")
    message = "inventory item IF6 lists rule 'cramps', which does not cite IF6"
    assert lines == [f"{path}:{line('    rules: [numbness]')}: {message}"]


def test_rule_citing_an_inventory_item_that_does_not_list_it(tmp_path: Path) -> None:
    old = "rules: [worse_over_weeks_months, weakness_one_side]"
    path, lines = broken(tmp_path, old, "rules: [worse_over_weeks_months]")
    assert lines == [f"{path}:{line(old)}: rule 'weakness_one_side' cites IF1, but inventory item IF1 does not list it"]


def test_unknown_source(tmp_path: Path) -> None:
    old = "    source: [RF3, NG42]\n  - id: breathless_exertion_with_symptoms"
    path, lines = broken(tmp_path, old, old.replace("RF3", "RF33"))
    assert lines == [
        f"{path}:{line(old)}: rule 'weight_loss_significant' cites unknown source 'RF33' (did you mean 'RF3'?); "
        "cite an inventory ref or a source id from meta.sources",
        f"{path}:{line('    rules: [weight_loss_significant', after='- ref: RF3')}: inventory item RF3 lists rule "
        "'weight_loss_significant', which does not cite RF3",
    ]


def test_duplicate_rule_id(tmp_path: Path) -> None:
    path, lines = broken(tmp_path, "  - id: cramps\n    level: routine", "  - id: numbness\n    level: routine")
    # The second rule with the id is the one reported.
    assert f"{path}:{line('  - id: numbness', after=chr(10) + 'rules:')}: duplicate rule id 'numbness'" in lines


def test_duplicate_question_id(tmp_path: Path) -> None:
    path, lines = broken(tmp_path, "      - id: cramps\n", "      - id: twitching\n")
    assert f"{path}:{line('      - id: cramps')}: duplicate question id 'twitching'" in lines


def test_rule_that_can_never_fire(tmp_path: Path) -> None:
    old = "when: {question: breathlessness, equals: at_rest}"
    new = "when: {all: [{question: breathlessness, equals: none}, {question: breathlessness, equals: at_rest}]}"
    path, lines = broken(tmp_path, old, new)
    assert lines == [
        f"{path}:{line('  - id: breathless_at_rest')}: rule 'breathless_at_rest' can never fire: "
        "no answers make its condition true"
    ]


def test_follow_up_that_is_never_asked(tmp_path: Path) -> None:
    old = 'ask_when: {question: weakness, equals: "yes"}\n        options:\n          - value: arms'
    new = old.replace('{question: weakness, equals: "yes"}', "{not: {question: weakness, answered: true}}")
    path, lines = broken(tmp_path, old, new)
    message = "question 'weakness_where' is never asked: its ask_when can never be true"
    assert f"{path}:{line('      - id: weakness_where')}: {message}" in lines


def test_level_that_no_rule_reaches(tmp_path: Path) -> None:
    path, lines = broken(tmp_path, "level: soon", "level: urgent", every=True)
    first_level = line("  - id: emergency")
    assert lines == [f"{path}:{first_level}: level 'soon' is never reached: no rule has this level"]


def test_levels_out_of_order(tmp_path: Path) -> None:
    path, lines = broken(tmp_path, "  - id: urgent\n", "  - id: urgent_care\n")
    message = "levels must be emergency, urgent, soon, routine, most urgent first, in that order"
    assert f"{path}:{line('  - id: emergency')}: {message}" in lines
    rule = "  - id: breathless_lying_flat\n"
    message = "unknown level 'urgent' in rule 'breathless_lying_flat' (did you mean 'urgent_care'?)"
    assert f"{path}:{line(rule) + 1}: {message}" in lines


def test_contract_answer_values_cannot_be_renamed(tmp_path: Path) -> None:
    path, lines = broken(tmp_path, "lying_flat", "lying_down", every=True)
    assert lines == [
        f"{path}:{line('      - id: breathlessness')}: question 'breathlessness' must be a choice question with "
        "options none, exertion, lying_flat, at_rest (the contract)"
    ]


def test_contract_question_cannot_be_removed(tmp_path: Path) -> None:
    question = RULES[RULES.index("      - id: cramps") : RULES.index("      - id: calf_swelling")]
    path, lines = broken(tmp_path, question, "")
    text = RULES.replace(question, "")
    where = line("sections:", text=text)
    assert lines == [
        f"{path}:{where + 1}: question 'cramps' is missing; it is part of the questionnaire's contract",
        f"{path}:{line('questions: [trouble_walking', text=text)}: 'cramps' in together list 'movement_signs' is not "
        "a question of section 'muscles'",
        f"{path}:{line('{question: cramps', text=text)}: unknown question 'cramps'",
        f"{path}:{line('      question: cramps', text=text)}: unknown question 'cramps'",  # the policy row
    ]


def test_first_section_holds_only_emergency_questions(tmp_path: Path) -> None:
    new = (
        "      - id: feeling_tired\n        type: yes_no\n        text: {every_voice: Are you tired}\n"
        "        error: {every_voice: Select whether tired}\n\n  - id: background\n"
    )
    path, lines = broken(tmp_path, "\n  - id: background\n", "\n" + new)
    assert lines == [
        f"{path}:{line('  - id: background')}: question 'feeling_tired' is in the first (emergency) section, "
        "so it must be yes/no and a 'yes' alone must reach level 'emergency'"
    ]


def test_unknown_placeholder(tmp_path: Path) -> None:
    good = "      every_voice: Call {emergency_number} now"
    path, lines = broken(tmp_path, good, good.replace("emergency_number", "emergency_numbr"))
    assert lines == [
        f"{path}:{line(good)}: unknown placeholder '{{emergency_numbr}}' in the title "
        "of level 'emergency' (did you mean 'emergency_number'?)"
    ]


def test_a_control_character_in_text(tmp_path: Path) -> None:
    good = "      every_voice: Call {emergency_number} now"
    path, lines = broken(tmp_path, good, '      every_voice: "Call {emergency_number}\\0 now"')
    assert lines == [
        f"{path}:{line(good)}: the title of level 'emergency' has a control character (such as \\0); remove it"
    ]


def test_every_problem_is_reported_at_once_in_line_order(tmp_path: Path) -> None:
    text = RULES.replace("  version: 3.0.1\n", "  version: one\n").replace("level: urgent", "level: urgnet", 1)
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError) as refused:
        load_rulebook(path)
    lines = refused.value.lines()
    assert len(lines) == 2 and lines == sorted(lines, key=lambda text: int(text.split(":")[1]))
    assert "version must be a semantic version" in lines[0] and "unknown level 'urgnet'" in lines[1]


def test_the_emergency_number_can_be_set_by_the_deployment() -> None:
    rulebook = load_rulebook(emergency_number="999")
    assert rulebook.top_level.title == "Call 999 now"
    assert "911" not in rulebook.top_level.safety_net and "999" in rulebook.top_level.safety_net


def test_a_bad_emergency_number_setting_is_refused() -> None:
    with pytest.raises(RulebookError, match=r'the emergency number setting must be digits in quotes, like "911"'):
        load_rulebook(emergency_number="call us")


def test_the_rule_book_is_frozen(rulebook) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        rulebook.rules[0].level = rulebook.lowest_level  # type: ignore[misc]


def test_inventory_holds_every_item_of_the_clinical_policy(rulebook) -> None:
    # CLINICAL.md, "the red-flag inventory"
    expected = ["RF1", "RF2", "RF3", "FAQ1", "FAQ2", "FAQ3", "IF1", "IF2", "IF3", "IF4", "IF5", "IF6", "IF7", "IF8"]
    expected += ["SLP", "RISK", "SYM"]
    assert [item.ref for item in rulebook.inventory] == expected
    assert all(bool(item.rules) != bool(item.not_asked) for item in rulebook.inventory)


# -- hostile rule books: each is refused quickly, with its line (issue 13) --------------------------

FAST = 1.0  # seconds: every refusal below takes a few hundredths


def refused_quickly(tmp_path: Path, old: str, new: str) -> tuple[Path, list[str]]:
    started = time.perf_counter()
    path, lines = broken(tmp_path, old, new)
    assert time.perf_counter() - started < FAST
    return path, lines


def test_an_alias_bomb_inside_a_condition_is_refused_at_once(tmp_path: Path) -> None:
    old = 'when: {question: breathing_now, equals: "yes"}'
    nine_levels = "".join(f", &x{k + 1} {{any: [*x{k}, *x{k}, *x{k}]}}" for k in range(9))
    path, lines = refused_quickly(
        tmp_path, old, "when: {any: [&x0 {question: speech, equals: 'yes'}" + nine_levels + "]}"
    )
    at = line(old)
    assert f"{path}:{at}: '*x0' is an alias, which a rule book may not use: write the part out in full" in lines


def test_an_impossible_date_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    path, lines = refused_quickly(tmp_path, "reviewed_on: 2026-12-01", "reviewed_on: 2026-02-30")
    assert lines == [
        f"{path}:{line('reviewed_on:')}: '2026-02-30' cannot be read (day is out of range for month); "
        "put it in quotes if it is text"
    ]


def test_a_review_date_that_is_not_a_date_is_refused(tmp_path: Path) -> None:
    path, lines = refused_quickly(tmp_path, "reviewed_on: 2026-12-01", 'reviewed_on: "last week"')
    assert lines == [f"{path}:{line('reviewed_on:')}: reviewed_on must be a real date like 2026-11-24, not 'last week'"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("tagged", "tag"),
    [
        ("!!int abc", "tag:yaml.org,2002:int"),
        ("!custom 2.1.0", "!custom"),
        ("!!python/name:os.system", "tag:yaml.org,2002:python/name:os.system"),
        ("!!python/object/apply:os.system ['true']", "tag:yaml.org,2002:python/object/apply:os.system"),
    ],
)
def test_a_tag_the_loader_does_not_know_is_refused(tmp_path: Path, tagged: str, tag: str) -> None:
    path, lines = refused_quickly(tmp_path, "  version: 3.0.1\n", f"  version: {tagged}\n")
    assert f"{path}:{line('  version:')}: the tag '{tag}' is not allowed in a rule book: remove it" in lines


def test_a_tag_on_a_mapping_or_a_list_is_refused_not_ignored(tmp_path: Path) -> None:
    path, lines = refused_quickly(tmp_path, "meta:\n", "meta: !!map\n")
    assert lines == [
        f"{path}:{line('meta:')}: the tag 'tag:yaml.org,2002:map' is not allowed in a rule book: remove it"
    ]
    path, lines = refused_quickly(
        tmp_path, "    source: [RF2, IF8, NHS-BREATH]", "    source: !!seq [RF2, IF8, NHS-BREATH]"
    )
    at = line("    source: [RF2, IF8, NHS-BREATH]")
    assert lines == [f"{path}:{at}: the tag 'tag:yaml.org,2002:seq' is not allowed in a rule book: remove it"]


def test_conditions_nested_500_deep_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    old = 'when: {question: breathing_now, equals: "yes"}'
    deep = "when: " + "{any: [" * 500 + '{question: breathing_now, equals: "yes"}' + "]}" * 500
    path, lines = refused_quickly(tmp_path, old, deep)
    assert lines == [f"{path}:{line(old)}: this is nested more than 50 levels deep: split it up"]


def test_a_rule_book_over_1_mb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    with path.open("w", encoding="utf-8") as file:
        file.write(RULES)
        for _ in range(50):
            file.write("# " + "x" * 1_000_000 + "\n")  # 50 MB
    started = time.perf_counter()
    with pytest.raises(RulebookError) as refused:
        load_rulebook(path)
    assert time.perf_counter() - started < FAST
    assert refused.value.lines() == [f"{path}:1: the file is larger than 1 MB: a rule book is far smaller"]


# -- voices and level variants (rule book 2.0) ------------------------------------------------------


def test_a_text_that_lacks_a_voice_is_refused(tmp_path: Path) -> None:
    old = (
        "          self: Are you struggling to breathe right now?\n"
        "          other: Is the person struggling to breathe right now?\n"
    )
    path, lines = broken(tmp_path, old, "          self: Are you struggling to breathe right now?\n")
    at = line("          self: Are you struggling to breathe right now?")  # where the mapping starts
    assert lines == [f"{path}:{at}: the text of question 'breathing_now' lacks the other voice"]


def test_a_text_in_one_voice_only_is_refused(tmp_path: Path) -> None:
    old = "      self: You said you lost a little weight without trying.\n"
    start = RULES.index(old)
    block = RULES[RULES.rindex("    reason:\n", 0, start) : RULES.index("    say:", start)]
    path, lines = broken(tmp_path, block, "    reason: You lost a little weight.\n")
    assert lines == [
        f"{path}:{line(block)}: the reason of rule 'weight_loss_some' must be written in every voice: a mapping "
        "with self, other, staff (or every_voice, when the words are the same for all)"
    ]


def test_every_voice_stands_alone(tmp_path: Path) -> None:
    old = "      every_voice: Before we go on\n"
    path, lines = broken(tmp_path, old, old + "      self: Before you go on\n")
    assert lines == [
        f"{path}:{line(old)}: the title of section 'background': every_voice stands alone, without self, other, staff"
    ]


def test_a_level_variant_must_replace_some_words(tmp_path: Path) -> None:
    when = '      - when: {question: known_diagnosis, equals: "yes"}\n'
    old = "    variants:\n" + when + "        where:\n          self: >-\n            Call your ALS care team."
    new = "    variants:\n" + when + when + old.removeprefix("    variants:\n" + when)
    path, lines = broken(tmp_path, old, new)
    assert lines == [f"{path}:{line(old) + 1}: a variant of level 'urgent' must replace at least one text"]


def test_a_level_variant_condition_is_checked_like_any_other(tmp_path: Path) -> None:
    when = '      - when: {question: known_diagnosis, equals: "yes"}\n'
    old = "    variants:\n" + when + "        where:\n          self: >-\n            Call your"
    path, lines = broken(tmp_path, old, old.replace("known_diagnosis", "known_diagnoses"))
    assert lines == [f"{path}:{line(old) + 1}: unknown question 'known_diagnoses' (did you mean 'known_diagnosis'?)"]


@pytest.mark.parametrize("name", ["respondent", "age"])
def test_who_is_answering_and_retired_answers_cannot_be_questions(tmp_path: Path, name: str) -> None:
    old = "      - id: cramps\n"
    path, lines = broken(tmp_path, old, old.replace("cramps", name), every=False)
    assert f"{path}:{line(old)}: '{name}' cannot be a question of the rule book" in lines


def test_every_text_exists_in_each_voice_and_the_voices_share_every_rule(rulebook) -> None:
    other, staff = rulebook.in_voice("other"), rulebook.in_voice("staff")
    assert (rulebook.voice, other.voice, staff.voice) == ("self", "other", "staff")
    assert [r.when for r in other.rules] == [r.when for r in rulebook.rules] == [r.when for r in staff.rules]
    assert rulebook.question_by_id["speech"].text.startswith("Is your speech")
    assert other.question_by_id["speech"].text.startswith("Is the person's speech")
    assert other.question_by_id["speech"].staff == staff.question_by_id["speech"].text


def test_a_raw_control_character_in_the_file_is_refused_with_its_line(tmp_path: Path) -> None:
    old = "  - id: breathless_at_rest\n"
    path, lines = refused_quickly(tmp_path, old, "  - id: breathless_at_rest\x07\n")
    assert lines == [f"{path}:{line(old)}: this is not valid YAML: character #x0007 is not allowed in a rule book"]
