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

from triage.diffing.compare import Diff, Move, diff
from triage.diffing.earlier import load_any
from triage.diffing.words import changes, text_changes

__all__ = ["Diff", "Move", "changes", "diff", "load_any", "text_changes"]
