"""Building the sections and questions."""

from __future__ import annotations

from collections.abc import Mapping

from triage.condition_compiler import compile_condition
from triage.conditions import questions_in
from triage.rulebook.contract import KINDS, VOICES
from triage.rulebook.groups import _Groups
from triage.rulebook.model import Option, Question, Section
from triage.rulebook.reading import _QuestionDraft
from triage.yamlsource import (
    Node,
    SequenceNode,
    did_you_mean,
)


class _Questions(_Groups):
    """Reading the sections and their questions (the lists asked together: `_Groups`)."""

    def sections(self, node: Node) -> tuple[Section, ...]:
        drafts: list[tuple[str, str, list[_QuestionDraft]]] = []
        intros: dict[str, str | None] = {}
        together: dict[str, Node] = {}
        section_ids: list[tuple[str | None, Node]] = []
        for item in self.sequence(node, "sections"):
            found = self.mapping(item, self.named(item, "section"), ("id", "title", "questions"), ("intro", "together"))
            if found is None or not {"id", "title", "questions"} <= found.keys():
                continue
            section_id = self.ident(found["id"], "a section id")
            section_ids.append((section_id, found["id"]))
            title = self.voiced(found["title"], f"the title of section '{section_id}'")
            intros[section_id or ""] = self.voiced(found.get("intro"), f"the intro of section '{section_id}'")
            if "together" in found:
                together[section_id or ""] = found["together"]
            read = [self.question(q) for q in self.sequence(found["questions"], f"questions of '{section_id}'")]
            drafts.append((section_id or "", title or "", [q for q in read if q is not None]))
        self.unique(section_ids, "section id")
        all_drafts = [q for _, _, section_drafts in drafts for q in section_drafts]
        self.unique(((q.id, q.node) for q in all_drafts), "question id")
        for draft in all_drafts:
            self.question_nodes.setdefault(draft.id, draft.node)
        shapes = {q.id: q for q in all_drafts}
        order = {q.id: index for index, q in enumerate(all_drafts)}
        sections = []
        grouped: dict[str, Node] = {}
        for section_id, title, section_drafts in drafts:
            built = tuple(self.compile_question(q, section_id, shapes, order) for q in section_drafts)
            groups = self.groups(together[section_id], section_id, built, grouped) if section_id in together else ()
            sections.append(Section(section_id, title, built, intros.get(section_id), groups))
        for question in (q for s in sections for q in s.questions):
            if question.item is not None and question.id not in grouped:
                self.problems.add(
                    self.question_nodes[question.id],
                    f"question '{question.id}' has an 'item' but is in no 'together' list of its section",
                )
        return tuple(sections)

    def question(self, node: Node) -> _QuestionDraft | None:
        found = self.mapping(
            node,
            self.named(node, "question"),
            ("id", "type", "text", "error"),
            ("hint", "options", "ask_when", "required", "minimum", "maximum", "range_error", "item", "voices"),
        )
        if found is None or "id" not in found or "type" not in found:
            return None
        qid = self.ident(found["id"], "a question id")
        what = f"question '{qid}'"
        kind = self.scalar(found["type"])
        if kind not in KINDS:
            self.problems.add(
                found["type"], f"unknown type '{kind}' of {what}{did_you_mean(kind, KINDS)}; types: {', '.join(KINDS)}"
            )
            return None
        fields: dict[str, object] = {
            key: self.voiced(found.get(key), f"the {key} of {what}") for key in ("text", "error", "hint", "item")
        }
        fields["staff"] = self.voiced(found.get("text"), f"the text of {what}", voice="staff")
        values: tuple[str, ...] = ()
        if kind == "yes_no":
            fields["options"] = self.yes_no
            values = ("yes", "no")
        if kind in ("choice", "multi"):
            options = self.options(found.get("options"), node, what)
            fields["options"] = options
            values = tuple(o.value for o in options)
        elif "options" in found:
            self.problems.add(found["options"], f"{what} is a {kind} question and takes no options")
        if kind == "number":
            for key in ("minimum", "maximum"):
                value = self.scalar(found[key]) if key in found else None
                if not isinstance(value, int) or isinstance(value, bool):
                    self.problems.add(found.get(key, node), f"{what} needs a whole-number '{key}'")
                fields[key] = value
            if "range_error" not in found:
                self.problems.add(node, f"{what} needs a 'range_error' message")
            fields["range_error"] = self.voiced(found.get("range_error"), f"the range_error of {what}")
        else:
            for key in ("minimum", "maximum", "range_error"):
                if key in found:
                    self.problems.add(found[key], f"'{key}' only applies to number questions")
        if "required" in found:
            required = self.scalar(found["required"])
            if not isinstance(required, bool):
                self.problems.add(found["required"], "'required' must be true or false")
            fields["required"] = required is not False
        if "voices" in found:
            voices = [self.scalar(v) for v in self.sequence(found["voices"], f"the voices of {what}")]
            if not voices or not all(v in VOICES for v in voices) or len(set(voices)) != len(voices):
                self.problems.add(
                    found["voices"], f"the voices of {what} must be some of {', '.join(VOICES)}, each once"
                )
            else:
                ordered_voices = tuple(v for v in VOICES if v in voices)
                fields["voices"] = ordered_voices
                fields["in_voice"] = self.voice in ordered_voices
        if qid is None:
            return None
        return _QuestionDraft(node, qid, str(kind), values, fields, found.get("ask_when"))

    def options(self, node: Node | None, owner: Node, what: str) -> tuple[Option, ...]:
        if node is None:
            self.problems.add(owner, f"{what} needs 'options'")
            return ()
        options: list[tuple[Option, Node]] = []
        for item in self.sequence(node, f"the options of {what}"):
            found = self.mapping(item, f"an option of {what}", ("value", "label"), ("replaces",))
            if found and {"value", "label"} <= found.keys():
                value = self.ident(found["value"], f"an option value of {what}")
                label = self.voiced(found["label"], f"an option label of {what}")
                replaces = tuple(
                    self.ident(old, f"an answer that an option of {what} replaces") or ""
                    for old in (self.sequence(found["replaces"], f"what an option of {what} replaces")
                                if "replaces" in found else ())
                )  # fmt: skip
                if value and label:
                    options.append((Option(value, label, replaces), found["value"]))
        self.unique(((o.value, n) for o, n in options), f"option of {what}")
        if len(options) < 2 and isinstance(node, SequenceNode) and node.value:
            self.problems.add(node, f"{what} needs at least two options")
        return tuple(o for o, _ in options)

    def compile_question(
        self, draft: _QuestionDraft, section: str, shapes: Mapping[str, _QuestionDraft], order: Mapping[str, int]
    ) -> Question:
        ask_when = None
        if draft.ask_when is not None:
            ask_when = compile_condition(draft.ask_when, shapes, self.problems)
            for other in sorted(questions_in(ask_when) if ask_when else ()):
                if order[other] >= order[draft.id]:
                    self.problems.add(
                        draft.ask_when,
                        f"ask_when of '{draft.id}' refers to '{other}', which is not asked before it; "
                        "a follow-up can only depend on earlier questions",
                    )
        # Missing texts were already reported; empty ones keep the build going to find more problems.
        fields = {"text": "", "staff": "", "error": "", **{k: v for k, v in draft.fields.items() if v is not None}}
        return Question(id=draft.id, kind=draft.kind, section=section, ask_when=ask_when, **fields)  # type: ignore[arg-type]
