"""The loaded rule book: frozen objects (questions, levels, rules, the policy; the answer
contract's constants are in `triage.rulebook.contract`, the sign-off in
`triage.rulebook.sign_off`). Nothing here reads YAML; `triage.rulebook.loading` builds these."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from triage.conditions import Condition
from triage.hours import OpeningHours
from triage.rulebook.contract import VOICES
from triage.rulebook.sign_off import SignOff


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

    @property
    def title_says_when(self) -> bool:
        """Whether the title already says the time ("Contact a doctor today"): a card then says it once."""
        return self.timeframe.lower() in self.title.lower()

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
    language: str = "en"  # the language of its words: the file's own English, or a catalog's
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


ServiceSettings = tuple[tuple[str, str, str], ...]  # (service id, field, value): a deployment's settings
