"""QuestionnaireResponses: read into the answers the engine takes, and written from them.

Reading checks the resource's structure with the `fhir.resources` models (R4B), then the items
against the Questionnaire this service serves; the answers themselves are checked by the engine,
exactly as the JSON API's are, and its errors come back here with the item's `linkId`. Anything
that could be read two ways (an item given twice, two answers to a one-answer question, "none of
these" ticked with an item of its list) is refused, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from triage.conditions import Answer
from triage.fhir.codes import NONE_OF_THESE, QUESTIONNAIRE_ID, Systems
from triage.fhir.questionnaire import link_id
from triage.rulebook import Group, Question, Rulebook

Json = dict[str, Any]
# How deep a response's JSON may nest: a response to this Questionnaire needs about 12 (a section's
# group, its items, their answers and codings); the FHIR models recurse on each level.
MAX_DEPTH = 40
STATUSES = ("in-progress", "completed", "amended", "entered-in-error", "stopped")  # FHIR R4's codes


@dataclass(frozen=True)
class ItemError:
    link_id: str | None  # the item it is about; None: the resource as a whole
    code: str
    message: str


class ResponseError(ValueError):
    def __init__(self, errors: list[ItemError]) -> None:
        super().__init__("; ".join(f"{e.link_id}: {e.message}" for e in errors))
        self.errors = errors


def check_structure(resource: object) -> Json:
    """`resource` if it is a QuestionnaireResponse as FHIR defines one; ResponseError if not."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "QuestionnaireResponse":
        raise ResponseError([ItemError(None, "not_a_questionnaire_response", "Send a QuestionnaireResponse.")])
    if _too_deep(resource, MAX_DEPTH):
        message = f"The response is nested more than {MAX_DEPTH} levels deep: no answer to these questions is."
        raise ResponseError([ItemError(None, "structure", message)])
    if resource.get("status") not in STATUSES:  # (the models do not check coded values)
        raise ResponseError([ItemError(None, "structure", f"status must be one of {', '.join(STATUSES)}.")])
    try:
        get_fhir_model_class("QuestionnaireResponse").model_validate(resource)
    except RecursionError:  # (nesting is bounded above; this is the models' own limit, kept as a guard)
        raise ResponseError([ItemError(None, "structure", "The response is nested too deeply.")]) from None
    except ValidationError as invalid:
        errors = [
            ItemError(None, "structure", f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}")
            for error in invalid.errors()[:20]
        ]
        raise ResponseError(errors) from None
    return resource


