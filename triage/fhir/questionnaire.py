"""The rule book as an HL7 FHIR R4 Questionnaire (with Structured Data Capture's extensions).

Made from the loaded rule book, in one voice, so it cannot drift from it:

- a `group` item per section, in the rule book's order, after a `display` item with the disclaimer;
- each question with its contract id as `linkId`: yes/no and single-choice questions as `choice`
  items (radio buttons), multiple choice as repeating `choice` items (check boxes), numbers as
  `integer` items with `minValue`/`maxValue`; options are codings from `Systems.answers`;
- a list of yes/no questions asked together as one repeating `choice` item (`linkId`: the list's
  id), whose options are its questions (codes from `Systems.questions`: each one ticked is a yes,
  the others no) and "none of these", marked `questionnaire-optionExclusive`;
- `enableWhen`/`enableBehavior` for every follow-up and branch (see `enable_when`).

Pure: no web. Who is answering changes the words (the rule book's voice), never the items' ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from triage.conditions import All, Answered, AnyOf, Compare, Condition, Includes, OneOf
from triage.fhir.codes import (
    FHIR_JSON,
    ITEM_CONTROL,
    ITEM_CONTROL_CODES,
    MAX_VALUE,
    MIN_VALUE,
    NONE_OF_THESE,
    OPTION_EXCLUSIVE,
    QUESTIONNAIRE_ID,
    Systems,
)
from triage.rulebook import Group, Question, Rulebook, Section

__all__ = ["FHIR_JSON", "enable_when", "questionnaire"]

Json = dict[str, Any]
COMPARISON_OPERATORS = {"less_than": "<", "at_most": "<=", "more_than": ">", "at_least": ">="}


def questionnaire(book: Rulebook, systems: Systems) -> Json:
    """`book` (in its voice) as a Questionnaire resource, ready to send as JSON."""
    meta = book.meta
    resource: Json = {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "language": book.language.replace("_", "-"),
        "url": systems.questionnaire,
        "version": meta.version,
        "name": "WhenToGetHelp",
        "title": meta.title,
        # A rule book a clinician has not signed (or changed since) is a draft, here as on the pages.
        "status": "active" if book.sign_off.signed else "draft",
        "subjectType": ["Patient"],
        "description": f"{meta.disclaimer} Rule book {meta.version}: {book.sign_off.summary}.",
        "item": [
            {"linkId": "disclaimer", "type": "display", "text": meta.disclaimer},
            *(_section(book, section, systems) for section in book.sections if _asked_items(book, section)),
        ],
    }
    if book.sign_off.signed and book.sign_off.signature is not None:
        resource["date"] = book.sign_off.signature.on
    return resource


def link_id(book: Rulebook, question_id: str) -> str:
    """The item a question's answer is given in: its own, or its list's when asked in a list."""
    for section in book.sections:
        group = section.group_of.get(question_id)
        if group is not None:
            return group.id
    return question_id


def _asked_items(book: Rulebook, section: Section) -> list[Question | Group]:
    """The section's items in this voice: each question, or a list where its first question stands."""
    items: list[Question | Group] = []
    for question in section.questions:
        group = section.group_of.get(question.id)
        if not question.in_voice:
            continue
        if group is None:
            items.append(question)
        elif question.id == group.questions[0]:
            items.append(group)
    return items


def _section(book: Rulebook, section: Section, systems: Systems) -> Json:
    items = _asked_items(book, section)
    conditions = {_condition_of(item) for item in items}
    # A page asked of some people only (the care list, of people already diagnosed): the whole
    # group is shown on the same condition as each of its items.
    shared = conditions.pop() if len(conditions) == 1 else None
    group: Json = {"linkId": section.id, "type": "group", "text": section.title, "item": []}
    if shared is not None:
        group |= _enable(book, shared, systems)
    if section.intro:
        group["item"].append({"linkId": f"{section.id}-intro", "type": "display", "text": section.intro})
    for item in items:
        made = _list_item(book, item, systems) if isinstance(item, Group) else _question_item(book, item, systems)
        condition = _condition_of(item)
        if condition is not None and shared is None:
            made |= _enable(book, condition, systems)
        group["item"].append(made)
    return group


def _condition_of(item: Question | Group) -> Condition | None:
    return item.ask_when


def _question_item(book: Rulebook, question: Question, systems: Systems) -> Json:
    item: Json = {"linkId": question.id, "text": question.text, "required": question.required}
    if question.kind == "number":
        item["type"] = "integer"
        extensions = []
        if question.minimum is not None:
            extensions.append({"url": MIN_VALUE, "valueInteger": question.minimum})
        if question.maximum is not None:
            extensions.append({"url": MAX_VALUE, "valueInteger": question.maximum})
        if extensions:
            item["extension"] = extensions
    else:
        multi = question.kind == "multi"
        item |= {
            "type": "choice",
            "extension": [_control("check-box" if multi else "radio-button")],
            "answerOption": [
                {"valueCoding": {"system": systems.answers, "code": option.value, "display": option.label}}
                for option in question.options
            ],
        }
        if multi:
            item["repeats"] = True
    if question.hint:
        item["item"] = [_help(f"{question.id}-hint", question.hint)]
    return item


