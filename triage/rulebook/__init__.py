"""The rule book: rules.yaml loaded into frozen objects, refusing a rule book with any problem in it.

`load_rulebook()` either returns a fully checked `Rulebook` or raises `RulebookError` listing every
problem as `rules.yaml:LINE: message`. Conditions are compiled here, once. The parts, by file:

- `model`: the loaded rule book (frozen dataclasses); `sign_off`: whether it is signed;
  `contract`: the answer contract's constants, the voices, levels and services, and the shapes of
  ids and versions;
- `loading`: reading a file, its sign-off, and the build in each voice;
- `reading`: the builder's ways of reading YAML (keys, words in each voice, ids);
- `meta`, `levels`, `groups`, `questions`, `logic`, `policy`: building the meta and levels, the lists
  asked together, the sections and questions, the rules and inventory, and the policy;
- `checks`: the checks over the built whole (the contract, emergencies first, reachability);
- `builder`: each part read in turn, then the whole checked.
"""

from __future__ import annotations

from triage.rulebook.checks import can_hold
from triage.rulebook.contract import (
    CONTRACT,
    EMERGENCY_QUESTIONS,
    EVERY_VOICE,
    KINDS,
    LEVEL_IDS,
    PLACEHOLDER,
    RESPONDENT,
    RESPONDENT_VOICES,
    RETIRED_ANSWERS,
    SERVICE_FIELDS,
    SERVICE_NAMES,
    SERVICE_PLACEHOLDERS,
    VOICES,
)
from triage.rulebook.loading import (
    collect_texts,
    content_sha256,
    default_rules_path,
    load_rulebook,
    parse_rulebook,
    read_sign_off,
    signature_span,
    update_catalogs,
)
from triage.rulebook.meta import booking_url_ok
from triage.rulebook.model import (
    Group,
    InventoryItem,
    Level,
    Meta,
    MinimumLevel,
    NeverLowers,
    Option,
    Policy,
    Question,
    Rule,
    Rulebook,
    Section,
    Service,
    ServiceSettings,
    Source,
)
from triage.rulebook.sign_off import DRAFT_NOTICE, SIGNATURE, Signature, SignOff
from triage.yamlsource import RulebookError

__all__ = [
    "CONTRACT",
    "DRAFT_NOTICE",
    "EMERGENCY_QUESTIONS",
    "EVERY_VOICE",
    "KINDS",
    "LEVEL_IDS",
    "PLACEHOLDER",
    "RESPONDENT",
    "RESPONDENT_VOICES",
    "RETIRED_ANSWERS",
    "SERVICE_FIELDS",
    "SERVICE_NAMES",
    "SERVICE_PLACEHOLDERS",
    "SIGNATURE",
    "VOICES",
    "Group",
    "InventoryItem",
    "Level",
    "Meta",
    "MinimumLevel",
    "NeverLowers",
    "Option",
    "Policy",
    "Question",
    "Rule",
    "Rulebook",
    "RulebookError",
    "Section",
    "Service",
    "ServiceSettings",
    "SignOff",
    "Signature",
    "Source",
    "booking_url_ok",
    "can_hold",
    "collect_texts",
    "content_sha256",
    "default_rules_path",
    "load_rulebook",
    "parse_rulebook",
    "read_sign_off",
    "signature_span",
    "update_catalogs",
]
