"""The engine's walks compiled into Python (`triage.compiled`) mean what the conditions' own
`holds` mean: checked against a plain reading of the rule book, on the real rule books and on
random conditions of every kind."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest
from casefiles import all_cases, default_rulebook
from hypothesis import given, settings
from hypothesis import strategies as st

from triage import journey
from triage.compiled import compile_walks
from triage.conditions import All, Answer, Answered, AnyOf, Compare, Condition, Includes, Not, OneOf
from triage.engine import FieldError, _parse_given, _plan, check_answers
from triage.rulebook import Option, Question, Rule, Rulebook, Section, load_rulebook

ENGLISH = default_rulebook()
BOOKS = {
    (language, voice): book.in_voice(voice)
    for language, book in (("en", ENGLISH), ("fr_CA", load_rulebook(language="fr_CA")))
    for voice in book.voices
}


def read_plainly(
    questions: tuple[Question, ...], rules: tuple[Rule, ...], answers: Mapping[str, object]
) -> tuple[dict[str, Answer], list[tuple[str, str]], list[str], list[str]]:
    """The three walks written the plain way: each question in turn, each rule's `holds`."""
    clean: dict[str, Answer] = {}
    errors: list[FieldError] = []
    for question in questions:
        raw = answers.get(question.id)
        value = None if raw is None else _parse_given(question, raw, errors)
        if value is not None and question.asked(clean):
            clean[question.id] = value
    fired = sorted((rule for rule in rules if rule.when.holds(clean)), key=lambda rule: -rule.level.rank)
    missing = [q.id for q in questions if q.required and q.id not in clean and q.asked(clean)]
    return clean, [(e.field, e.code) for e in errors], [r.id for r in fired], missing


def read_compiled(
    questions: tuple[Question, ...], rules: tuple[Rule, ...], answers: Mapping[str, object]
) -> tuple[dict[str, Answer], list[tuple[str, str]], list[str], list[str]]:
    walks = compile_walks(questions, tuple((rule, None) for rule in rules), _parse_given)
    return _walked(walks, answers)


Read = tuple[dict[str, Answer], list[tuple[str, str]], list[str], list[str]]


def _walked(walks: Any, answers: Mapping[str, object]) -> Read:
    clean, errors = walks.check(answers)
    fired = [rule.id for rule, _ in walks.fire(clean)]
    return clean, [(e.field, e.code) for e in errors], fired, [q.id for q in walks.missing(clean, set())]


FIRST_PAGE = {q.id for q in ENGLISH.sections[0].questions}
first_page = st.fixed_dictionaries({}, optional=dict.fromkeys(sorted(FIRST_PAGE), st.just("no")))


# Answers of every shape: each option, and what the engine must refuse or pass over.
WRONG = st.sampled_from([None, "", "  ", "maybe", 0, 7, -1, True, [], ["yes"], ["nope"], {"a": 1}, 2.5, "12"])


def given_answers(book: Rulebook) -> st.SearchStrategy[dict[str, object]]:
    def one(question: Question) -> st.SearchStrategy[object]:
        right: st.SearchStrategy[object]
        if question.kind == "multi":
            right = st.lists(st.sampled_from(question.values), min_size=1, max_size=3)
        elif question.kind == "number":
            right = st.integers(-5, 200) | st.integers(-5, 200).map(str)
        else:
            right = st.sampled_from(question.values)
        return right | right | WRONG

    return st.fixed_dictionaries({}, optional={q.id: one(q) for q in book.questions})


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(BOOKS), ids=lambda key: "-".join(key))
@settings(max_examples=75, deadline=None)
@given(data=st.data())
def test_the_compiled_walks_read_each_rule_book_as_its_conditions_do(key: tuple[str, str], data: Any) -> None:
    book = BOOKS[key]
    answers = data.draw(given_answers(book))
    assert _walked(_plan(book).walks, answers) == read_plainly(book.questions, book.rules, answers)