def _list_item(book: Rulebook, group: Group, systems: Systems) -> Json:
    questions = [book.question_by_id[qid] for qid in group.questions]
    item: Json = {
        "linkId": group.id,
        "text": group.text,
        "type": "choice",
        "repeats": True,
        "required": any(q.required for q in questions),
        "extension": [_control("check-box")],
        "answerOption": [
            *(
                {"valueCoding": {"system": systems.questions, "code": q.id, "display": q.item or q.text}}
                for q in questions
            ),
            {
                "valueCoding": {"system": systems.answers, "code": NONE_OF_THESE, "display": group.none},
                "extension": [{"url": OPTION_EXCLUSIVE, "valueBoolean": True}],
            },
        ],
    }
    if group.hint:
        item["item"] = [_help(f"{group.id}-hint", group.hint)]
    return item


def _control(code: str) -> Json:
    return {"url": ITEM_CONTROL, "valueCodeableConcept": {"coding": [{"system": ITEM_CONTROL_CODES, "code": code}]}}


def _help(link: str, text: str) -> Json:
    return {"linkId": link, "type": "display", "text": text, "extension": [_control("help")]}


def _enable(book: Rulebook, condition: Condition, systems: Systems) -> Json:
    found = enable_when(book, condition, systems)
    if found is None:
        # Not expressible as enableWhen: the item is always shown, and not required (the service
        # still asks it only when its condition holds, and ignores an answer given otherwise).
        return {"required": False}
    tests, behavior = found
    return {"enableWhen": tests, **({"enableBehavior": behavior} if len(tests) > 1 else {})}


def enable_when(book: Rulebook, condition: Condition, systems: Systems) -> tuple[list[Json], str] | None:
    """`condition` as FHIR `enableWhen` tests and their `enableBehavior` ("all" or "any"), or None
    when enableWhen cannot say it. It can say: one test (equals, one of, includes, a comparison,
    answered), `any` of those, or `all` of tests that are each one enableWhen. It cannot say `not`, or
    `all`/`any` nested in each other, or a "no" to a question asked in a list (no question of the
    rule book is asked on these)."""
    try:
        return _enable_when(book, condition, systems)
    except _NotExpressibleError:
        return None


def _enable_when(book: Rulebook, condition: Condition, systems: Systems) -> tuple[list[Json], str] | None:
    if isinstance(condition, All | AnyOf):
        parts = [_tests(book, part, systems) for part in condition.parts]
        if any(part is None for part in parts):
            return None
        if isinstance(condition, All) and any(len(part or ()) != 1 for part in parts):
            return None  # all of (any of several): enableWhen has one behaviour for all its tests
        return [test for part in parts for test in part or ()], "all" if isinstance(condition, All) else "any"
    tests = _tests(book, condition, systems)
    return (tests, "any") if tests is not None else None


def _tests(book: Rulebook, condition: Condition, systems: Systems) -> list[Json] | None:
    """The enableWhen tests any one of which makes `condition` true, or None."""
    if isinstance(condition, OneOf):
        return [_equals(book, condition.question, value, systems) for value in sorted(condition.values)] or None
    if isinstance(condition, Includes):
        return [{"question": condition.question, "operator": "=", "answerCoding": _coding(systems, condition.value)}]
    if isinstance(condition, Compare):
        operator = COMPARISON_OPERATORS[condition.test]
        return [{"question": condition.question, "operator": operator, "answerInteger": condition.bound}]
    if isinstance(condition, Answered):
        return [
            {"question": link_id(book, condition.question), "operator": "exists", "answerBoolean": condition.expected}
        ]
    return None


def _equals(book: Rulebook, question_id: str, value: str, systems: Systems) -> Json:
    link = link_id(book, question_id)
    if link != question_id:  # asked in a list: "yes" is its code ticked in the list
        if value != "yes":
            raise _NotExpressibleError
        return {"question": link, "operator": "=", "answerCoding": {"system": systems.questions, "code": question_id}}
    return {"question": question_id, "operator": "=", "answerCoding": _coding(systems, value)}


def _coding(systems: Systems, value: str) -> Json:
    return {"system": systems.answers, "code": value}


class _NotExpressibleError(Exception):
    """A test on a question asked in a list that is not "yes" (a list holds only the yes answers)."""


def iter_items(items: list[Json]) -> Iterator[Json]:
    """Every item, nested ones included, in document order."""
    for item in items:
        yield item
        yield from iter_items(item.get("item", []))
