"""3x5x2 intelligence grading: source evaluation, intelligence assessment and handling code.

Source: /work/shared/domain.md §4.1 (codes and meanings) and §4.2 (handling conditions). Legacy 5x5x5
gradings are never converted automatically (§4.1); they are kept as recorded.
"""

from dataclasses import dataclass
from enum import StrEnum

from domain.decision import FieldError


class SourceEvaluation(StrEnum):
    RELIABLE = "1"
    UNTESTED = "2"
    NOT_RELIABLE = "3"


class IntelligenceAssessment(StrEnum):
    KNOWN_DIRECTLY = "A"
    KNOWN_INDIRECTLY_CORROBORATED = "B"
    KNOWN_INDIRECTLY = "C"
    NOT_KNOWN = "D"
    SUSPECTED_FALSE = "E"


class HandlingCode(StrEnum):
    PERMITTED = "P"
    CONDITIONS = "C"


SOURCE_MEANINGS: dict[SourceEvaluation, str] = {
    SourceEvaluation.RELIABLE: "Reliable",
    SourceEvaluation.UNTESTED: "Untested",
    SourceEvaluation.NOT_RELIABLE: "Not reliable",
}
INTELLIGENCE_MEANINGS: dict[IntelligenceAssessment, str] = {
    IntelligenceAssessment.KNOWN_DIRECTLY: "Known directly to the source",
    IntelligenceAssessment.KNOWN_INDIRECTLY_CORROBORATED: "Known indirectly to the source but corroborated",
    IntelligenceAssessment.KNOWN_INDIRECTLY: "Known indirectly to the source",
    IntelligenceAssessment.NOT_KNOWN: "Not known",
    IntelligenceAssessment.SUSPECTED_FALSE: "Suspected to be false",
}
HANDLING_MEANINGS: dict[HandlingCode, str] = {
    HandlingCode.PERMITTED: "Lawful sharing permitted",
    HandlingCode.CONDITIONS: "Lawful sharing permitted with conditions (state the handling conditions)",
}


@dataclass(frozen=True)
class Grading:
    source: SourceEvaluation
    intelligence: tuple[IntelligenceAssessment, ...]  # one per item of intelligence in the report
    handling: HandlingCode
    handling_conditions: str = ""

    def notation(self, item: int = 0) -> str:
        """e.g. '1/B/P' for one item [U on exact notation]."""
        return f"{self.source}/{self.intelligence[item]}/{self.handling}"


def validate_grading(
    source: str | None,
    intelligence: list[str | None] | tuple[str | None, ...],
    handling: str | None,
    handling_conditions: str = "",
) -> tuple[Grading | None, list[FieldError]]:
    """Parse form values into a Grading, or return field errors (field names as the API uses them)."""
    errors: list[FieldError] = []
    src = ia_values = hc = None
    try:
        src = SourceEvaluation((source or "").strip())
    except ValueError:
        errors.append(FieldError("source_evaluation", "Choose the source evaluation: 1 reliable, 2 untested or "
                                                      "3 not reliable."))
    if not intelligence:
        errors.append(FieldError("intelligence", "Grade each item of intelligence (A to E)."))
    ia: list[IntelligenceAssessment] = []
    for i, value in enumerate(intelligence):
        try:
            ia.append(IntelligenceAssessment((value or "").strip().upper()))
        except ValueError:
            errors.append(FieldError(f"intelligence.{i}", "Choose the intelligence assessment for this item: "
                                                          "A, B, C, D or E."))
    ia_values = tuple(ia)
    try:
        hc = HandlingCode((handling or "").strip().upper())
    except ValueError:
        errors.append(FieldError("handling_code", "Choose the handling code: P (sharing permitted) or "
                                                  "C (sharing permitted with conditions)."))
    if hc is HandlingCode.CONDITIONS and not handling_conditions.strip():
        errors.append(FieldError("handling_conditions", "Handling code C needs the conditions written out: "
                                                        "say who may receive it and how it must be handled."))
    if errors:
        return None, errors
    assert src is not None and hc is not None
    return Grading(src, ia_values, hc, handling_conditions.strip()), []
