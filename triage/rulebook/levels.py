"""Building the rule book's levels, with their variants and after-hours words."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from triage.condition_compiler import compile_condition
from triage.rulebook.contract import LEVEL_IDS, SERVICE_NAMES
from triage.rulebook.meta import _Meta
from triage.rulebook.model import Level, Question
from triage.yamlsource import (
    Node,
    SequenceNode,
    did_you_mean,
)


class _Levels(_Meta):
    """Reading the levels, with their variants and after-hours words."""

    LEVEL_TEXTS = ("title", "action", "timeframe", "message", "safety_net", "where")

    def levels(self, node: Node) -> dict[str, Level]:
        needed = tuple(key for key in self.LEVEL_TEXTS if key != "where" or not self.earlier)
        items = self.sequence(node, "levels")
        levels: dict[str, Level] = {}
        ids: list[tuple[str | None, Node]] = []
        for index, item in enumerate(items):
            optional = ("variants", "contacts", "after_hours", *(() if needed == self.LEVEL_TEXTS else ("where",)))
            found = self.mapping(item, self.named(item, "level"), ("id", *needed), optional)
            if found is None or "id" not in found:
                continue
            level_id = self.ident(found["id"], "a level id")
            ids.append((level_id, found["id"]))
            texts = self.level_texts(found, f"level '{level_id}'")
            contacts = self.contacts(found.get("contacts"), f"level '{level_id}'")
            if level_id and level_id not in levels and all(texts.get(key) for key in needed):
                level = self.level(level_id, len(items) - index, texts, contacts)
                levels[level_id] = self.with_after_hours(level, found.get("after_hours"), f"level '{level_id}'")
                if "variants" in found:
                    self.level_variant_nodes[level_id] = found["variants"]
        self.unique(ids, "level id")
        if tuple(i for i, _ in ids) != LEVEL_IDS and items:
            self.problems.add(node, f"levels must be {', '.join(LEVEL_IDS)}, most urgent first, in that order")
        return levels

    def with_after_hours(self, level: Level, node: Node | None, what: str) -> Level:
        """`level` with its after-hours words: the texts given under `after_hours` replace its own."""
        if node is None:
            return level
        found = self.mapping(node, f"the after_hours words of {what}", (), (*self.LEVEL_TEXTS, "contacts"))
        if not found:
            self.problems.add(node, f"the after_hours words of {what} must replace at least one text")
            return level
        texts = self.level_texts(found, f"the after_hours words of {what}")
        base = {k: getattr(level, k) for k in ("title", "action", "timeframe", "safety_net", "where")}
        base |= {"message": level.visitor, "staff_script": level.staff_script}
        contacts = self.contacts(found.get("contacts"), what) if "contacts" in found else level.contacts
        words = self.level(level.id, level.rank, base | {k: v for k, v in texts.items() if v}, contacts)
        return dataclasses.replace(level, after_hours=words)

    def level_texts(self, found: Mapping[str, Node], what: str) -> dict[str, str | None]:
        texts = {key: self.voiced(found[key], f"the {key} of {what}") for key in self.LEVEL_TEXTS if key in found}
        if "message" in found:
            texts["staff_script"] = self.voiced(found["message"], f"the message of {what}", voice="staff")
        return texts

    def contacts(self, node: Node | None, what: str) -> tuple[str, ...]:
        """The services a level's result shows (ids from SERVICE_NAMES); none when not given."""
        if node is None:
            return ()
        if isinstance(node, SequenceNode) and not node.value:
            return ()
        contacts = []
        for item in self.sequence(node, f"the contacts of {what}"):
            sid = self.scalar(item)
            if sid not in SERVICE_NAMES:
                self.problems.add(
                    item,
                    f"unknown service '{sid}' in the contacts of {what}{did_you_mean(sid, SERVICE_NAMES)}; "
                    f"known: {', '.join(SERVICE_NAMES)}",
                )
            else:
                contacts.append(str(sid))
        self.unique(((c, n) for c, n in zip(contacts, node.value, strict=False)), f"contact in {what}")
        return tuple(contacts)

    @staticmethod
    def level(level_id: str, rank: int, texts: Mapping[str, str | None], contacts: tuple[str, ...]) -> Level:
        return Level(
            level_id,
            rank,
            title=texts["title"] or "",
            action=texts["action"] or "",
            timeframe=texts["timeframe"] or "",
            visitor=texts["message"] or "",
            staff_script=texts["staff_script"] or "",
            safety_net=texts["safety_net"] or "",
            where=texts.get("where") or "",
            contacts=contacts,
        )

    def level_variants(self, levels: dict[str, Level], questions: Mapping[str, Question]) -> None:
        """Each level's variants: a condition, and the texts that replace the level's own when it
        holds (the others are kept). Read once the questions are known, for the conditions."""
        for level_id, node in self.level_variant_nodes.items():
            level = levels[level_id]
            variants = []
            for item in self.sequence(node, f"the variants of level '{level_id}'"):
                found = self.mapping(
                    item, f"a variant of level '{level_id}'", ("when",), (*self.LEVEL_TEXTS, "contacts", "after_hours")
                )
                if found is None or "when" not in found:
                    continue
                when = compile_condition(found["when"], questions, self.problems)
                texts = self.level_texts(found, f"a variant of level '{level_id}'")
                contacts = self.contacts(found.get("contacts"), f"a variant of level '{level_id}'")
                if not found.keys() - {"when", "after_hours"}:
                    self.problems.add(item, f"a variant of level '{level_id}' must replace at least one text")
                base = {k: getattr(level, k) for k in ("title", "action", "timeframe", "safety_net", "where")}
                base |= {"message": level.visitor, "staff_script": level.staff_script}
                if when is not None:
                    kept = contacts if "contacts" in found else level.contacts
                    words = self.level(level_id, level.rank, base | texts, kept)
                    after = found.get("after_hours")
                    variants.append((when, self.with_after_hours(words, after, f"a variant of level '{level_id}'")))
            levels[level_id] = dataclasses.replace(level, variants=tuple(variants))
