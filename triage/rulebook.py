"""Load rules.yaml into frozen objects, refusing a rule book with any problem in it.

`load_rulebook()` either returns a fully checked `Rulebook` or raises `RulebookError` listing
every problem as `rules.yaml:LINE: message`. Conditions are compiled here, once.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import itertools
import re
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from triage.conditions import Compare, Condition, compile_condition, questions_in, walk
from triage.hours import HoursError, OpeningHours, parse_hours
from triage.yamlsource import (
    MAX_BYTES,
    MappingNode,
    Node,
    Problem,
    Problems,
    RulebookError,
    ScalarNode,
    SequenceNode,
    Unreadable,
    compose,
    did_you_mean,
    line_of,
    scalar_value,
)

__all__ = ["Group", "Level", "Option", "Question", "Rule", "Rulebook", "RulebookError", "load_rulebook"]

KINDS = ("yes_no", "choice", "multi", "number")
# Every text a person reads is written in three voices: to the person themselves, to someone
# answering for another person, and for staff reading the questions on the phone. `every_voice`
# says the words are the same in all three (a label such as "Arms").
VOICES = ("self", "other", "staff")
EVERY_VOICE = "every_voice"
LEVEL_IDS = ("emergency", "urgent", "soon", "routine")
PLACEHOLDER = "emergency_number"
# The local services a result can point to, each with a neutral name by default. A rule book's
# `meta.services` names them for its clinic, and a deployment's TRIAGE_* settings override that.
SERVICE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "clinic": "This clinic",
        "family_doctor": "Family doctor's office",
        "urgent_care": "Urgent care or after-hours clinic",
        "nurse_line": "Nurse line",
        "care_team": "ALS/MND care team",
        "crisis_line": "Suicide Crisis Helpline",
    }
)
# Placeholders a text may hold besides {emergency_number}: a local service's phone number, so that
# a clinic's own number (a TRIAGE_* setting) reaches every text that names it.
SERVICE_PLACEHOLDERS: Mapping[str, str] = MappingProxyType({"nurse_line": "nurse_line", "crisis_line": "crisis_line"})
SERVICE_FIELDS = ("name", "phone", "booking_url")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{1,24}$")
_BOOKING_URL = re.compile(r"^https?://[^\s\"'<>\\]+$")

# The question ids and answer values that the web form, the API and outside systems rely on.
# A rule book may add questions, but these must exist exactly as written.
CONTRACT: Mapping[str, tuple[str, tuple[str, ...]]] = MappingProxyType(
    {
        "breathing_now": ("yes_no", ("yes", "no")),
        "choking_now": ("yes_no", ("yes", "no")),
        "chest_pain": ("yes_no", ("yes", "no")),
        "sudden_symptoms": ("yes_no", ("yes", "no")),
        "sudden_headache": ("yes_no", ("yes", "no")),
        "drowsy_confused": ("yes_no", ("yes", "no")),
        "fever_stiff_neck": ("yes_no", ("yes", "no")),
        "fall_injury": ("yes_no", ("yes", "no")),
        "bladder_bowel": ("yes_no", ("yes", "no")),
        "self_harm_now": ("yes_no", ("yes", "no")),
        "known_diagnosis": ("yes_no", ("yes", "no")),
        "sudden_symptoms_gone": ("choice", ("no", "last_7_days", "earlier")),
        "breathing_machine_problem": ("yes_no", ("yes", "no")),
        "feeding_tube_problem": ("yes_no", ("yes", "no")),
        "bowel_blocked": ("yes_no", ("yes", "no")),
        "breathlessness": ("choice", ("none", "exertion", "lying_flat", "at_rest")),
        "morning_headaches": ("yes_no", ("yes", "no")),
        "swallowing": ("yes_no", ("yes", "no")),
        "choking_episodes": ("yes_no", ("yes", "no")),
        "speech": ("yes_no", ("yes", "no")),
        "chest_infection": ("yes_no", ("yes", "no")),
        "weakness": ("yes_no", ("yes", "no")),
        "weakness_where": ("multi", ("arms", "hands", "legs", "face_neck")),
        "weakness_side": ("choice", ("one_side", "both_sides", "unsure")),
        "trouble_walking": ("yes_no", ("yes", "no")),
        "dropping_objects": ("yes_no", ("yes", "no")),
        "calf_swelling": ("yes_no", ("yes", "no")),
        "symptom_course": (
            "choice",
            (
                "sudden_recent",
                "sudden_earlier",
                "worse_over_days",
                "worse_over_weeks_months",
                "not_getting_worse",
                "same_for_years",
            ),
        ),
        "worse_with_tiredness": ("yes_no", ("yes", "no")),
        "double_vision": ("yes_no", ("yes", "no")),
        "weight_loss": ("choice", ("none", "some", "significant")),
        "twitching": ("yes_no", ("yes", "no")),
        "cramps": ("yes_no", ("yes", "no")),
        "numbness": ("yes_no", ("yes", "no")),
        "family_history": ("choice", ("yes", "no", "unsure")),
        "self_harm_thoughts": ("yes_no", ("yes", "no")),
        "low_mood": ("yes_no", ("yes", "no")),
        "carer_coping": ("yes_no", ("yes", "no")),
        "other_worry": ("yes_no", ("yes", "no")),
    }
)
EMERGENCY_QUESTIONS = (
    "breathing_now",
    "choking_now",
    "chest_pain",
    "sudden_symptoms",
    "sudden_headache",
    "drowsy_confused",
    "fever_stiff_neck",
    "fall_injury",
    "bladder_bowel",
    "self_harm_now",
)
# Who is answering: chosen on the start page (or given to the API), not a question of the rule book.
# It decides the voice the pages and the API speak in; it never changes a level.
RESPONDENT = "respondent"
RESPONDENT_VOICES: Mapping[str, str] = MappingProxyType({"self": "self", "someone_else": "other"})
# Answers of earlier contract versions that are still accepted, and ignored.
RETIRED_ANSWERS = frozenset({"age"})

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_REF = re.compile(r"^[A-Z][A-Z0-9-]*$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")
_FIELD = re.compile(r"\{([^{}]*)\}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not tab or line breaks, which are folded


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    # Answers of an earlier rule book that this option takes the place of, in part or whole (so
    # that `triage diff` can follow a person from the old answer to the new one).
    replaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    section: str
    text: str
    staff: str
    error: str
    hint: str | None = None
    options: tuple[Option, ...] = ()
    required: bool = True
    ask_when: Condition | None = None
    minimum: int | None = None
    maximum: int | None = None
    range_error: str | None = None
    item: str | None = None  # its words as one item of a "do any of these apply?" list (see Group)
    # The voices it is asked in (a question for carers is asked only of someone answering for
    # another person), and whether this rule book's voice is one of them.
    voices: tuple[str, ...] = VOICES
    in_voice: bool = True

    def asked(self, answers: Mapping[str, object]) -> bool:
        """Whether the question is asked, given the answers so far (and this rule book's voice)."""
        return self.in_voice and (self.ask_when is None or self.ask_when.holds(answers))  # type: ignore[arg-type]

    @cached_property
    def values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)

    @cached_property
    def choices(self) -> frozenset[str]:
        """The answers a single-choice question (yes/no or choice) takes as they are; none for others."""
        return frozenset(self.values) if self.kind in ("yes_no", "choice") else frozenset()

    def label(self, value: str) -> str:
        return next(option.label for option in self.options if option.value == value)


