"""Kinds of detainee log entry and the limits on their text."""

LOG_KINDS: dict[str, str] = {
    "note": "Note",
    "cell_check": "Cell check",
    "meal": "Meal",
    "drink": "Drink",
    "rest": "Rest period",
    "property": "Property",
    "healthcare": "Healthcare referral",
    "solicitor_arrival": "Solicitor arrived",
    "appropriate_adult_arrival": "Appropriate adult arrived",
    "interview_start": "Interview started",
    "interview_end": "Interview ended",
    "rights": "Rights and entitlements",
    "risk_assessment": "Risk assessment",
    "observation_level": "Observation level set",
    "review": "Review of detention",
    "extension": "Extension of detention",
    "detention_decision": "Detention decision",
    "disposal": "Disposal",
    "transfer": "Transfer between suites",
    "correction": "Correction",
}

TEXT_MAX_CHARS = 10_000


def text_problem(text: str) -> str | None:
    """Why this log text cannot be saved, or None. Shared by client (beside the field) and server (422)."""
    if not text.strip():
        return "Type what happened before saving: the entry is empty."
    if len(text) > TEXT_MAX_CHARS:
        return f"An entry can hold at most {TEXT_MAX_CHARS:,} characters; this one has {len(text):,}."
    return None
