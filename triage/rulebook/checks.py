"""The checks over a whole rule book, once built: the answer contract, emergencies asked first,
and that every question can be asked and every rule can fire."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping

from triage.conditions import Compare, Condition, questions_in, walk
from triage.rulebook.contract import CONTRACT, EMERGENCY_QUESTIONS, RESPONDENT, RETIRED_ANSWERS
from triage.rulebook.model import Question, Rulebook, Section
from triage.rulebook.policy import _Policy
from triage.yamlsource import (
    Node,
    line_of,
)


class _Checks(_Policy):
    """The checks run over a built rule book: the contract, emergencies first, reachability."""

    # -- whole-book checks ----------------------------------------------------------------------

    def check_contract(
        self, questions: Mapping[str, Question], sections: tuple[Section, ...], sections_node: Node
    ) -> None:
        line = line_of(sections_node)
        for qid in RETIRED_ANSWERS | {RESPONDENT}:
            if qid in questions:
                self.problems.add(self.question_nodes[qid], f"'{qid}' cannot be a question of the rule book")
        for qid, (kind, values) in CONTRACT.items():
            question = questions.get(qid)
            if question is None:
                self.problems.add(line, f"question '{qid}' is missing; it is part of the questionnaire's contract")
            elif question.kind != kind or (values and question.values != values):
                shown = f" with options {', '.join(values)}" if values else ""
                self.problems.add(
                    self.question_nodes[qid], f"question '{qid}' must be a {kind} question{shown} (the contract)"
                )
        first = sections[0] if sections else None
        for qid in EMERGENCY_QUESTIONS:
            if first and qid in questions and questions[qid].section != first.id:
                self.problems.add(
                    self.question_nodes[qid],
                    f"question '{qid}' must be in the first section: emergencies are asked first",
                )

    def check_emergencies_first(self, rulebook: Rulebook) -> None:
        for question in rulebook.sections[0].questions:
            fires = any(r.level == rulebook.top_level and r.when.holds({question.id: "yes"}) for r in rulebook.rules)
            if question.kind != "yes_no" or not fires:
                self.problems.add(
                    self.question_nodes[question.id],
                    f"question '{question.id}' is in the first (emergency) section, so it must be yes/no "
                    f"and a 'yes' alone must reach level '{rulebook.top_level.id}'",
                )

    def check_reachable(self, rulebook: Rulebook, top: Mapping[str, Node]) -> None:
        rule_nodes = {}
        for item in top["rules"].value:
            for key, value in item.value:
                if key.value == "id":
                    rule_nodes[value.value] = value
        for question in rulebook.questions:
            if question.ask_when and not can_hold(question.ask_when, rulebook):
                self.problems.add(
                    self.question_nodes[question.id],
                    f"question '{question.id}' is never asked: its ask_when can never be true",
                )
        for rule in rulebook.rules:
            if not can_hold(rule.when, rulebook):
                self.problems.add(
                    rule_nodes[rule.id], f"rule '{rule.id}' can never fire: no answers make its condition true"
                )
        for level in rulebook.levels[:-1]:
            if not any(rule.level == level for rule in rulebook.rules):
                self.problems.add(
                    line_of(top["levels"]), f"level '{level.id}' is never reached: no rule has this level"
                )


def can_hold(condition: Condition, rulebook: Rulebook) -> bool:
    """Whether any answers the questionnaire can collect make `condition` true.

    Tries every combination of the questions the condition depends on (and the questions their
    follow-up conditions depend on); numbers are tried at their limits and around each bound.
    """
    by_id = rulebook.question_by_id
    needed: set[str] = set()
    pending = set(questions_in(condition))
    while pending:
        qid = pending.pop()
        if qid not in needed:
            needed.add(qid)
            ask_when = by_id[qid].ask_when
            pending |= set(questions_in(ask_when)) if ask_when else set()
    order = {q.id: i for i, q in enumerate(rulebook.questions)}
    ordered = [by_id[qid] for qid in sorted(needed, key=order.__getitem__)]
    conditions = [condition, *(q.ask_when for q in ordered if q.ask_when)]
    bounds = [node for c in conditions for node in walk(c) if isinstance(node, Compare)]

    def domain(question: Question) -> Iterator[object]:
        if question.kind == "number":
            low, high = question.minimum or 0, question.maximum or 0
            near = {b.bound + d for b in bounds if b.question == question.id for d in (-1, 0, 1)}
            yield from sorted(v for v in {low, high} | near if low <= v <= high)
        elif question.kind == "multi":
            for size in range(1, len(question.values) + 1):
                yield from (frozenset(combo) for combo in itertools.combinations(question.values, size))
        else:
            yield from question.values

    def search(index: int, answers: dict[str, object]) -> bool:
        if index == len(ordered):
            return condition.holds(answers)  # type: ignore[arg-type]
        question = ordered[index]
        asked = question.ask_when is None or question.ask_when.holds(answers)  # type: ignore[arg-type]
        if (not asked or not question.required) and search(index + 1, answers):
            return True
        for value in domain(question) if asked else ():
            answers[question.id] = value
            if search(index + 1, answers):
                return True
            del answers[question.id]
        return False

    return search(0, {})
