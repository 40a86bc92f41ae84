"""The answers of two rule books as boolean variables in one binary decision diagram (the `dd`
library): the conditions and levels of each book as functions over them, counted exactly without
listing the answer sets."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

from dd.autoref import BDD, Function

from triage.conditions import All, Answered, AnyOf, Compare, Condition, Includes, Not, OneOf, walk
from triage.rulebook import VOICES, Question, Rulebook

NONE = "(not answered)"


class JointSpace:
    """The answers of two rule books as boolean variables: one per answer of each single-choice
    question (and one for "not answered"), one per option of a multiple-choice question."""

    def __init__(self, books: Iterable[Rulebook]) -> None:
        self.bdd = BDD()
        # An answer of the first (old) book that options of the last (new) one replace, with those
        # options (and itself, where the new book still offers it): the old answer stands for them.
        self.old: Rulebook | None = None
        self.replaced: dict[tuple[str, str], tuple[str, ...]] = {}
        self.values: dict[str, list[str]] = {}
        self.multi: set[str] = set()
        books = list(books)
        self.ranges: dict[str, list[tuple[int, int]]] = {}  # a number question: the ranges rules tell apart
        for book in books:
            for q in book.questions:
                known = self.values.setdefault(q.id, [])
                if q.kind == "number":
                    self.ranges[q.id] = _ranges(q, books)
                    known[:] = [f"{low}-{high}" for low, high in self.ranges[q.id]]
                    continue
                known += [v for v in q.values if v not in known]
                if q.kind == "multi":
                    self.multi.add(q.id)
        if len(books) == 2:
            self.old = books[0]
            self.replaced = _replaced(*books)
        names = [self.name(qid, v) for qid, values in self.values.items() for v in self.slots(qid, values)]
        self.bdd.declare(*names)
        self.nvars = len(names)
        one_each = self.bdd.true
        for qid, values in self.values.items():
            if qid not in self.multi:
                one_each &= self.exactly_one([self.var(qid, v) for v in [NONE, *values]])
        self.one_each = one_each

    def slots(self, qid: str, values: list[str]) -> list[str]:
        return values if qid in self.multi else [NONE, *values]

    @staticmethod
    def name(qid: str, value: str) -> str:
        return f"{qid}___" if value == NONE else f"{qid}__{value}"  # an answer id never starts with _

    def var(self, qid: str, value: str) -> Function:
        return self.bdd.var(self.name(qid, value))

    def exactly_one(self, fs: list[Function]) -> Function:
        result = self.bdd.false
        for index, f in enumerate(fs):
            others = self.bdd.true
            for other in fs[:index] + fs[index + 1 :]:
                others &= ~other
            result |= f & others
        return result

    def answered(self, q: Question) -> Function:
        if q.id in self.multi:
            return self.any_of(self.var(q.id, v) for v in self.values[q.id])
        return ~self.var(q.id, NONE)

    def answer(self, qid: str, value: str, book: Rulebook) -> Function:
        """`value` answered to `qid`, as `book` means it: an old answer that new options replace
        stands for any of them."""
        if book is self.old and (qid, value) in self.replaced:
            return self.any_of(self.var(qid, v) for v in self.replaced[qid, value])
        return self.var(qid, value)

    def any_of(self, fs: Iterable[Function]) -> Function:
        result = self.bdd.false
        for f in fs:
            result |= f
        return result

    def all_of(self, fs: Iterable[Function]) -> Function:
        result = self.bdd.true
        for f in fs:
            result &= f
        return result

    def condition(self, c: Condition, book: Rulebook) -> Function:
        if isinstance(c, All):
            return self.all_of(self.condition(p, book) for p in c.parts)
        if isinstance(c, AnyOf):
            return self.any_of(self.condition(p, book) for p in c.parts)
        if isinstance(c, Not):
            return ~self.condition(c.part, book)
        if isinstance(c, OneOf):
            return self.any_of(self.answer(c.question, v, book) for v in sorted(c.values))
        if isinstance(c, Includes):
            return self.var(c.question, c.value)
        if isinstance(c, Answered):
            answered = self.answered(book.question_by_id[c.question])
            return answered if c.expected else ~answered
        if isinstance(c, Compare):
            test = {"less_than": int.__lt__, "at_most": int.__le__, "more_than": int.__gt__, "at_least": int.__ge__}
            holds = test[c.test]
            return self.any_of(
                self.var(c.question, f"{low}-{high}")
                for low, high in self.ranges[c.question]
                if holds(low, c.bound)  # the ranges are split at every bound, so one end tells for all
            )
        raise TypeError(f"not a condition: {c!r}")

    def levels(self, book: Rulebook) -> dict[str, Function]:
        """For each level of the book, the answers (valid for the book) that get it."""
        at_least: dict[int, Function] = {}
        for level in book.levels:
            fired = [self.condition(r.when, book) for r in book.rules if r.level.rank >= level.rank]
            at_least[level.rank] = self.any_of(fired) if level != book.lowest_level else self.bdd.true
        exactly = {}
        for level in book.levels:
            above = at_least.get(level.rank + 1, self.bdd.false)
            exactly[level.id] = at_least[level.rank] & ~above
        complete = self.all_of(
            (self.condition(q.ask_when, book) if q.ask_when else self.bdd.true).implies(self.answered(q))
            for q in book.questions
            if q.required and q.voices == VOICES  # one asked in some voices only may go unanswered
        )
        valid = self.one_each & (complete | exactly[book.top_level.id])
        for q in book.questions:
            asked = self.condition(q.ask_when, book) if q.ask_when else self.bdd.true
            valid &= self.answered(q).implies(asked)
            if q.kind == "number":
                pass  # every range is within the question's limits
            elif q.id not in self.multi:  # an answer it does not offer is not valid for it
                valid &= self.any_of(self.answer(q.id, v, book) for v in [NONE, *q.values])
            else:
                valid &= self.all_of(~self.var(q.id, v) for v in self.values[q.id] if v not in q.values)
        return {level_id: valid & answers for level_id, answers in exactly.items()}

    def count(self, f: Function) -> int:
        return int(self.bdd.count(f, nvars=self.nvars))


def _replaced(old: Rulebook, new: Rulebook) -> dict[tuple[str, str], tuple[str, ...]]:
    """Each answer of `old` that options new in `new` replace: those options (and itself, where
    `new` still offers it)."""
    replaced: dict[tuple[str, str], tuple[str, ...]] = {}
    for q in new.questions:
        offered = old.question_by_id[q.id].values if q.id in old.question_by_id else ()
        for option in q.options:
            if option.value in offered:
                continue  # not new: the old rule book offered it too
            for was in option.replaces:
                kept = (was,) if was in q.values else ()
                replaced[q.id, was] = (*replaced.get((q.id, was), kept), option.value)
    return replaced


def _ranges(question: Question, books: Iterable[Rulebook]) -> list[tuple[int, int]]:
    """A number question's range, split wherever a condition of either book compares it. Each range
    stands for every number in it (the rules cannot tell them apart), counted as one answer."""
    low, high = question.minimum or 0, question.maximum or 0
    cuts = {low, high + 1}
    for book in books:
        conditions = [r.when for r in book.rules] + [q.ask_when for q in book.questions if q.ask_when]
        for condition in conditions:
            for node in walk(condition):
                if isinstance(node, Compare) and node.question == question.id:
                    cuts.add(node.bound + (1 if node.test in ("at_most", "more_than") else 0))
    points = sorted(c for c in cuts if low <= c <= high + 1)
    return [(a, b - 1) for a, b in pairwise(points)]