@dataclass(frozen=True)
class Service:
    """A local service a result points to: its name, and how to reach it where that is known."""

    id: str
    name: str
    phone: str | None = None
    booking_url: str | None = None
    # What a result says of the service when no phone or booking link is set (for example "Use the
    # number you have for this office."); without it, such a service is not listed.
    no_number: str | None = None

    @property
    def tel(self) -> str | None:
        """The phone number as a `tel:` link wants it: digits and a leading +."""
        return re.sub(r"[^0-9+]", "", self.phone) if self.phone else None


@dataclass(frozen=True)
class Group:
    """Yes/no questions of one page asked together, as telephone and online triage services do:
    "Do any of these apply?", each question an item to tick, and an explicit "none of these".
    Ticked items are answered yes, the others no; the answers are those of the questions."""

    id: str
    questions: tuple[str, ...]  # question ids, in the page's order
    text: str
    none: str  # the label of "none of these"
    error: str  # when nothing is ticked
    hint: str | None = None
    # When the whole list is asked (the same for every question in it; it depends on earlier pages
    # only, such as the care problems asked of people already diagnosed). None: always.
    ask_when: Condition | None = None


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]
    intro: str | None = None
    groups: tuple[Group, ...] = ()

    @cached_property
    def group_of(self) -> Mapping[str, Group]:
        """The group each grouped question of this section is in, by question id."""
        return MappingProxyType({qid: group for group in self.groups for qid in group.questions})


@dataclass(frozen=True)
class Level:
    id: str
    rank: int  # higher is more urgent
    title: str
    action: str
    timeframe: str
    visitor: str  # the message, in this rule book's voice
    staff_script: str  # the message in the staff's voice
    safety_net: str
    where: str = ""  # where to go and by when, in one sentence
    contacts: tuple[str, ...] = ()  # the services (ids) to show with their phone and booking link
    # Texts for a particular audience: the first whose condition holds replaces this level's texts
    # (the same level: only the words change).
    variants: tuple[tuple[Condition, Level], ...] = ()
    # The same level in the words for outside the clinic's opening hours (what can be done now),
    # where the rule book gives them; None: the same words at any hour.
    after_hours: Level | None = None

    def at(self, after_hours: bool) -> Level:
        """These words, or their after-hours ones when the clinic is closed and there are some."""
        return self.after_hours if after_hours and self.after_hours is not None else self

    def for_answers(self, answers: Mapping[str, object]) -> Level:
        """This level, in the words of the first variant whose condition the answers meet."""
        for when, variant in self.variants:
            if when.holds(answers):  # type: ignore[arg-type]
                return variant
        return self


