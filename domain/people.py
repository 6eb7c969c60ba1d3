"""Person (POLE) value lists and entry rules: names, dates of birth, warning markers.

Source: /work/shared/domain.md §6.1–6.2 (NPCC POLE dictionary: names 1–35 characters, only hyphens and
apostrophes as special characters, no consecutive spaces; DOB not in the future, not today, age ≤ 120;
gender DS 037; ethnicity DS 038 / DS 112). Warning-marker codes follow the PNC warning signals [U: the
exact national code list was not retrieved; these are the commonly published ones].
"""

import re
from datetime import date

NAME_MAX = 35
MAX_AGE_YEARS = 120

GENDERS: dict[str, str] = {
    "male": "Male", "female": "Female", "trans_male": "Trans male", "trans_female": "Trans female",
    "non_binary": "Non-binary", "intersex": "Intersex", "not_specified": "Not specified", "not_known": "Not known",
}
SELF_DEFINED_ETHNICITY = tuple(str(n) for n in range(1, 20))  # ONS 18+1
OFFICER_DEFINED_ETHNICITY: dict[str, str] = {
    "0": "Not recorded or not known", "1": "White – North European", "2": "White – South European",
    "3": "Black", "4": "Asian", "5": "Chinese, Japanese or other South East Asian",
    "6": "Arabic or North African", "7": "Mixed or other",
}
WARNING_MARKERS: dict[str, str] = {
    "violence": "Violent", "weapons": "Weapons", "firearms": "Firearms", "explosives": "Explosives",
    "self_harm": "Self-harm", "suicidal": "Suicidal", "drugs": "Drugs", "escaper": "Escaper",
    "mental_health": "Mental health", "ailment": "Ailment", "contagious": "Contagious",
    "impersonator": "Impersonates others",
}

_NAME = re.compile(r"^[^\W\d_]+(?:[ '’-][^\W\d_]+)*[.]?$")


def name_problem(text: str, what: str = "name", *, required: bool = True) -> str | None:
    """Why this name cannot be stored, or None. Several names (forenames) are checked one by one."""
    value = text.strip()
    if not value:
        return f"Enter the {what}." if required else None
    if "  " in value:
        return f"Remove the double space in the {what}."
    for part in value.split(" "):
        if len(part) > NAME_MAX:
            return f"Each name has at most {NAME_MAX} characters."
    if not _NAME.match(value):
        return (f"Use letters, spaces, hyphens and apostrophes only in the {what} (no titles, numbers or "
                "placeholders; a blank is better than a guess).")
    return None


def dob_problem(dob: date, today: date) -> str | None:
    """Why this date of birth is impossible, or None."""
    if dob > today:
        return "The date of birth is in the future; check the year (dates are DD/MM/YYYY)."
    if dob == today:
        return "The date of birth is today; check it is not the date of arrest."
    try:
        oldest = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    if dob < oldest:
        return f"The date of birth is more than {MAX_AGE_YEARS} years ago; check the year."
    return None