@pytest.mark.parametrize("key", sorted(BOOKS), ids=lambda key: "-".join(key))
def test_the_compiled_walks_read_every_rule_case_as_its_conditions_do(key: tuple[str, str]) -> None:
    book = BOOKS[key]
    for case in all_cases():
        assert _walked(_plan(book).walks, case.answers) == read_plainly(book.questions, book.rules, case.answers), (
            case.name
        )


# -- random conditions of every kind, over questions of every kind ------------------------------

QUESTIONS = (
    Question("q_yes", "yes_no", "s", "?", "?", "!", options=(Option("yes", "Yes"), Option("no", "No"))),
    Question(
        "q_choice",
        "choice",
        "s",
        "?",
        "?",
        "!",
        options=(Option("a", "A"), Option("b", "B"), Option("c", "C")),
        required=False,
    ),
    Question(
        "q_multi",
        "multi",
        "s",
        "?",
        "?",
        "!",
        options=(Option("x", "X"), Option("y", "Y"), Option("z", "Z")),
        ask_when=OneOf("q_yes", frozenset({"yes"})),
    ),
    Question("q_number", "number", "s", "?", "?", "!", minimum=0, maximum=150, required=False),
    Question("q_later", "yes_no", "s", "?", "?", "!", options=(Option("yes", "Yes"), Option("no", "No"))),
)
VALUES = {q.id: q.values for q in QUESTIONS}
NUMBERS = (-1, 0, 1, 44, 45, 46, 150, 151)  # bounds and answers drawn from the same few, so that they meet


def leaves() -> st.SearchStrategy[Condition]:
    return st.one_of(
        st.builds(
            OneOf,
            st.sampled_from(["q_yes", "q_choice", "q_later"]),
            st.sampled_from(["q_yes", "q_choice"]).flatmap(
                lambda q: st.frozensets(st.sampled_from(VALUES[q]), min_size=1)
            ),
        ),
        st.builds(Includes, st.just("q_multi"), st.sampled_from(VALUES["q_multi"])),
        st.builds(
            Compare,
            st.just("q_number"),
            st.sampled_from(["less_than", "at_most", "more_than", "at_least"]),
            st.sampled_from(NUMBERS),
        ),
        st.builds(Answered, st.sampled_from([q.id for q in QUESTIONS]), st.booleans()),
    )


CONDITIONS = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.builds(All, st.lists(inner, min_size=1, max_size=3).map(tuple)),
        st.builds(AnyOf, st.lists(inner, min_size=1, max_size=3).map(tuple)),
        st.builds(Not, inner),
    ),
    max_leaves=8,
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    when=st.lists(CONDITIONS, min_size=1, max_size=4),
    asked_when=st.none() | CONDITIONS,
    answers=st.fixed_dictionaries(
        {},
        optional={
            "q_yes": st.sampled_from(["yes", "no"]) | WRONG,
            "q_choice": st.sampled_from(["a", "b", "c"]) | WRONG,
            "q_multi": st.lists(st.sampled_from(["x", "y", "z"]), max_size=3) | WRONG,
            "q_number": st.sampled_from(NUMBERS) | st.sampled_from(["0", " 45 ", "150", "151"]) | WRONG,
            "q_later": st.sampled_from(["yes", "no"]) | WRONG,
        },
    ),
)
def test_conditions_of_every_kind_mean_the_same_compiled(
    when: list[Condition], asked_when: Condition | None, answers: dict[str, object]
) -> None:
    levels = ENGLISH.levels
    # The last question asked on a random condition too (a condition may name it: then it reads
    # the answers as they stand when it is reached, as the plain reading does).
    questions = (*QUESTIONS[:-1], replace(QUESTIONS[-1], ask_when=asked_when))
    rules = tuple(
        Rule(f"rule_{i}", levels[i % len(levels)], condition, "reason", ("source",)) for i, condition in enumerate(when)
    )
    assert read_compiled(questions, rules, answers) == read_plainly(questions, rules, answers)