@dataclass(frozen=True)
class Rule:
    id: str
    level: Level
    when: Condition
    reason: str
    source: tuple[str, ...]
    advice: str | None = None
    say: str = ""  # what the person can say when they call, in their own words
    line: int = field(default=0, compare=False)  # where it is in the rule book
    contacts: tuple[str, ...] = ()  # services the result lists when this rule fires, besides the level's


@dataclass(frozen=True)
class MinimumLevel:
    """A row of the clinical policy: whenever `when` holds, the level is at least `at_least`."""

    id: str
    says: str
    when: Condition
    at_least: Level
    source: tuple[str, ...]
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class NeverLowers:
    """A row of the clinical policy: answering `answer` to `question`, instead of anything else,
    never lowers the level."""

    id: str
    says: str
    question: str
    answer: str
    source: tuple[str, ...]
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Policy:
    """The clinical policy as statements that `triage verify` proves over every answer set."""

    minimum_levels: tuple[MinimumLevel, ...]
    never_lower: tuple[NeverLowers, ...]
    # For "adding a problem never lowers the level": each question's answers in ranks, least
    # concerning first (answers of equal rank together). Yes/no questions are no, then yes; a
    # choice question not listed has no order; a multiple choice is ordered by what is chosen.
    problem_order: Mapping[str, tuple[frozenset[str], ...]]
    # Answers that say who the person is, not how they are: held fixed when problems are added.
    context: frozenset[str]
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class InventoryItem:
    ref: str
    statement: str
    rules: tuple[str, ...] = ()
    not_asked: str | None = None


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    url: str | None = None


@dataclass(frozen=True)
class Meta:
    title: str
    version: str
    reviewed_by: str
    reviewed_on: str
    emergency_number: str
    disclaimer: str
    answer_labels: Mapping[str, str]
    messages: Mapping[str, str]
    sources: tuple[Source, ...]
    services: Mapping[str, Service] = field(default_factory=lambda: MappingProxyType({}))
    opening_hours: OpeningHours | None = None  # the clinic's, for the words used when it is closed


@dataclass(frozen=True)
class Signature:
    """Who signed the rule book for the clinic, when, and the SHA-256 of what they signed (the
    rule book's text without its signature block)."""

    by: str
    on: str  # an ISO 8601 date and time, with its UTC offset
    sha256: str


DRAFT_NOTICE = "Draft: not yet reviewed by a clinician"


@dataclass(frozen=True)
class SignOff:
    """The rule book's sign-off status: signed, a draft, or changed since it was signed."""

    status: str  # signed | draft | changed
    signature: Signature | None
    content_sha256: str

    @property
    def signed(self) -> bool:
        return self.status == "signed"

    @property
    def summary(self) -> str:
        if self.status == "signed" and self.signature:
            return f"signed by {self.signature.by} on {self.signature.on}"
        if self.status == "changed" and self.signature:
            return f"DRAFT: changed since it was signed by {self.signature.by} on {self.signature.on}"
        return "DRAFT: not signed"

    @property
    def notice(self) -> str | None:
        """What every result says while the rule book is not signed (None once it is)."""
        return None if self.signed else DRAFT_NOTICE


@dataclass(frozen=True)
class Rulebook:
    meta: Meta
    levels: tuple[Level, ...]  # most urgent first
    sections: tuple[Section, ...]
    rules: tuple[Rule, ...]
    inventory: tuple[InventoryItem, ...]
    policy: Policy
    file: str = field(default="rules.yaml", compare=False)
    sign_off: SignOff = field(default=SignOff("draft", None, ""), compare=False)
    voice: str = "self"
    # The same rule book in each voice (this one among them), by voice.
    voices: Mapping[str, Rulebook] = field(default_factory=dict, compare=False, repr=False)

    def in_voice(self, voice: str) -> Rulebook:
        return self.voices.get(voice, self)

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for section in self.sections for q in section.questions)

    @cached_property
    def question_by_id(self) -> Mapping[str, Question]:
        return MappingProxyType({q.id: q for q in self.questions})

    @cached_property
    def groups(self) -> tuple[Group, ...]:
        return tuple(group for section in self.sections for group in section.groups)

    @cached_property
    def section_by_id(self) -> Mapping[str, Section]:
        return MappingProxyType({section.id: section for section in self.sections})

    @cached_property
    def level_by_id(self) -> Mapping[str, Level]:
        return MappingProxyType({level.id: level for level in self.levels})

    @property
    def top_level(self) -> Level:
        return self.levels[0]

    @property
    def lowest_level(self) -> Level:
        return self.levels[-1]


def booking_url_ok(url: str) -> bool:
    """An http(s) address a person can follow: a host, no user name or password, a valid port, and
    no control characters, written or percent-encoded."""
    if not _BOOKING_URL.match(url) or re.search(r"%(?:[01][0-9a-f]|7f)", url, re.IGNORECASE):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    no_user = "@" not in parts.netloc
    return parts.scheme in ("http", "https") and bool(parts.hostname) and no_user and port != 0


