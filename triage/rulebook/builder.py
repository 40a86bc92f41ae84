"""The rule book's builder: each part read in turn, then the whole checked."""

from __future__ import annotations

from types import MappingProxyType

from triage.rulebook.checks import _Checks
from triage.rulebook.model import (
    Policy,
    Rulebook,
)
from triage.rulebook.sign_off import SIGNATURE
from triage.yamlsource import (
    Node,
)


class Builder(_Checks):
    """Builds one voice of a rule book from its YAML, reporting every problem with its line."""

    def build(self, root: Node) -> Rulebook | None:
        required = ("meta", "levels", "sections", "rules", "inventory")
        top = self.mapping(
            root, "the rule book", required if self.earlier else (*required, "policy"), ("policy", SIGNATURE)
        )
        if top is None:
            return None
        meta = self.meta(top["meta"]) if "meta" in top else None
        levels = self.levels(top["levels"]) if "levels" in top else {}
        sections = self.sections(top["sections"]) if "sections" in top else ()
        questions = {q.id: q for s in sections for q in s.questions}
        inventory_refs = self.inventory_refs(top["inventory"]) if "inventory" in top else set()
        known_refs = inventory_refs | {s.id for s in meta.sources} if meta else inventory_refs
        self.level_variants(levels, questions)
        rules = self.rules(top["rules"], levels, questions, known_refs) if "rules" in top else {}
        inventory = self.inventory(top["inventory"], rules) if "inventory" in top else ()
        policy = self.policy(top["policy"], levels, questions, known_refs) if "policy" in top else None
        if policy is None and self.earlier:
            policy = Policy((), (), MappingProxyType({}), frozenset())
        if "sections" in top and not self.earlier:
            self.check_contract({q.id: q for s in sections for q in s.questions}, sections, top["sections"])
        if self.problems.found or meta is None or policy is None:
            return None
        rulebook = Rulebook(
            meta, tuple(levels.values()), sections, tuple(rules.values()), inventory, policy, self.problems.file
        )
        self.check_emergencies_first(rulebook)
        self.check_reachable(rulebook, top)
        return rulebook
