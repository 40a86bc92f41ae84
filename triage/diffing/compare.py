"""Two rule books compared over the whole answer space: how many answer sets move from each old
level to each new level, with the plainest example of each move, and the changes in words."""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from triage.diffing.plainest import plainest
from triage.diffing.space import JointSpace
from triage.diffing.words import changes
from triage.rulebook import Rulebook


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
                example = plainest(space, both, (old, new)) if old_id != new_id else {}
                moves.append(Move(old_id, new_id, count, example))
    return Diff(old, new, tuple(moves), tuple(changes(old, new)))