def default_rules_path() -> Path:
    """The rule book shipped with the package (wheel), or the checkout's top-level rules.yaml."""
    packaged = Path(__file__).with_name("rules.yaml")
    return packaged if packaged.is_file() else Path(__file__).resolve().parent.parent / "rules.yaml"


ServiceSettings = tuple[tuple[str, str, str], ...]  # (service id, field, value): a deployment's settings


def load_rulebook(
    path: str | Path | None = None, *, emergency_number: str | None = None, services: ServiceSettings = ()
) -> Rulebook:
    """Load and check a rule book; raise RulebookError listing every problem.

    `emergency_number` replaces the rule book's own number, and `services` the names, phones and
    booking links of its local services (deployment settings).
    """
    source = Path(path) if path is not None else default_rules_path()
    shown = str(path) if path is not None else "rules.yaml"
    try:
        with source.open("rb") as file:
            data = file.read(MAX_BYTES + 1)  # no further: a huge file is refused without reading it all
        if len(data) > MAX_BYTES:
            raise RulebookError(
                shown, [Problem(1, f"the file is larger than {MAX_BYTES // 1_000_000} MB: a rule book is far smaller")]
            )
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RulebookError(shown, [Problem(1, f"cannot read the rule book: {error}")]) from None
    return parse_rulebook(text, shown, emergency_number=emergency_number, services=services)


def parse_rulebook(
    text: str,
    file: str = "rules.yaml",
    *,
    emergency_number: str | None = None,
    services: ServiceSettings = (),
    earlier: bool = False,
) -> Rulebook:
    """The rule book in the person's own voice; `in_voice` gives it in the others. Each voice is
    built from the same checked file, so they differ in their words only.

    A rule book is frozen, so the same text read again (an app built again, as in the tests) gives
    the rule book already built; one that is refused is read again, and refused again, each time."""
    return _parse(text, file, emergency_number, tuple(services), earlier)


@functools.lru_cache(maxsize=8)
def _parse(text: str, file: str, emergency_number: str | None, services: ServiceSettings, earlier: bool) -> Rulebook:
    problems = Problems(file)
    root = compose(text, problems)
    if root is not None:
        sign_off = read_sign_off(text, root, problems)
        voices: dict[str, Rulebook] = {}
        for voice in VOICES:
            built = _Builder(problems, emergency_number, voice, earlier, services).build(root)
            if problems.found:
                break  # every problem is found by the first build; the others would repeat them
            if built is not None:
                voices[voice] = dataclasses.replace(built, voice=voice, voices=voices, sign_off=sign_off)
        problems.raise_if_any()
        if len(voices) == len(VOICES):
            return voices[VOICES[0]]
    problems.raise_if_any()
    raise AssertionError("unreachable: a rule book was neither built nor refused")


SIGNATURE = "signature"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def signature_span(text: str, root: Node) -> tuple[int, int] | None:
    """Where the signature block is in `text` (from its key to the end of its value), if there is one."""
    for key, value in root.value if isinstance(root, MappingNode) else ():
        if isinstance(key, ScalarNode) and key.value == SIGNATURE:
            start = text.rfind("\n", 0, key.start_mark.index) + 1  # from the start of its line
            return start, value.end_mark.index
    return None


def content_sha256(text: str, root: Node) -> str:
    """The SHA-256 of the rule book's content: its text without the signature block, with trailing
    blank lines ignored (so that adding or removing the block at the end does not change it)."""
    span = signature_span(text, root)
    content = text if span is None else text[: span[0]] + text[span[1] :]
    return hashlib.sha256(content.rstrip().encode("utf-8")).hexdigest()


def read_sign_off(text: str, root: Node, problems: Problems) -> SignOff:
    digest = content_sha256(text, root)
    node = next(
        (v for k, v in (root.value if isinstance(root, MappingNode) else ()) if getattr(k, "value", None) == SIGNATURE),
        None,
    )
    if node is None:
        return SignOff("draft", None, digest)
    fields: dict[str, str] = {}
    if not isinstance(node, MappingNode):
        problems.add(node, "signature must be a mapping of by, on and sha256 (write it with `triage sign`)")
        return SignOff("draft", None, digest)
    for key, value in node.value:
        name = getattr(key, "value", None)
        if name not in ("by", "on", "sha256") or not isinstance(value, ScalarNode) or name in fields:
            problems.add(key, f"the signature has by, on and sha256 once each, not '{name}'")
            continue
        fields[name] = str(value.value)
    if len(fields) != 3 or not _SHA256.match(fields.get("sha256", "")):
        problems.add(node, "the signature needs by, on and a sha256 of 64 hex digits (write it with `triage sign`)")
        return SignOff("draft", None, digest)
    try:
        datetime.datetime.fromisoformat(fields["on"])
    except ValueError:
        problems.add(node, f"the signature's 'on' must be a date and time, not '{fields['on']}'")
    signature = Signature(fields["by"], fields["on"], fields["sha256"])
    return SignOff("signed" if signature.sha256 == digest else "changed", signature, digest)


