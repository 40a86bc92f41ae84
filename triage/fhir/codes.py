"""The addresses (FHIR canonical URLs) and codes this service's FHIR resources use.

Every address is this deployment's own, under `base` (the address the app is served at, such as
`https://clinic.example/triage/`): the Questionnaire at `{base}fhir/Questionnaire/triage`, and the
code systems beside it. Codes are the answer contract's own ids and values, so a FHIR answer and a
JSON API answer say the same thing in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

# FHIR's own addresses (HL7 FHIR R4 and its Structured Data Capture guide).
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_CODES = "http://hl7.org/fhir/questionnaire-item-control"
OPTION_EXCLUSIVE = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

FHIR_JSON = "application/fhir+json"
QUESTIONNAIRE_ID = "triage"
NONE_OF_THESE = "none"  # the code of "none of these" in a list asked together


@dataclass(frozen=True)
class Systems:
    """The code systems and canonical URL of one deployment (`base` ends with a slash)."""

    base: str

    def is_ours(self, system: object, expected: str) -> bool:
        """Whether a coding's `system` is `expected` (or not given), at any address this service is
        reached at: a response made where the service was reached at another address (a proxy's, or
        localhost) names its systems there, as its `questionnaire` does."""
        if system is None:
            return True
        return isinstance(system, str) and system.endswith(expected.removeprefix(self.base))

    @property
    def questionnaire(self) -> str:
        return f"{self.base}fhir/Questionnaire/{QUESTIONNAIRE_ID}"

    @property
    def answers(self) -> str:
        """The answers' values (`yes`, `no`, `lying_flat`...), as the answer contract names them."""
        return f"{self.base}fhir/CodeSystem/triage-answers"

    @property
    def questions(self) -> str:
        """The questions' ids: the codes of a list asked together (each one ticked is a yes)."""
        return f"{self.base}fhir/CodeSystem/triage-questions"

    @property
    def levels(self) -> str:
        """How soon to get help: `emergency`, `urgent`, `soon`, `routine` (the rule book's levels)."""
        return f"{self.base}fhir/CodeSystem/triage-levels"

    @property
    def rules(self) -> str:
        """The rule book's rules: why a level was reached."""
        return f"{self.base}fhir/CodeSystem/triage-rules"

    @property
    def observations(self) -> str:
        """What the outcome Observation records: `urgency`, its `reason`s, and `complete`."""
        return f"{self.base}fhir/CodeSystem/triage-observations"
