"""How easy a text is to read, by the measure that fits its language, and the limits the product
holds every text a person reads to. The tests and the sign-off report use the same limits.

English: the Flesch-Kincaid grade, at most 8 for each text (and 6 for the questions and results
together, see tests/test_plain_language.py).

French: textstat's Flesch reading ease with Kandel & Moles' French coefficients (Flesch-Kincaid
grades are not adapted to French). Like Flesch's, the score means little on a few words ("Contactez
un médecin aujourd'hui" scores 34), so each text of 15 words or more is held to it, and each voice's
texts together. 60 to 70 is "standard" (about 13 to 15 years old), 80 and over "easy": each text at
55 or more (near the English limit of grade 8), and all of them together at 80 or more (the English
texts together score 94 on Flesch's scale).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import textstat

GRADE = 8  # English: the highest Flesch-Kincaid grade of any text
FRENCH_EACH, FRENCH_TOGETHER, LONG_ENOUGH = 55, 80, 15


@dataclass(frozen=True)
class Score:
    value: float
    ok: bool


@contextmanager
def _in(language: str) -> Iterator[None]:
    """textstat set to a language for the block (it keeps the language in a global)."""
    textstat.set_lang(language)
    try:
        yield
    finally:
        textstat.set_lang("en_US")


def is_french(language: str) -> bool:
    return language.split("_")[0] == "fr"


def score(text: str, language: str) -> Score:
    """A text's score by its language's measure, and whether it is within the limit."""
    if is_french(language):
        with _in("fr"):
            ease = textstat.flesch_reading_ease(text)
        return Score(ease, ease >= FRENCH_EACH or len(text.split()) < LONG_ENOUGH)
    grade = textstat.flesch_kincaid_grade(text)
    return Score(grade, grade <= GRADE)


def french_ease(text: str) -> float:
    """Kandel & Moles' reading ease of a French text."""
    with _in("fr"):
        return float(textstat.flesch_reading_ease(text))