@dataclass
class _QuestionDraft:
    """A question read but not yet compiled: its ask_when needs every question to be known."""

    node: Node
    id: str
    kind: str
    values: tuple[str, ...]
    fields: dict[str, object]
    ask_when: Node | None


class _Builder:
    def __init__(
        self,
        problems: Problems,
        emergency_number: str | None,
        voice: str = VOICES[0],
        earlier: bool = False,
        services: ServiceSettings = (),
    ) -> None:
        self.problems = problems
        self.service_settings = services
        self.voice = voice
        self.earlier = earlier  # a rule book of an earlier contract, read to compare (triage diff)
        self.number_override = emergency_number
        self.number = emergency_number or ""
        self.yes_no: tuple[Option, ...] = (Option("yes", "Yes"), Option("no", "No"))
        self.declared_rules: set[str] = set()
        self.question_nodes: dict[str, Node] = {}
        self.level_variant_nodes: dict[str, Node] = {}
        self.sources_read = False
        self.phones: dict[str, str | None] | None = None  # the services' phones, once meta is read

    # -- reading helpers ------------------------------------------------------------------------

    def mapping(
        self, node: Node, what: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.problems.add(node, f"{what} must be a mapping of keys to values")
            return None
        required, allowed = tuple(required), (*required, *optional)
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = scalar_value(key_node) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                self.problems.add(key_node, f"keys in {what} must be words")
            elif key in found:
                self.problems.add(key_node, f"duplicate key '{key}' in {what}")
            elif key not in allowed:
                self.problems.add(
                    key_node,
                    f"unknown key '{key}' in {what}{did_you_mean(key, allowed)}; allowed: {', '.join(allowed)}",
                )
            else:
                found[key] = value_node
        for key in required:
            if key not in found:
                self.problems.add(node, f"{what} is missing '{key}'")
        return found

    def named(self, node: Node, kind: str, key: str = "id") -> str:
        """'rule 'speech'' when the item has a readable id, else 'a rule': for messages about it."""
        for key_node, value_node in node.value if isinstance(node, MappingNode) else ():
            if key_node.value == key and isinstance(value_node, ScalarNode) and value_node.value:
                return f"{kind} '{value_node.value}'"
        return f"a {kind}"

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode) or not node.value:
            self.problems.add(node, f"{what} must be a list with at least one item")
            return []
        return list(node.value)

    def scalar(self, node: Node) -> object:
        value = scalar_value(node) if isinstance(node, ScalarNode) else None
        if isinstance(value, Unreadable):
            self.problems.add(node, f"'{value.text}' cannot be read ({value.reason}); put it in quotes if it is text")
            return None
        return value

    def text(self, node: Node | None, what: str) -> str | None:
        if node is None:
            return None
        before = len(self.problems.found)
        value = self.scalar(node)
        if len(self.problems.found) > before:
            return None  # unreadable, and already reported
        if isinstance(value, datetime.date):
            value = value.isoformat()
        if not isinstance(value, str) or not value.strip():
            self.problems.add(node, f"{what} must be text (put quotes around numbers and yes/no)")
            return None
        if _CONTROL.search(value):
            # A YAML escape such as "\0" can put one there; no page should show it (and the pages
            # use NUL to mark where answers go, see triage.pages).
            self.problems.add(node, f"{what} has a control character (such as \\0); remove it")
            value = _CONTROL.sub("", value)  # checked on without it, so this is the only problem reported
        known = (PLACEHOLDER, *SERVICE_PLACEHOLDERS)
        for name in _FIELD.findall(value):
            if name not in known:
                self.problems.add(node, f"unknown placeholder '{{{name}}}' in {what}{did_you_mean(name, known)}")
            elif name in SERVICE_PLACEHOLDERS and self.phones is not None:
                phone = self.phones.get(SERVICE_PLACEHOLDERS[name])
                if not phone:
                    self.problems.add(
                        node,
                        f"{what} names {{{name}}}, but service '{name}' has no phone: give it one in meta.services",
                    )
                value = value.replace("{" + name + "}", phone or "")
        return " ".join(value.replace("{" + PLACEHOLDER + "}", self.number).split())

    def voiced(self, node: Node | None, what: str, voice: str | None = None) -> str | None:
        """A text written in every voice (a mapping of self, other and staff, or every_voice): the
        words for `voice` (this build's voice unless given). A text that lacks a voice is refused."""
        if node is None:
            return None
        if not isinstance(node, MappingNode):
            self.problems.add(
                node,
                f"{what} must be written in every voice: a mapping with {', '.join(VOICES)} "
                f"(or {EVERY_VOICE}, when the words are the same for all)",
            )
            return None
        found = self.mapping(node, what, (), (*VOICES, EVERY_VOICE))
        if found is None:
            return None
        if EVERY_VOICE in found:
            if len(found) > 1:
                self.problems.add(node, f"{what}: {EVERY_VOICE} stands alone, without {', '.join(VOICES)}")
            return self.text(found[EVERY_VOICE], what)
        missing = [v for v in VOICES if v not in found]
        if missing:
            self.problems.add(node, f"{what} lacks the {' and '.join(missing)} voice{'s' if len(missing) > 1 else ''}")
        texts = {v: self.text(found[v], f"{what} ({v} voice)") for v in VOICES if v in found}
        return texts.get(voice or self.voice)

    def ident(self, node: Node, what: str, pattern: re.Pattern[str] = _ID) -> str | None:
        value = self.scalar(node)
        if not isinstance(value, str) or not pattern.match(value):
            style = "snake_case, like weakness_side" if pattern is _ID else "capitals, like RF1"
            self.problems.add(node, f"{what} must be an id in {style}, not '{value}'")
            return None
        return value

    def unique(self, ids: Iterable[tuple[str | None, Node]], what: str) -> None:
        seen: set[str] = set()
        for value, node in ids:
            if value is None:
                continue
            if value in seen:
                self.problems.add(node, f"duplicate {what} '{value}'")
            seen.add(value)

    # -- the parts of the rule book -------------------------------------------------------------

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

    def meta(self, node: Node) -> Meta | None:
        keys = ("title", "version", "reviewed_by", "reviewed_on", "disclaimer")
        parts = ("emergency_number", "answer_labels", "messages", "sources")
        found = self.mapping(node, "meta", (*keys, *parts), ("services", "opening_hours"))
        if found is None or any(key not in found for key in (*keys, *parts)):
            return None
        number = self.number_override or self.scalar(found["emergency_number"])
        if not isinstance(number, str) or not re.fullmatch(r"[0-9][0-9 ]{1,14}", number):
            where = "the emergency number setting" if self.number_override else "emergency_number"
            self.problems.add(
                found["emergency_number"], f'{where} must be digits in quotes, like "911", not {number!r}'
            )
        else:
            self.number = number
        version = self.text(found["version"], "version")
        if version and not _SEMVER.match(version):
            self.problems.add(found["version"], f"version must be a semantic version like 1.2.0, not '{version}'")
        labels = self.mapping(found["answer_labels"], "answer_labels", ("yes", "no"))
        messages = self.mapping(found["messages"], "messages", ("unknown_question",))
        sources = []
        self.sources_read = isinstance(found["sources"], SequenceNode)
        for item in self.sequence(found["sources"], "sources"):
            entry = self.mapping(item, "a source", ("id", "title"), ("url",))
            if entry and len(entry.keys() & {"id", "title"}) == 2:
                sources.append(
                    (
                        Source(
                            self.ident(entry["id"], "a source id", _REF) or "",
                            self.text(entry["title"], "a source title") or "",
                            self.text(entry.get("url"), "a source url"),
                        ),
                        entry["id"],
                    )
                )
        self.unique(((s.id, n) for s, n in sources), "source id")
        services = self.services(found.get("services"), node)
        self.phones = {sid: service.phone for sid, service in services.items()}
        texts = {key: self.text(found[key], key) for key in keys if key != "disclaimer"}
        texts["disclaimer"] = self.voiced(found["disclaimer"], "the disclaimer")
        if texts["reviewed_on"] is not None:
            try:
                datetime.date.fromisoformat(texts["reviewed_on"])
            except ValueError:
                self.problems.add(
                    found["reviewed_on"],
                    f"reviewed_on must be a real date like 2026-11-24, not '{texts['reviewed_on']}'",
                )
        if labels is None or messages is None or len(labels) < 2 or not messages:
            return None
        answer_labels = {k: self.text(v, f"the label for {k}") or "" for k, v in labels.items()}
        self.yes_no = (Option("yes", answer_labels["yes"]), Option("no", answer_labels["no"]))
        return Meta(
            title=texts["title"] or "",
            version=version or "",
            reviewed_by=texts["reviewed_by"] or "",
            reviewed_on=texts["reviewed_on"] or "",
            emergency_number=self.number,
            disclaimer=texts["disclaimer"] or "",
            answer_labels=MappingProxyType(answer_labels),
            messages=MappingProxyType({k: self.text(v, f"message {k}") or "" for k, v in messages.items()}),
            sources=tuple(s for s, _ in sources),
            services=services,
            opening_hours=self.opening_hours(found.get("opening_hours")),
        )

    def opening_hours(self, node: Node | None) -> OpeningHours | None:
        if node is None:
            return None
        text = self.text(node, "opening_hours")
        try:
            return parse_hours(text) if text else None
        except HoursError as error:
            self.problems.add(node, f"opening_hours: {error}")
            return None

    def services(self, node: Node | None, meta: Node) -> Mapping[str, Service]:
        """The local services: each known one, with the rule book's words, then the settings'."""
        given: dict[str, dict[str, str | None]] = {sid: {"name": name} for sid, name in SERVICE_NAMES.items()}
        where: dict[tuple[str, str], tuple[str, Node]] = {}
        found = self.mapping(node, "services", (), tuple(SERVICE_NAMES)) if node is not None else {}
        for sid, item in (found or {}).items():
            fields = self.mapping(item, f"service '{sid}'", (), (*SERVICE_FIELDS, "no_number"))
            for key, text_node in (fields or {}).items():
                given[sid][key] = self.text(text_node, f"the {key} of service '{sid}'")
                where[sid, key] = (f"the {key} of service '{sid}'", text_node)
        for sid, key, setting in self.service_settings:
            given[sid][key] = setting.strip() or None
            where[sid, key] = (f"the setting TRIAGE_{sid.upper()}_{key.upper()}", meta)
        services = {}
        for sid, values in given.items():
            phone, url = values.get("phone"), values.get("booking_url")
            if phone and not (_PHONE.match(phone) and len(re.sub(r"[^0-9]", "", phone)) >= 3):
                what, at = where[sid, "phone"]
                self.problems.add(at, f"{what} must be a phone number such as 811 or +1 403 555 0100, not {phone!r}")
            if url and not booking_url_ok(url):
                what, at = where[sid, "booking_url"]
                self.problems.add(
                    at, f"{what} must be a web address starting https:// with a host, and no user name, not {url!r}"
                )
            name = values.get("name") or SERVICE_NAMES[sid]
            services[sid] = Service(sid, name, phone, url, values.get("no_number"))
        return MappingProxyType(services)

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
                    self.problems.add(
                        entry, f"question '{qid}' is in {what} and needs an 'item': its words in the list"
                    )
                else:
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
            statement = self.text(found.get("statement"), f"the statement of {ref}")
            not_asked = self.text(found.get("not_asked"), f"not_asked of {ref}")
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

    def policy(
        self, node: Node, levels: Mapping[str, Level], questions: Mapping[str, Question], refs: set[str]
    ) -> Policy | None:
        found = self.mapping(node, "policy", ("minimum_levels", "never_lower", "problem_order", "context"))
        if found is None or len(found) < 4:
            return None
        minimums: list[MinimumLevel] = []
        ids: list[tuple[str | None, Node]] = []
        for item in self.sequence(found["minimum_levels"], "minimum_levels"):
            row = self.mapping(item, self.named(item, "policy row"), ("id", "says", "when", "at_least", "source"))
            if row is None or len(row) < 5:
                continue
            row_id = self.ident(row["id"], "a policy row id")
            ids.append((row_id, row["id"]))
            says = self.text(row["says"], f"what policy row '{row_id}' says")
            when = compile_condition(row["when"], questions, self.problems)
            level_id = self.scalar(row["at_least"])
            if level_id not in levels:
                self.problems.add(row["at_least"], f"unknown level '{level_id}'{did_you_mean(level_id, levels)}")
            source = self.source(row["source"], f"policy row '{row_id}'", refs)
            if row_id and says and when and isinstance(level_id, str) and level_id in levels:
                minimums.append(MinimumLevel(row_id, says, when, levels[level_id], source, line_of(item)))
        nevers: list[NeverLowers] = []
        for item in self.sequence(found["never_lower"], "never_lower"):
            row = self.mapping(item, self.named(item, "policy row"), ("id", "says", "question", "answer", "source"))
            if row is None or len(row) < 5:
                continue
            row_id = self.ident(row["id"], "a policy row id")
            ids.append((row_id, row["id"]))
            says = self.text(row["says"], f"what policy row '{row_id}' says")
            qid, answer = self.scalar(row["question"]), self.scalar(row["answer"])
            question = questions.get(qid) if isinstance(qid, str) else None
            if question is None:
                self.problems.add(row["question"], f"unknown question '{qid}'{did_you_mean(qid, questions)}")
            elif question.kind not in ("yes_no", "choice") or answer not in question.values:
                self.problems.add(row["answer"], f"'{answer}' is not an option of '{qid}'")
            source = self.source(row["source"], f"policy row '{row_id}'", refs)
            if row_id and says and question and isinstance(answer, str) and answer in question.values:
                nevers.append(NeverLowers(row_id, says, question.id, answer, source, line_of(item)))
        self.unique(ids, "policy row id")
        order = self.problem_order(found["problem_order"], questions)
        context: set[str] = set()
        for item in self.sequence(found["context"], "context"):
            qid = self.scalar(item)
            if not isinstance(qid, str) or qid not in questions:
                self.problems.add(item, f"unknown question '{qid}'{did_you_mean(qid, questions)}")
            else:
                context.add(qid)
        return Policy(tuple(minimums), tuple(nevers), MappingProxyType(order), frozenset(context), line_of(node))

    def problem_order(self, node: Node, questions: Mapping[str, Question]) -> dict[str, tuple[frozenset[str], ...]]:
        orders: dict[str, tuple[frozenset[str], ...]] = {}
        found = self.mapping(node, "problem_order", (), tuple(q.id for q in questions.values()))
        for qid, ranks_node in (found or {}).items():
            question = questions[qid]
            ranks: list[frozenset[str]] = []
            for rank in self.sequence(ranks_node, f"the problem order of '{qid}'"):
                items = rank.value if isinstance(rank, SequenceNode) else [rank]
                values = [self.scalar(value) for value in items]
                if not all(isinstance(v, str) and v in question.values for v in values):
                    self.problems.add(rank, f"the problem order of '{qid}' names an answer it does not have")
                ranks.append(frozenset(str(v) for v in values))
            listed = [v for rank in ranks for v in rank]
            if sorted(listed) != sorted(question.values):
                self.problems.add(ranks_node, f"the problem order of '{qid}' must list each of its answers once")
            orders[qid] = tuple(ranks)
        return orders

    # -- whole-book checks ----------------------------------------------------------------------

    def check_contract(
        self, questions: Mapping[str, Question], sections: tuple[Section, ...], sections_node: Node
    ) -> None:
        line = line_of(sections_node)
        for qid in RETIRED_ANSWERS | {RESPONDENT}:
            if qid in questions:
                self.problems.add(self.question_nodes[qid], f"'{qid}' cannot be a question of the rule book")
        for qid, (kind, values) in CONTRACT.items():
            question = questions.get(qid)
            if question is None:
                self.problems.add(line, f"question '{qid}' is missing; it is part of the questionnaire's contract")
            elif question.kind != kind or (values and question.values != values):
                shown = f" with options {', '.join(values)}" if values else ""
                self.problems.add(
                    self.question_nodes[qid], f"question '{qid}' must be a {kind} question{shown} (the contract)"
                )
        first = sections[0] if sections else None
        for qid in EMERGENCY_QUESTIONS:
            if first and qid in questions and questions[qid].section != first.id:
                self.problems.add(
                    self.question_nodes[qid],
                    f"question '{qid}' must be in the first section: emergencies are asked first",
                )

    def check_emergencies_first(self, rulebook: Rulebook) -> None:
        for question in rulebook.sections[0].questions:
            fires = any(r.level == rulebook.top_level and r.when.holds({question.id: "yes"}) for r in rulebook.rules)
            if question.kind != "yes_no" or not fires:
                self.problems.add(
                    self.question_nodes[question.id],
                    f"question '{question.id}' is in the first (emergency) section, so it must be yes/no "
                    f"and a 'yes' alone must reach level '{rulebook.top_level.id}'",
                )

    def check_reachable(self, rulebook: Rulebook, top: Mapping[str, Node]) -> None:
        rule_nodes = {}
        for item in top["rules"].value:
            for key, value in item.value:
                if key.value == "id":
                    rule_nodes[value.value] = value
        for question in rulebook.questions:
            if question.ask_when and not can_hold(question.ask_when, rulebook):
                self.problems.add(
                    self.question_nodes[question.id],
                    f"question '{question.id}' is never asked: its ask_when can never be true",
                )
        for rule in rulebook.rules:
            if not can_hold(rule.when, rulebook):
                self.problems.add(
                    rule_nodes[rule.id], f"rule '{rule.id}' can never fire: no answers make its condition true"
                )
        for level in rulebook.levels[:-1]:
            if not any(rule.level == level for rule in rulebook.rules):
                self.problems.add(
                    line_of(top["levels"]), f"level '{level.id}' is never reached: no rule has this level"
                )


