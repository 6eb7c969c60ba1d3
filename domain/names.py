"""Forgiving person matching for searches and possible-duplicate warnings.

Source: /work/shared/domain.md §6.4 (duplicate nominals; show "possible duplicate" candidates using name +
DOB + identifiers; never merge on name and DOB alone). This module only scores candidates and says why;
people decide.

Techniques: Unicode normalisation (accents, case, hyphens, apostrophes); American Soundex (Russell & Odell,
as in the US National Archives description: keep the first letter, code consonants 1–6, H and W do not
separate equal codes, vowels do) as the phonetic key; Jaro-Winkler similarity (Winkler 1990, prefix scale
0.1, up to 4 characters) for spelling variants; date-of-birth comparison that tolerates day/month transposition
and partial dates.
"""

import re
import unicodedata
from dataclasses import dataclass, field

_SEPARATORS = re.compile(r"[\s\-‐‑–—_.,]+")
_DROP = re.compile(r"['’‘`´]")


def normalise(name: str) -> str:
    """Lower case, accents removed, apostrophes dropped, hyphens and dots as spaces: "O’Brien-Núñez" →
    "obrien nunez"."""
    decomposed = unicodedata.normalize("NFKD", name)
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    no_marks = no_marks.replace("ß", "ss").replace("æ", "ae").replace("Æ", "ae").replace("ø", "o").replace("Ø", "o")
    text = _DROP.sub("", no_marks.casefold())
    return " ".join(p for p in _SEPARATORS.split(text) if p)


def compact(name: str) -> str:
    """Normalised with the spaces removed, so "Smith-Jones", "Smith Jones" and "Smithjones" are equal."""
    return normalise(name).replace(" ", "")


_SOUNDEX_CODES = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"), **dict.fromkeys("dt", "3"),
                  "l": "4", **dict.fromkeys("mn", "5"), "r": "6"}


def soundex(name: str) -> str:
    """Four-character American Soundex of the compacted name ("" when there are no letters). "Mc" is read
    as "Mac" so McDonald and MacDonald share a key."""
    letters = "".join(c for c in compact(name) if "a" <= c <= "z")
    if not letters:
        return ""
    if letters.startswith("mc"):
        letters = "mac" + letters[2:]
    first = letters[0]
    out = []
    last = _SOUNDEX_CODES.get(first, "")
    for c in letters[1:]:
        code = _SOUNDEX_CODES.get(c, "")
        if code and code != last:
            out.append(code)
        if c not in "hw":  # H and W do not separate letters with the same code; vowels do
            last = code
    return (first.upper() + "".join(out) + "000")[:4]


def jaro(a: str, b: str) -> float:
    if a == b:
        return 1.0 if a else 0.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    a_hit = [False] * len(a)
    b_hit = [False] * len(b)
    matches = 0
    for i, ca in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not b_hit[j] and b[j] == ca:
                a_hit[i] = b_hit[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    a_m = [c for c, hit in zip(a, a_hit) if hit]
    b_m = [c for c, hit in zip(b, b_hit) if hit]
    transpositions = sum(x != y for x, y in zip(a_m, b_m)) / 2
    return (matches / len(a) + matches / len(b) + (matches - transpositions) / matches) / 3


def jaro_winkler(a: str, b: str, prefix_scale: float = 0.1) -> float:
    j = jaro(a, b)
    prefix = 0
    for x, y in zip(a[:4], b[:4]):
        if x != y:
            break
        prefix += 1
    return j + prefix * prefix_scale * (1 - j)


@dataclass(frozen=True)
class PartialDate:
    """A date of birth as known: any part may be missing (e.g. only the year)."""

    year: int | None = None
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> "PartialDate":
        """'21/03/1985', '1985-03-21', '03/1985' or '1985'; raises ValueError with a plain message."""
        t = text.strip()
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t):
            y, mo, d = map(int, m.groups())
        elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", t):
            d, mo, y = map(int, m.groups())
        elif m := re.fullmatch(r"(\d{1,2})/(\d{4})", t):
            d, (mo, y) = None, map(int, m.groups())
        elif re.fullmatch(r"\d{4}", t):
            y, mo, d = int(t), None, None
        else:
            raise ValueError("Enter the date of birth as DD/MM/YYYY, MM/YYYY or YYYY.")
        if mo is not None and not 1 <= mo <= 12:
            raise ValueError("The month must be between 1 and 12.")
        if d is not None and not 1 <= d <= 31:
            raise ValueError("The day must be between 1 and 31.")
        return cls(y, mo, d)


@dataclass(frozen=True)
class DobMatch:
    score: float  # 0..1
    reason: str


