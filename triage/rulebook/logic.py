"""Building the rules and the red-flag inventory (the policy: `triage.rulebook.policy`)."""

from __future__ import annotations

from collections.abc import Mapping

from triage.condition_compiler import compile_condition
from triage.rulebook.contract import _REF, CLINICIANS
from triage.rulebook.model import InventoryItem, Level, Question, Rule
from triage.rulebook.questions import _Questions
from triage.yamlsource import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    did_you_mean,
    line_of,
)


class _Logic(_Questions):
    """Reading the rules and the red-flag inventory."""

    def rules(
        self, node: Node, levels: Mapping[str, Level], questions: Mapping[str, Question], refs: set[str]
    ) -> dict[str, Rule]:
        rules: dict[str, Rule] = {}
        ids: list[tuple[str | None, Node]] = []
        for item in self.sequence(node, "rules"):
            found = self.mapping(
                item,
                self.named(item, "rule"),
                ("id", "level", "when", "reason", "source", *(() if self.earlier else ("say",))),
                ("advice", "contacts", *(("say",) if self.earlier else ())),
            )
            if found is None or "id" not in found:
                continue
            rule_id = self.ident(found["id"], "a rule id")
            ids.append((rule_id, found["id"]))
            self.declared_rules.add(str(rule_id))
            what = f"rule '{rule_id}'"
            level_id = self.scalar(found["level"]) if "level" in found else None
            if "level" in found and level_id not in levels:
                self.problems.add(
                    found["level"], f"unknown level '{level_id}' in {what}{did_you_mean(level_id, levels)}"
                )
            when = compile_condition(found["when"], questions, self.problems) if "when" in found else None
            reason = self.voiced(found.get("reason"), f"the reason of {what}")
            advice = self.voiced(found.get("advice"), f"the advice of {what}")
            say = self.voiced(found.get("say"), f"what to say for {what}")
            source = self.source(found.get("source"), what, refs)
            contacts = self.contacts(found.get("contacts"), what)
            if rule_id and isinstance(level_id, str) and level_id in levels and when and reason and source:
                level = levels[level_id]
                rule = Rule(rule_id, level, when, reason, source, advice, say or "", line_of(item), contacts)
                rules.setdefault(rule_id, rule)
        self.unique(ids, "rule id")
        return rules

    def source(self, node: Node | None, what: str, refs: set[str]) -> tuple[str, ...]:
        if node is None:
            return ()
        cited = []
        for item in self.sequence(node, f"the source of {what}"):
            ref = self.scalar(item)
            if ref not in refs and self.sources_read:
                self.problems.add(
                    item,
                    f"{what} cites unknown source '{ref}'{did_you_mean(ref, refs)}; "
                    "cite an inventory ref or a source id from meta.sources",
                )
            elif ref in refs:
                cited.append(str(ref))
        return tuple(cited)

    def inventory_refs(self, node: Node) -> set[str]:
        refs = set()
        for item in node.value if isinstance(node, SequenceNode) else ():
            if isinstance(item, MappingNode):
                for key, value in item.value:
                    if isinstance(key, ScalarNode) and key.value == "ref" and isinstance(value, ScalarNode):
                        refs.add(value.value)
        return refs

    def inventory(self, node: Node, rules: Mapping[str, Rule]) -> tuple[InventoryItem, ...]:
        items: list[InventoryItem] = []
        refs: list[tuple[str | None, Node]] = []
        for item in self.sequence(node, "inventory"):
            found = self.mapping(
                item, self.named(item, "inventory item", "ref"), ("ref", "statement"), ("rules", "not_asked")
            )
            if found is None or "ref" not in found:
                continue
            ref = self.ident(found["ref"], "an inventory ref", _REF)
            refs.append((ref, found["ref"]))
            statement = self.text(found.get("statement"), f"the statement of {ref}", words=CLINICIANS)
            not_asked = self.text(found.get("not_asked"), f"not_asked of {ref}", words=CLINICIANS)
            listed: list[str] = []
            if ("rules" in found) == ("not_asked" in found):
                self.problems.add(
                    item,
                    f"inventory item {ref} needs either 'rules' (the rules that implement it) "
                    "or 'not_asked' (why self-screening does not ask it), not both or neither",
                )
            for rule_node in self.sequence(found["rules"], f"the rules of {ref}") if "rules" in found else ():
                rule_id = str(self.scalar(rule_node))
                if rule_id in self.declared_rules - rules.keys():
                    continue  # the rule itself is broken, and reported where it is
                if rule_id not in rules:
                    self.problems.add(
                        rule_node, f"inventory item {ref} lists unknown rule '{rule_id}'{did_you_mean(rule_id, rules)}"
                    )
                elif ref not in rules[rule_id].source:
                    self.problems.add(
                        rule_node, f"inventory item {ref} lists rule '{rule_id}', which does not cite {ref}"
                    )
                else:
                    listed.append(rule_id)
            if ref:
                for rule in rules.values():
                    if ref in rule.source and rule.id not in listed and "rules" in found:
                        self.problems.add(
                            found["rules"], f"rule '{rule.id}' cites {ref}, but inventory item {ref} does not list it"
                        )
            items.append(InventoryItem(ref or "", statement or "", tuple(listed), not_asked))
        self.unique(refs, "inventory ref")
        return tuple(items)