def can_hold(condition: Condition, rulebook: Rulebook) -> bool:
    """Whether any answers the questionnaire can collect make `condition` true.

    Tries every combination of the questions the condition depends on (and the questions their
    follow-up conditions depend on); numbers are tried at their limits and around each bound.
    """
    by_id = rulebook.question_by_id
    needed: set[str] = set()
    pending = set(questions_in(condition))
    while pending:
        qid = pending.pop()
        if qid not in needed:
            needed.add(qid)
            ask_when = by_id[qid].ask_when
            pending |= set(questions_in(ask_when)) if ask_when else set()
    order = {q.id: i for i, q in enumerate(rulebook.questions)}
    ordered = [by_id[qid] for qid in sorted(needed, key=order.__getitem__)]
    conditions = [condition, *(q.ask_when for q in ordered if q.ask_when)]
    bounds = [node for c in conditions for node in walk(c) if isinstance(node, Compare)]

    def domain(question: Question) -> Iterator[object]:
        if question.kind == "number":
            low, high = question.minimum or 0, question.maximum or 0
            near = {b.bound + d for b in bounds if b.question == question.id for d in (-1, 0, 1)}
            yield from sorted(v for v in {low, high} | near if low <= v <= high)
        elif question.kind == "multi":
            for size in range(1, len(question.values) + 1):
                yield from (frozenset(combo) for combo in itertools.combinations(question.values, size))
        else:
            yield from question.values

    def search(index: int, answers: dict[str, object]) -> bool:
        if index == len(ordered):
            return condition.holds(answers)  # type: ignore[arg-type]
        question = ordered[index]
        asked = question.ask_when is None or question.ask_when.holds(answers)  # type: ignore[arg-type]
        if (not asked or not question.required) and search(index + 1, answers):
            return True
        for value in domain(question) if asked else ():
            answers[question.id] = value
            if search(index + 1, answers):
                return True
            del answers[question.id]
        return False

    return search(0, {})
