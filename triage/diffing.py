"""`triage diff OLD NEW`: every change in behaviour and wording between two rule books.

Behaviour is compared over the whole answer space, not a sample: every answer set of both rule
books (the questions of either; a question only one of them asks varies freely for the other) is
counted by the level each gives it, with binary decision diagrams (the `dd` library), which count
the answer sets of a condition exactly without listing them. For each change of level (old level →
new level) it gives how many answer sets moved, and the plainest example: the one with the fewest
answers that report a problem. Then it lists the questions, rules, levels and texts (in each voice)
that were added, removed or changed. Plain text for a terminal, or Markdown for a changelog or a
review ticket.

A rule book of the first answer contract (1.x: texts in one voice, a `staff` wording per question)
is read by translating it to the current form first: its texts become the same in every voice.
"""

from __future__ import annotations

import io
import re
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml
from dd.autoref import BDD, Function

from triage.conditions import All, Answered, AnyOf, Compare, Condition, Includes, Not, OneOf, walk
from triage.report import Gettext, as_written, in_words
from triage.rulebook import VOICES, Question, Rulebook, RulebookError, load_rulebook, parse_rulebook
from triage.yamlsource import Problem, load_plain

NONE = "(not answered)"


def load_any(path: Path) -> Rulebook:
    """A rule book of the current form, or of an earlier one: the first contract (translated to the
    current form), or 2.x (2.0 from before levels said where to go and rules what to say; 2.x of the
    second answer contract)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = load_plain(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise RulebookError(str(path), [Problem(line, f"cannot read this rule book: {_first_line(error)}")]) from None
    version = str(data.get("meta", {}).get("version", "")) if isinstance(data, dict) else ""
    found = re.match(r"(\d+)", version)
    major = int(found[1]) if found else None
    if isinstance(data, dict) and major is not None and major < 2:
        try:
            translated = _from_first_contract(data)
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            problem = f"this says version {version} but is not a rule book of the first contract ({error!r} is amiss)"
            raise RulebookError(str(path), [Problem(1, problem)]) from None
        return parse_rulebook(translated, str(path), earlier=True)
    if major == 2:  # 2.x: before the answer contract of rule book 3, read without checking it
        return parse_rulebook(text, str(path), earlier=True)
    return load_rulebook(path)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _every(text: str | None) -> dict[str, str] | None:
    return {"every_voice": text} if text is not None else None


def _from_first_contract(data: dict[str, Any]) -> str:
    every = _every
    data["meta"]["disclaimer"] = every(data["meta"]["disclaimer"])
    data["meta"]["reviewed_on"] = str(data["meta"]["reviewed_on"])
    for level in data["levels"]:
        visitor, staff = level.pop("visitor"), level.pop("staff_script")
        for key in ("title", "action", "timeframe", "safety_net"):
            level[key] = every(level[key])
        level["message"] = {"self": visitor, "other": visitor, "staff": staff}
    for section in data["sections"]:
        section["title"] = every(section["title"])
        if section.get("intro"):
            section["intro"] = every(section["intro"])
        for question in section["questions"]:
            staff = question.pop("staff")
            question["text"] = {"self": question["text"], "other": question["text"], "staff": staff}
            for key in ("hint", "error", "range_error"):
                if question.get(key):
                    question[key] = every(question[key])
            for option in question.get("options") or []:
                option["label"] = every(option["label"])
    for rule in data["rules"]:
        rule["reason"] = every(rule["reason"])
        if rule.get("advice"):
            rule["advice"] = every(rule["advice"])
    out = io.StringIO()
    yaml.safe_dump(data, out, sort_keys=False, allow_unicode=True, width=1000)
    return out.getvalue()


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
            self.old, new = books
            for q in new.questions:
                offered = self.old.question_by_id[q.id].values if q.id in self.old.question_by_id else ()
                for option in q.options:
                    if option.value in offered:
                        continue  # not new: the old rule book offered it too
                    for was in option.replaces:
                        kept = (was,) if was in q.values else ()
                        self.replaced[q.id, was] = (*self.replaced.get((q.id, was), kept), option.value)
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

    def plainest(self, f: Function, books: Iterable[Rulebook]) -> dict[str, Any]:
        """The answer set in `f` with the fewest answers that report a problem."""
        quiet = _quiet_values(books)
        noisy = [
            (self.any_of(self.var(qid, v) for v in values) if qid in self.multi else
             self.any_of(self.var(qid, v) for v in values if v not in quiet.get(qid, set())))
            for qid, values in self.values.items()
        ]  # fmt: skip
        for most in range(len(noisy) + 1):
            found = f & self.at_most(noisy, most)
            if found != self.bdd.false:
                return self.decode(self.bdd.pick(found, care_vars=set(self.bdd.vars)) or {})
        return {}

    def at_most(self, indicators: list[Function], k: int) -> Function:
        """At most k of the indicators hold (a counting function, built from the last one back)."""
        bounds = [self.bdd.true] * (k + 1)
        for x in reversed(indicators):
            bounds = [(~x & bounds[0]) if j == 0 else self.bdd.ite(x, bounds[j - 1], bounds[j]) for j in
                      range(k + 1)]  # fmt: skip
        return bounds[k]

    def decode(self, assignment: Mapping[str, bool]) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for qid, values in self.values.items():
            if qid in self.multi:
                chosen = [v for v in values if assignment.get(self.name(qid, v))]
                if chosen:
                    answers[qid] = chosen
            else:
                value = next((v for v in values if assignment.get(self.name(qid, v))), None)
                if value is not None:
                    answers[qid] = value
        return answers


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


def _quiet_values(books: Iterable[Rulebook]) -> dict[str, set[str]]:
    quiet: dict[str, set[str]] = {}
    for book in books:
        for q in book.questions:
            if q.kind == "number":
                continue
            plain = {v for v in ("no", "none") if v in q.values}
            order = book.policy.problem_order.get(q.id)
            quiet.setdefault(q.id, set()).update(plain or (set(order[0]) if order else {q.values[0]}))
    return quiet


@dataclass(frozen=True)
class Move:
    old: str
    new: str
    count: int
    example: dict[str, Any]


@dataclass(frozen=True)
class Diff:
    old: Rulebook
    new: Rulebook
    moves: tuple[Move, ...]  # every (old level, new level) pair with answer sets, unchanged ones included
    changes: tuple[tuple[str, str], ...]  # (heading, line)

    @property
    def total(self) -> int:
        return sum(move.count for move in self.moves)

    @property
    def moved(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.old != m.new)

    def text(self, markdown: bool = False) -> str:
        out: list[str] = []
        old, new = self.old.meta.version, self.new.meta.version

        def heading(title: str) -> str:
            return f"\n## {title}\n" if markdown else f"\n{title}"

        out.append(f"# Rule book {old} → {new}" if markdown else f"Rule book {old} → {new}")
        moved = sum(m.count for m in self.moved)
        out.append(heading("Behaviour over every answer set"))
        out.append(
            f"{self.total:,} answer sets of the questions of either rule book; {moved:,} "
            f"({moved / self.total:.4%}) get another level. A question only one rule book asks varies freely "
            "for the other, so a move can pair answers one person would not give together (a question that "
            "replaced another, for example)."
        )
        rank = {level.id: level.rank for level in self.new.levels}
        rows = sorted(self.moves, key=lambda m: (m.old == m.new, -rank.get(m.new, 0) + rank.get(m.old, 0), -m.count))
        if markdown:
            out += ["", "| old level → new level | answer sets | plainest example |", "|---|---:|---|"]
        for move in rows:
            example = _show(move.example) if move.old != move.new else "(unchanged)"
            change = f"{move.old} → {move.new}"
            if markdown:
                out.append(f"| {change} | {move.count:,} | {example} |")
            else:
                out.append(f"  {change:<22} {move.count:>16,}  {example}")
        last = None
        for head, line in self.changes:
            if head != last:
                out.append(heading(head))
                last = head
            out.append(f"- {line}" if markdown else f"  {line}")
        return "\n".join(out) + "\n"


def _show(answers: Mapping[str, Any]) -> str:
    shown = [f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in answers.items() if v not in ("no", "none")]
    return ", ".join(shown) or "every answer no or none"


# The decision-diagram library recurses once per variable along a path: large rule books (hundreds
# of questions) go deeper than Python's default limit. The comparison runs in a thread of its own,
# with a stack large enough for it and the recursion limit raised to match (both documented Python).
STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 200_000


def diff(old: Rulebook, new: Rulebook) -> Diff:
    """Every change in behaviour and wording from `old` to `new`."""
    found: list[Diff] = []
    failed: list[BaseException] = []

    def compare() -> None:
        try:
            found.append(_diff(old, new))
        except BaseException as error:  # handed to the caller's thread, as it was raised
            failed.append(error)

    before_stack, before_limit = threading.stack_size(), sys.getrecursionlimit()
    try:
        threading.stack_size(STACK_BYTES)
        sys.setrecursionlimit(max(before_limit, RECURSION_LIMIT))
        worker = threading.Thread(target=compare, name="triage-diff")
        worker.start()
        worker.join()
    finally:
        threading.stack_size(before_stack)
        sys.setrecursionlimit(before_limit)
    if failed:
        raise failed[0]
    return found[0]


def _diff(old: Rulebook, new: Rulebook) -> Diff:
    space = JointSpace((old, new))
    old_levels, new_levels = space.levels(old), space.levels(new)
    moves = []
    for old_id, old_f in old_levels.items():
        for new_id, new_f in new_levels.items():
            both = old_f & new_f
            count = space.count(both)
            if count:
                example = space.plainest(both, (old, new)) if old_id != new_id else {}
                moves.append(Move(old_id, new_id, count, example))
    return Diff(old, new, tuple(moves), tuple(changes(old, new)))


def _answers(q: Question) -> str:
    return f"{q.minimum}-{q.maximum}" if q.kind == "number" else ", ".join(q.values)


def changes(
    old: Rulebook, new: Rulebook, gettext: Gettext = as_written, shown: Rulebook | None = None
) -> Iterator[tuple[str, str]]:
    """Every question, rule, level and text added, removed or changed from `old` to `new`, as
    (heading, line), in the words of `gettext`; with `shown` (`new` in another language), its
    questions and texts are quoted in that language (what `old` had is quoted as it was)."""
    words = shown or new
    oq, nq, wq = old.question_by_id, new.question_by_id, words.question_by_id
    head = gettext("Questions")
    for q in new.questions:
        if q.id not in oq:
            line = gettext("added `%(id)s` (%(kind)s: %(answers)s): “%(text)s”")
            line %= {"id": q.id, "kind": q.kind, "answers": _answers(q), "text": wq[q.id].staff}
            if q.ask_when:
                line += ", " + gettext("asked when %(condition)s") % {"condition": in_words(q.ask_when, words, gettext)}
            yield head, line
    for q in old.questions:
        if q.id not in nq:
            line = gettext("removed `%(id)s` (%(kind)s: %(answers)s): “%(text)s”")
            yield head, line % {"id": q.id, "kind": q.kind, "answers": _answers(q), "text": q.staff}
    always = gettext("always")
    for q in new.questions:
        if q.id in oq:
            earlier = oq[q.id]
            if earlier.values != q.values or earlier.kind != q.kind:
                line = gettext("`%(id)s` answers %(was)s → %(now)s")
                yield head, line % {"id": q.id, "was": ", ".join(earlier.values), "now": ", ".join(q.values)}
            if earlier.section != q.section:
                line = gettext("`%(id)s` moved from section `%(was)s` to `%(now)s`")
                yield head, line % {"id": q.id, "was": earlier.section, "now": q.section}
            if earlier.ask_when != q.ask_when:
                was = in_words(earlier.ask_when, old, gettext) if earlier.ask_when else always
                now = in_words(q.ask_when, words, gettext) if q.ask_when else always
                yield head, gettext("`%(id)s` asked %(was)s → %(now)s") % {"id": q.id, "was": was, "now": now}
    head = gettext("Rules")
    orules, nrules = {r.id: r for r in old.rules}, {r.id: r for r in new.rules}
    for rule in new.rules:
        if rule.id not in orules:
            line = gettext("added `%(id)s`: if %(condition)s → %(level)s")
            yield head, line % {"id": rule.id, "condition": in_words(rule.when, words, gettext), "level": rule.level.id}
    for rule in old.rules:
        if rule.id not in nrules:
            line = gettext("removed `%(id)s`: if %(condition)s → %(level)s")
            yield head, line % {"id": rule.id, "condition": in_words(rule.when, old, gettext), "level": rule.level.id}
    for rule in new.rules:
        earlier_rule = orules.get(rule.id)
        if earlier_rule is None:
            continue
        if earlier_rule.level.id != rule.level.id:
            line = gettext("`%(id)s` level %(was)s → %(now)s")
            yield head, line % {"id": rule.id, "was": earlier_rule.level.id, "now": rule.level.id}
        if earlier_rule.when != rule.when:
            line = gettext("`%(id)s` now fires if %(condition)s (was: %(was)s)")
            yield (
                head,
                line
                % {
                    "id": rule.id,
                    "condition": in_words(rule.when, words, gettext),
                    "was": in_words(earlier_rule.when, old, gettext),
                },
            )
    head = gettext("Levels")
    for level in new.levels:
        before = old.level_by_id.get(level.id)
        if before is not None and len(before.variants) != len(level.variants):
            line = gettext("`%(id)s` has %(now)s variant(s) for an audience (was %(was)s)")
            yield head, line % {"id": level.id, "now": len(level.variants), "was": len(before.variants)}
    if shown is not None and shown.language != new.language:
        return  # the texts changed in that language are `text_changes`' (the English ones are not shown)
    for voice in VOICES:
        ob, nb = old.in_voice(voice), new.in_voice(voice)
        head = gettext("Texts changed, %(voice)s voice") % {"voice": voice}
        for where, was, now in _texts(ob, nb, gettext):
            if was != now:
                yield head, f"{where}: “{was}” → “{now}”"


def text_changes(old: Rulebook | None, new: Rulebook, gettext: Gettext = as_written) -> Iterator[tuple[str, str]]:
    """The texts changed in another language (`new.language`), voice by voice; `old` None: the
    earlier rule book had no catalog for it."""
    if old is None:
        yield (
            gettext("Texts changed, %(language)s") % {"language": new.language},
            gettext("every text is new: the earlier rule book had no %(language)s catalog")
            % {"language": new.language},
        )
        return
    for voice in VOICES:
        ob, nb = old.in_voice(voice), new.in_voice(voice)
        head = gettext("Texts changed, %(language)s, %(voice)s voice") % {"language": new.language, "voice": voice}
        for where, was, now in _texts(ob, nb, gettext):
            if was != now:
                yield head, f"{where}: “{was}” → “{now}”"


def _texts(old: Rulebook, new: Rulebook, gettext: Gettext = as_written) -> Iterator[tuple[str, str, str]]:
    yield gettext("disclaimer"), old.meta.disclaimer, new.meta.disclaimer
    fields = {
        "title": gettext("title"),
        "action": gettext("what to do"),
        "timeframe": gettext("when"),
        "visitor": gettext("message"),
        "safety_net": gettext("safety net"),
    }
    for level in new.levels:
        earlier_level = old.level_by_id.get(level.id)
        if earlier_level is not None:
            for key, name in fields.items():
                where = gettext("level `%(id)s`, %(field)s") % {"id": level.id, "field": name}
                yield where, getattr(earlier_level, key), getattr(level, key)
    oq = old.question_by_id
    for q in new.questions:
        earlier = oq.get(q.id)
        if earlier is not None:
            yield gettext("question `%(id)s`") % {"id": q.id}, earlier.text, q.text
            yield gettext("hint of `%(id)s`") % {"id": q.id}, earlier.hint or "", q.hint or ""
            yield gettext("message if missing, `%(id)s`") % {"id": q.id}, earlier.error, q.error
    orules = {r.id: r for r in old.rules}
    for rule in new.rules:
        before_rule = orules.get(rule.id)
        if before_rule is not None:
            yield gettext("reason of `%(id)s`") % {"id": rule.id}, before_rule.reason, rule.reason