def compare_dob(wanted: PartialDate, candidate: PartialDate) -> DobMatch:
    if wanted.year is None or candidate.year is None:
        return DobMatch(0.0, "")
    full_w = None not in (wanted.month, wanted.day)
    full_c = None not in (candidate.month, candidate.day)
    if wanted == candidate and full_w:
        return DobMatch(1.0, "DOB the same")
    if full_w and full_c and wanted.year == candidate.year and (wanted.day, wanted.month) == (
            candidate.month, candidate.day):
        return DobMatch(0.8, "DOB day and month swapped")
    if wanted.year != candidate.year:
        if full_w and full_c and (wanted.month, wanted.day) == (candidate.month, candidate.day) \
                and abs(wanted.year - candidate.year) == 1:
            return DobMatch(0.5, "DOB the same but the year differs by one")
        return DobMatch(0.0, "")
    # Same year; one side partial.
    if wanted.month is None or candidate.month is None:
        return DobMatch(0.5, "DOB year the same (the rest is not known)")
    if wanted.month == candidate.month:
        if wanted.day is None or candidate.day is None:
            return DobMatch(0.7, "DOB month and year the same (day not known)")
        return DobMatch(0.3, "DOB month and year the same, day differs")
    return DobMatch(0.2, "DOB year the same")


@dataclass(frozen=True)
class NameMatch:
    score: float  # 0..1
    reason: str


def compare_name(wanted: str, candidate: str, part: str) -> NameMatch:
    """`part` is 'surname' or 'forename', used in the reason text."""
    w, c = compact(wanted), compact(candidate)
    if not w or not c:
        return NameMatch(0.0, "")
    if w == c:
        same_written = normalise(wanted) == normalise(candidate)
        return NameMatch(1.0, f"{part} the same" if same_written else f"{part} the same apart from spacing/hyphens")
    # Double-barrelled names: one part of "Smith-Jones" matches "Jones".
    w_parts, c_parts = normalise(wanted).split(), normalise(candidate).split()
    if len(w_parts) > 1 or len(c_parts) > 1:
        if set(w_parts) & set(c_parts):
            return NameMatch(0.8, f"{part} shares a part ({' '.join(sorted(set(w_parts) & set(c_parts)))})")
    # Forename given as an initial.
    if part == "forename" and (len(w) == 1 or len(c) == 1) and w[0] == c[0]:
        return NameMatch(0.6, "forename initial the same")
    similarity = jaro_winkler(w, c)
    sounds = soundex(w) == soundex(c)
    if sounds and similarity >= 0.8:
        return NameMatch(max(0.85, similarity * 0.95), f"{part} sounds like and is spelt like {candidate}")
    if sounds:
        return NameMatch(0.75, f"{part} sounds like {candidate}")
    if similarity >= 0.88:
        return NameMatch(similarity * 0.9, f"{part} spelt similarly to {candidate}")
    return NameMatch(0.0, "")


@dataclass(frozen=True)
class PersonMatch:
    score: int  # 0..100
    reasons: tuple[str, ...] = field(default=())


# Weights: surname and DOB carry most of the evidence; forenames are often shortened or nicknames.
WEIGHTS = {"surname": 0.45, "forename": 0.2, "dob": 0.35}


def combine_matches(surname: NameMatch, forename: NameMatch | None, dob: DobMatch | None) -> PersonMatch:
    """Weigh the parts that were searched for (None: not searched for) into one score with reasons. Lets a
    caller scoring thousands of candidates reuse (cache) the name and date comparisons."""
    total = WEIGHTS["surname"] * surname.score
    weight = WEIGHTS["surname"]
    reasons = [surname.reason] if surname.reason else []
    for part, match in (("forename", forename), ("dob", dob)):
        if match is None:
            continue
        total += WEIGHTS[part] * match.score
        weight += WEIGHTS[part]
        if match.reason:
            reasons.append(match.reason)
    return PersonMatch(round(100 * total / weight), tuple(reasons))


def score_person(
    *,
    surname: str,
    candidate_surname: str,
    forename: str = "",
    candidate_forename: str = "",
    dob: PartialDate | None = None,
    candidate_dob: PartialDate | None = None,
) -> PersonMatch:
    """How well a candidate record matches what was searched for, with reasons for the list."""
    s = compare_name(surname, candidate_surname, "surname")
    f = None
    if forename.strip():
        f = compare_name(forename.split()[0], (candidate_forename.split() or [""])[0], "forename")
    d = None
    if dob is not None and dob.year is not None:
        d = compare_dob(dob, candidate_dob) if candidate_dob else DobMatch(0.0, "")
    return combine_matches(s, f, d)
