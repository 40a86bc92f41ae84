"""The rule book's fixed words: the answer contract (the question ids and answers the web form,
the API and outside systems rely on), the voices and levels, the local services, and the shapes of
ids, versions, phone numbers and addresses. A rule book may add questions; these must hold."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

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
# Whether the texts only the clinical lead reads (the inventory's and the policy's statements, in
# the sign-off report) are translated too: yes, so that the report can be made in each language
# and a clinician who reads that language signs what it says. (A source's title is the document's
# own name, as published: never translated.)
CLINICIANS = True
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