def _too_deep(value: object, limit: int) -> bool:
    """Whether JSON `value` nests objects and lists more than `limit` deep (walked without recursion)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return False


def read_answers(book: Rulebook, systems: Systems, resource: Json) -> dict[str, object]:
    """The answers a checked QuestionnaireResponse gives, by question id, as the engine takes them
    (not yet checked against the questions' options: `assess` does that). ResponseError lists
    every item that cannot be read."""
    errors: list[ItemError] = []
    _check_questionnaire(book, systems, resource.get("questionnaire"), errors)
    known_groups = {group.id: group for group in book.groups}
    ignored = {"disclaimer"} | {s.id for s in book.sections} | {f"{s.id}-intro" for s in book.sections}
    seen: set[str] = set()
    answers: dict[str, object] = {}
    for item in _items(resource.get("item") or []):
        link = item.get("linkId")
        given = item.get("answer") or []
        if not isinstance(link, str):
            errors.append(ItemError(None, "structure", "Every item needs its linkId."))
            continue
        if link in ignored or link.endswith("-hint"):
            continue
        if link in seen:
            errors.append(
                ItemError(link, "duplicate_item", "This item is given twice: which answer is meant cannot be told.")
            )
            continue
        seen.add(link)
        if link in known_groups:
            _read_list(known_groups[link], systems, given, answers, errors)
        elif link in book.question_by_id:
            value = _read_one(book.question_by_id[link], systems, given, errors)
            if value is not None:
                answers[link] = value
        else:
            errors.append(ItemError(link, "unknown_question", book.meta.messages["unknown_question"]))
    if errors:
        raise ResponseError(errors)
    return answers


def _items(items: list[Json]) -> Iterator[Json]:
    """Every item with a linkId, nested ones (in groups and under answers) included."""
    for item in items:
        yield item
        yield from _items(item.get("item") or [])
        for answer in item.get("answer") or []:
            yield from _items(answer.get("item") or [])


def _check_questionnaire(book: Rulebook, systems: Systems, canonical: object, errors: list[ItemError]) -> None:
    """The response must be to this Questionnaire (any address this service is reached at), and to
    this version of it when it names one."""
    if canonical is None:
        return
    url, _, version = str(canonical).partition("|")
    if not url.endswith(f"fhir/Questionnaire/{QUESTIONNAIRE_ID}") or (version and version != book.meta.version):
        message = f"Answer the current questions: {systems.questionnaire}|{book.meta.version}."
        errors.append(ItemError(None, "wrong_questionnaire", message))


def _read_one(question: Question, systems: Systems, given: list[Json], errors: list[ItemError]) -> object:
    if not given:
        return None
    if question.kind == "number":
        value = given[0].get("valueInteger")
        if len(given) != 1 or value is None:
            errors.append(ItemError(question.id, "not_a_whole_number", question.error))
            return None
        return value
    codes = []
    for answer in given:
        coding = answer.get("valueCoding")
        if not isinstance(coding, dict) or not systems.is_ours(coding.get("system"), systems.answers):
            errors.append(ItemError(question.id, "invalid_choice", question.error))
            return None
        codes.append(coding.get("code"))
    if question.kind == "multi":
        return codes
    if len(codes) != 1:
        errors.append(ItemError(question.id, "invalid_choice", question.error))
        return None
    return codes[0]


def _read_list(
    group: Group, systems: Systems, given: list[Json], answers: dict[str, object], errors: list[ItemError]
) -> None:
    """A list asked together: each question ticked is a yes, the others no; "none of these" alone
    is a no to every one. Nothing ticked is no answer."""
    ticked: list[str] = []
    for answer in given:
        coding = answer.get("valueCoding")
        code = coding.get("code") if isinstance(coding, dict) else None
        system = coding.get("system") if isinstance(coding, dict) else None
        if code == NONE_OF_THESE and systems.is_ours(system, systems.answers):
            ticked.append(NONE_OF_THESE)
        elif code in group.questions and systems.is_ours(system, systems.questions):
            ticked.append(code)
        else:
            errors.append(ItemError(group.id, "invalid_choice", group.error))
            return
    if not ticked:
        return
    if len(set(ticked)) != len(ticked) or (NONE_OF_THESE in ticked and len(ticked) > 1):
        message = f'"{group.none}" is ticked with other items, or an item twice: which is meant cannot be told.'
        errors.append(ItemError(group.id, "invalid_choice", message))
        return
    for qid in group.questions:
        answers[qid] = "yes" if qid in ticked else "no"


def response_from_answers(book: Rulebook, systems: Systems, answers: Mapping[str, Answer], authored: str) -> Json:
    """Checked answers (`engine.check_answers`) as a completed QuestionnaireResponse to the
    Questionnaire of `book`'s voice: a group per section, the answers given, nothing unanswered."""
    sections = []
    for section in book.sections:
        items: list[Json] = []
        done: set[str] = set()
        for question in section.questions:
            link = link_id(book, question.id)
            if link in done or not question.in_voice:
                continue
            group = section.group_of.get(question.id)
            if group is not None:
                done.add(link)
                item = _list_answer(group, systems, answers)
            else:
                item = _answer(question, systems, answers.get(question.id))
            if item is not None:
                items.append(item)
        if items:
            sections.append({"linkId": section.id, "text": section.title, "item": items})
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{systems.questionnaire}|{book.meta.version}",
        "status": "completed",
        "authored": authored,
        "item": sections,
    }


def _answer(question: Question, systems: Systems, value: Answer | None) -> Json | None:
    if value is None:
        return None
    if isinstance(value, int):
        given: list[Json] = [{"valueInteger": value}]
    else:
        chosen = [value] if isinstance(value, str) else [v for v in question.values if v in value]
        if not chosen:
            return None
        labels = {option.value: option.label for option in question.options}
        given = [{"valueCoding": {"system": systems.answers, "code": v, "display": labels[v]}} for v in chosen]
    return {"linkId": question.id, "text": question.text, "answer": given}


def _list_answer(group: Group, systems: Systems, answers: Mapping[str, Answer]) -> Json | None:
    values = [answers.get(qid) for qid in group.questions]
    if all(value is None for value in values):
        return None
    ticked = [qid for qid, value in zip(group.questions, values, strict=True) if value == "yes"]
    codings = [{"system": systems.questions, "code": qid} for qid in ticked] or [
        {"system": systems.answers, "code": NONE_OF_THESE, "display": group.none}
    ]
    return {"linkId": group.id, "text": group.text, "answer": [{"valueCoding": c} for c in codings]}


def engine_errors_as_items(book: Rulebook, errors: Any) -> list[ItemError]:
    """The engine's field errors, each on the item its question is answered in (once per item
    and kind: a list's questions left unanswered are one error on the list)."""
    found: dict[tuple[str, str], ItemError] = {}
    for error in errors:
        link = link_id(book, error.field) if error.field in book.question_by_id else error.field
        group = next((g for g in book.groups if g.id == link), None)
        message = group.error if group is not None and error.code == "required" else error.message
        found.setdefault((link, error.code), ItemError(link, error.code, message))
    return list(found.values())