LEAVES = (
    *(
        OneOf(q, frozenset(values))
        for q in ("q_yes", "q_choice")
        for values in (["yes"], ["no"], ["a", "c"], ["b"])
        if set(values) <= set(VALUES[q])
    ),
    *(Includes("q_multi", value) for value in VALUES["q_multi"]),
    *(
        Compare("q_number", test, bound)
        for test in ("less_than", "at_most", "more_than", "at_least")
        for bound in NUMBERS
    ),
    *(Answered(q.id, expected) for q in QUESTIONS for expected in (True, False)),
)
ONE_ANSWER: list[Mapping[str, object]] = [
    {"q_yes": "yes", "q_choice": "a", "q_multi": ["x", "z"], "q_number": 45},
    *({"q_yes": "yes", "q_number": n} for n in NUMBERS),
    *({"q_yes": "yes", "q_number": str(n)} for n in NUMBERS),
    {"q_yes": "no", "q_choice": "b", "q_multi": ["y"]},
    {"q_choice": "c", "q_later": "no"},
    {},
]


def leaf_id(leaf: Condition) -> str:
    """A test's name that is the same in every process (a frozenset's order is not)."""
    shown = (f"{k}={sorted(v) if isinstance(v, frozenset) else v!r}" for k, v in vars(leaf).items())
    return f"{type(leaf).__name__}({', '.join(shown)})"


@pytest.mark.parametrize("leaf", LEAVES, ids=leaf_id)
def test_each_kind_of_test_means_the_same_compiled(leaf: Condition) -> None:
    rules = (Rule("rule", ENGLISH.levels[0], leaf, "reason", ("source",)),)
    for answers in ONE_ANSWER:
        assert read_compiled(QUESTIONS, rules, answers) == read_plainly(QUESTIONS, rules, answers), answers


def test_a_condition_nested_deeper_than_a_rule_book_may_hold_still_compiles() -> None:
    # (The loader refuses YAML nested more than 50 deep, so no condition comes near Python's own
    # limit of 200 nested brackets.)
    condition: Condition = OneOf("q_yes", frozenset({"yes"}))
    for depth in range(50):
        condition = AnyOf((Not(condition),)) if depth % 2 else All((condition, Answered("q_yes", True)))
    rules = (Rule("rule", ENGLISH.levels[0], condition, "reason", ("source",)),)
    for answers in ONE_ANSWER:
        assert read_compiled(QUESTIONS, rules, answers) == read_plainly(QUESTIONS, rules, answers)


def next_step_plainly(book: Rulebook, answers: Mapping[str, Answer]) -> str:
    """Where the questions go on, read plainly: the first section with a required question asked
    and not answered (after an emergency, the result)."""
    if journey.emergency(book, answers):
        return journey.RESULT
    for section in book.sections:
        if not complete_plainly(section, answers):
            return section.id
    return journey.RESULT


def complete_plainly(section: Section, answers: Mapping[str, Answer]) -> bool:
    return all(q.id in answers or not q.asked(answers) for q in section.questions if q.required)


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(BOOKS), ids=lambda key: "-".join(key))
@settings(max_examples=75, deadline=None)
@given(data=st.data())
def test_where_the_questions_go_on_is_read_from_the_compiled_walk_as_plainly(key: tuple[str, str], data: Any) -> None:
    book = BOOKS[key]
    given = data.draw(given_answers(book))
    # Mostly quiet answers, so that few sets are cut short by an emergency.
    answers, _ = check_answers(book, {k: v for k, v in given.items() if k not in FIRST_PAGE} | data.draw(first_page))
    assert journey.next_step(book, answers) == next_step_plainly(book, answers)
    for index, section in enumerate(book.sections):
        plainly = all(complete_plainly(earlier, answers) for earlier in book.sections[:index])
        assert journey.can_visit(book, section.id, answers) == plainly, section.id
    assert journey.can_visit(book, journey.RESULT, answers) == (next_step_plainly(book, answers) == journey.RESULT)
