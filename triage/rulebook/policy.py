"""Building the clinical policy: the least level each pattern of answers reaches, the answers
that never lower the level, the order of each question's answers from least to most of a problem,
and the answers held fixed when one set of answers is compared with another."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from triage.condition_compiler import compile_condition
from triage.rulebook.contract import CLINICIANS
from triage.rulebook.logic import _Logic
from triage.rulebook.model import Level, MinimumLevel, NeverLowers, Policy, Question
from triage.yamlsource import Node, SequenceNode, did_you_mean, line_of

PolicyRow = tuple[str | None, Node]  # a row's id, and where it is


class _Policy(_Logic):
    """Reading the rule book's `policy`, which `triage verify` proves."""

    def policy(
        self, node: Node, levels: Mapping[str, Level], questions: Mapping[str, Question], refs: set[str]
    ) -> Policy | None:
        found = self.mapping(node, "policy", ("minimum_levels", "never_lower", "problem_order", "context"))
        if found is None or len(found) < 4:
            return None
        ids: list[PolicyRow] = []
        minimums = self.minimum_levels(found["minimum_levels"], levels, questions, refs, ids)
        nevers = self.never_lower(found["never_lower"], questions, refs, ids)
        self.unique(ids, "policy row id")
        order = self.problem_order(found["problem_order"], questions)
        context: set[str] = set()
        for item in self.sequence(found["context"], "context"):
            qid = self.scalar(item)
            if not isinstance(qid, str) or qid not in questions:
                self.problems.add(item, f"unknown question '{qid}'{did_you_mean(qid, questions)}")
            else:
                context.add(qid)
        return Policy(tuple(minimums), tuple(nevers), MappingProxyType(order), frozenset(context), line_of(node))

    def minimum_levels(
        self,
        node: Node,
        levels: Mapping[str, Level],
        questions: Mapping[str, Question],
        refs: set[str],
        ids: list[PolicyRow],
    ) -> list[MinimumLevel]:
        """The rows of `minimum_levels` (their ids added to `ids`)."""
        minimums: list[MinimumLevel] = []
        for item in self.sequence(node, "minimum_levels"):
            read = self.row(item, ("when", "at_least"), refs, ids)
            if read is None:
                continue
            row, row_id, says, source = read
            when = compile_condition(row["when"], questions, self.problems)
            level_id = self.scalar(row["at_least"])
            if level_id not in levels:
                self.problems.add(row["at_least"], f"unknown level '{level_id}'{did_you_mean(level_id, levels)}")
            if row_id and says and when and isinstance(level_id, str) and level_id in levels:
                minimums.append(MinimumLevel(row_id, says, when, levels[level_id], source, line_of(item)))
        return minimums

    def never_lower(
        self, node: Node, questions: Mapping[str, Question], refs: set[str], ids: list[PolicyRow]
    ) -> list[NeverLowers]:
        """The rows of `never_lower` (their ids added to `ids`)."""
        nevers: list[NeverLowers] = []
        for item in self.sequence(node, "never_lower"):
            read = self.row(item, ("question", "answer"), refs, ids)
            if read is None:
                continue
            row, row_id, says, source = read
            qid, answer = self.scalar(row["question"]), self.scalar(row["answer"])
            question = questions.get(qid) if isinstance(qid, str) else None
            if question is None:
                self.problems.add(row["question"], f"unknown question '{qid}'{did_you_mean(qid, questions)}")
            elif question.kind not in ("yes_no", "choice") or answer not in question.values:
                self.problems.add(row["answer"], f"'{answer}' is not an option of '{qid}'")
            if row_id and says and question and isinstance(answer, str) and answer in question.values:
                nevers.append(NeverLowers(row_id, says, question.id, answer, source, line_of(item)))
        return nevers

    def row(
        self, item: Node, keys: tuple[str, ...], refs: set[str], ids: list[PolicyRow]
    ) -> tuple[dict[str, Node], str | None, str | None, tuple[str, ...]] | None:
        """A policy row with its id, what it says, its sources and `keys`: the row, its id (added to
        `ids`), what it says and its sources; None when a key is missing (the problem added)."""
        row = self.mapping(item, self.named(item, "policy row"), ("id", "says", *keys, "source"))
        if row is None or len(row) < len(keys) + 3:
            return None
        row_id = self.ident(row["id"], "a policy row id")
        ids.append((row_id, row["id"]))
        says = self.text(row["says"], f"what policy row '{row_id}' says", words=CLINICIANS)
        return row, row_id, says, self.source(row["source"], f"policy row '{row_id}'", refs)

    def problem_order(self, node: Node, questions: Mapping[str, Question]) -> dict[str, tuple[frozenset[str], ...]]:
        orders: dict[str, tuple[frozenset[str], ...]] = {}
        found = self.mapping(node, "problem_order", (), tuple(q.id for q in questions.values()))
        for qid, ranks_node in (found or {}).items():
            question = questions[qid]
            ranks: list[frozenset[str]] = []
            for rank in self.sequence(ranks_node, f"the problem order of '{qid}'"):
                items = rank.value if isinstance(rank, SequenceNode) else [rank]
                values = [self.scalar(value) for value in items]
                if not all(isinstance(v, str) and v in question.values for v in values):
                    self.problems.add(rank, f"the problem order of '{qid}' names an answer it does not have")
                ranks.append(frozenset(str(v) for v in values))
            listed = [v for rank in ranks for v in rank]
            if sorted(listed) != sorted(question.values):
                self.problems.add(ranks_node, f"the problem order of '{qid}' must list each of its answers once")
            orders[qid] = tuple(ranks)
        return orders
