"""Building a section's `together` lists: yes/no questions asked as one "do any of these apply?"."""

from __future__ import annotations

from collections.abc import Mapping

from triage.conditions import questions_in
from triage.rulebook.contract import VOICES
from triage.rulebook.levels import _Levels
from triage.rulebook.model import Group, Question
from triage.yamlsource import Node, did_you_mean


class _Groups(_Levels):
    """Reading the lists of questions a page asks together."""

    def groups(
        self, node: Node, section_id: str, questions: tuple[Question, ...], grouped: dict[str, Node]
    ) -> tuple[Group, ...]:
        """A section's `together` lists: yes/no questions asked as one "do any of these apply?"."""
        on_page = {q.id: q for q in questions}
        position = {q.id: i for i, q in enumerate(questions)}
        # A question that reveals a follow-up on this page is answered with its own yes and no.
        triggers = {t for q in questions if q.ask_when is not None for t in questions_in(q.ask_when)}
        groups = []
        for item in self.sequence(node, f"the together lists of section '{section_id}'"):
            what = self.named(item, "together list")
            found = self.mapping(item, what, ("id", "questions", "text", "none", "error"), ("hint",))
            if found is None or not {"id", "questions", "text", "none", "error"} <= found.keys():
                continue
            group_id = self.ident(found["id"], "a together list id")
            if group_id in self.question_nodes:
                self.problems.add(found["id"], f"together list id '{group_id}' is also a question id")
            ids: list[str] = []
            entries = self.sequence(found["questions"], f"the questions of {what}")
            if len(entries) == 1:
                self.problems.add(found["questions"], f"{what} needs at least two questions")
            for entry in entries:
                qid = self._member(entry, what, section_id, on_page, triggers, grouped)
                if qid is not None:
                    ids.append(qid)
                    grouped[qid] = entry
            ordered = sorted(ids, key=position.__getitem__)
            conditions = {on_page[q].ask_when for q in ordered}
            if len(conditions) > 1:
                self.problems.add(
                    found["questions"],
                    f"the questions of {what} must all be asked when the same: give them one ask_when",
                )
            spots = [position[q] for q in ordered]
            if spots and spots[-1] - spots[0] + 1 != len(spots):
                self.problems.add(
                    found["questions"], f"the questions of {what} must come one after another in the section"
                )
            texts = {k: self.voiced(found.get(k), f"the {k} of {what}") for k in ("text", "none", "error", "hint")}
            if group_id and len(ids) >= 2 and texts["text"] and texts["none"] and texts["error"]:
                when = on_page[ordered[0]].ask_when
                groups.append(
                    Group(group_id, tuple(ordered), texts["text"], texts["none"], texts["error"], texts["hint"], when)
                )
        return tuple(groups)

    def _member(
        self,
        entry: Node,
        what: str,
        section_id: str,
        on_page: Mapping[str, Question],
        triggers: set[str],
        grouped: Mapping[str, Node],
    ) -> str | None:
        """The question an entry of a together list names, when it can be in the list; None (with
        the problem added) when it cannot."""
        read = self.scalar(entry)
        qid = read if isinstance(read, str) else str(read)
        question = on_page.get(qid)
        if question is None:
            self.problems.add(
                entry,
                f"'{qid}' in {what} is not a question of section '{section_id}'{did_you_mean(qid, on_page)}",
            )
        elif qid in grouped:
            self.problems.add(entry, f"question '{qid}' is in two together lists")
        elif (
            question.kind != "yes_no"
            or qid in triggers
            or question.voices != VOICES
            or (question.ask_when is not None and questions_in(question.ask_when) & on_page.keys())
        ):
            self.problems.add(
                entry,
                f"question '{qid}' cannot be in {what}: only yes/no questions asked in every voice, that "
                "reveal no follow-up and are not follow-ups of a question on the same page, can be",
            )
        elif question.item is None:
            self.problems.add(entry, f"question '{qid}' is in {what} and needs an 'item': its words in the list")
        else:
            return qid
        return None
