"""CJS offence codes and the offence catalogue.

Sources: /work/shared/domain.md §3.2 (what an offence definition holds, versioned with effective dates),
§3.3 (code format AAYYNNN + optional qualifier A/B/C/I; COMLNNN; XX00NNN) and §3.4 (example codes, shipped in
resources/offences/catalogue.json with their sources; statutes marked [U] there carry
`statement_unverified`).

The packaged catalogue is examples only; a force loads the authoritative list as a force file that either
replaces the packaged one or extends it (same code + overlapping dates: the force entry wins).
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

QUALIFIERS = {"A": "Attempting", "B": "Aiding and abetting", "C": "Conspiring", "I": "Inciting"}
_CODE = re.compile(r"^(?:[A-Z]{2}\d{2}|COML)\d{3}[ABCI]?$")


def code_problem(code: str) -> str | None:
    """Why `code` is not a CJS offence code, or None. Accepts lower case (callers upper-case first)."""
    c = code.strip().upper()
    if not c:
        return "Enter the CJS offence code, for example TH68010."
    if _CODE.match(c):
        return None
    if len(c) not in (7, 8):
        return (f"A CJS offence code has 7 characters (8 with a qualifier), e.g. TH68010 or TH68010A; "
                f"'{c}' has {len(c)}.")
    if len(c) == 8 and c[7] not in QUALIFIERS:
        return "The 8th character of an offence code is a qualifier: A attempting, B aiding and abetting, " \
               "C conspiring or I inciting."
    return ("An offence code is two letters for the Act, two digits for its year and a three-digit serial "
            "(e.g. TH68010), or COML and three digits for a common-law offence.")


def normalise_code(code: str) -> str:
    return code.strip().upper()


def qualifier(code: str) -> str | None:
    c = normalise_code(code)
    return QUALIFIERS.get(c[7]) if len(c) == 8 else None


class ModeOfTrial(StrEnum):
    SUMMARY = "summary"
    EITHER_WAY = "either_way"
    INDICTABLE_ONLY = "indictable_only"


# LAA offence_type codes (§3.4): CE either way, CS summary non-motoring, CI indictable, CM summary motoring.
_MODE_BY_TYPE = {"CE": ModeOfTrial.EITHER_WAY, "CS": ModeOfTrial.SUMMARY, "CI": ModeOfTrial.INDICTABLE_ONLY,
                 "CM": ModeOfTrial.SUMMARY}

MODE_TITLES = {ModeOfTrial.SUMMARY: "Summary only", ModeOfTrial.EITHER_WAY: "Either way",
               ModeOfTrial.INDICTABLE_ONLY: "Indictable only"}


@dataclass(frozen=True)
class Offence:
    code: str
    title: str
    statement: str  # "Contrary to …"
    mode_of_trial: ModeOfTrial
    particulars_template: str
    particulars_fields: tuple[str, ...]
    effective_from: date | None  # None: no start date recorded
    effective_to: date | None  # inclusive; None: still in force
    source: str
    statement_unverified: bool = False
    offence_type: str = ""

    @property
    def indictable(self) -> bool:
        """Indictable for PACE purposes includes either-way offences (§1.3)."""
        return self.mode_of_trial is not ModeOfTrial.SUMMARY

    def in_force_on(self, on: date) -> bool:
        return (self.effective_from is None or self.effective_from <= on) and (
            self.effective_to is None or on <= self.effective_to)


class CatalogueError(ValueError):
    """A catalogue file is malformed; the message names the entry and the field."""


def _date(value: object, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as e:
        raise CatalogueError(f"{where}: not an ISO date: {value!r}") from e


def _parse(entry: dict[str, Any], where: str) -> Offence:
    try:
        code = normalise_code(entry["code"])
        if problem := code_problem(code):
            raise CatalogueError(f"{where}: {problem}")
        mode = entry.get("mode_of_trial")
        mode_enum = ModeOfTrial(mode) if mode else _MODE_BY_TYPE[entry["offence_type"]]
        template = entry["particulars_template"]
        fields = tuple(entry.get("particulars_fields") or ())
        offence = Offence(
            code=code,
            title=entry["title"],
            statement=entry["statement"],
            mode_of_trial=mode_enum,
            particulars_template=template,
            particulars_fields=fields,
            effective_from=_date(entry.get("effective_from"), where),
            effective_to=_date(entry.get("effective_to"), where),
            source=entry.get("source", ""),
            statement_unverified=bool(entry.get("statement_unverified", False)),
            offence_type=entry.get("offence_type", ""),
        )
    except KeyError as e:
        raise CatalogueError(f"{where}: missing field {e.args[0]!r}") from e
    except ValueError as e:
        if isinstance(e, CatalogueError):
            raise
        raise CatalogueError(f"{where}: {e}") from e
    if offence.effective_from and offence.effective_to and offence.effective_to < offence.effective_from:
        raise CatalogueError(f"{where}: effective_to is before effective_from")
    return offence


def parse_catalogue(text: str, origin: str) -> tuple[list[Offence], str]:
    """Offences and the merge mode ('replace' or 'extend') of a catalogue document."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise CatalogueError(f"{origin}: not valid JSON ({e.msg}, line {e.lineno})") from e
    mode = doc.get("mode", "replace")
    if mode not in ("replace", "extend"):
        raise CatalogueError(f"{origin}: mode must be 'replace' or 'extend', not {mode!r}")
    entries = doc.get("offences")
    if not isinstance(entries, list):
        raise CatalogueError(f"{origin}: 'offences' must be a list")
    return [_parse(e, f"{origin} offences[{i}]") for i, e in enumerate(entries)], mode


def _overlap(a: Offence, b: Offence) -> bool:
    lo = max(a.effective_from or date.min, b.effective_from or date.min)
    hi = min(a.effective_to or date.max, b.effective_to or date.max)
    return lo <= hi


class Catalogue:
    def __init__(self, offences: Iterable[Offence]):
        self._by_code: dict[str, list[Offence]] = {}
        for o in offences:
            self._by_code.setdefault(o.code, []).append(o)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_code.values())

    def all(self) -> list[Offence]:
        return [o for versions in self._by_code.values() for o in versions]

    def lookup(self, code: str, on_date: date) -> Offence | None:
        """The definition of `code` in force on `on_date` (the offence date, not today)."""
        for o in self._by_code.get(normalise_code(code), []):
            if o.in_force_on(on_date):
                return o
        return None

    def extended(self, extra: Iterable[Offence]) -> "Catalogue":
        merged = {k: list(v) for k, v in self._by_code.items()}
        for o in extra:
            kept = [x for x in merged.get(o.code, []) if not _overlap(x, o)]
            merged[o.code] = kept + [o]
        return Catalogue(o for v in merged.values() for o in v)


def packaged_catalogue() -> Catalogue:
    text = resources.files("resources.offences").joinpath("catalogue.json").read_text(encoding="utf-8")
    offences, _ = parse_catalogue(text, "catalogue.json")
    return Catalogue(offences)


def load_catalogue(force_file: str | Path | None = None) -> Catalogue:
    """The packaged catalogue, replaced or extended by a force file (its "mode")."""
    base = packaged_catalogue()
    if force_file is None:
        return base
    path = Path(force_file)
    offences, mode = parse_catalogue(path.read_text(encoding="utf-8"), path.name)
    return Catalogue(offences) if mode == "replace" else base.extended(offences)
