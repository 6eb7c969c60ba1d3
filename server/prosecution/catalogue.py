"""The offence catalogue as prosecution shows it: search and the wire shape of an offence.

The catalogue itself is the server's one catalogue, `server.force.catalogue` (BRIDEWELL_OFFENCE_CATALOGUE,
else the force configuration's `offence_catalogue_file`, else the packaged examples): booking and charging agree.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from domain.offences import MODE_TITLES, Catalogue, Offence, offence_entry
from server import force
from server.prosecution.schemas import CatalogueOffenceOut

catalogue = force.catalogue


@dataclass(frozen=True)
class Document:
    """The catalogue as served by GET /offences/catalogue: rendered once per loaded catalogue."""
    version: str
    etag: str
    body: bytes


def document() -> Document:
    return _document(catalogue())


@lru_cache(maxsize=2)
def _document(loaded: Catalogue) -> Document:
    entries = sorted((offence_entry(o) for o in loaded.all()),
                     key=lambda e: (e["code"], e["effective_from"] or ""))
    canonical = json.dumps(entries, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # The content decides the version, so every worker of a deployment serves the same one for the same files.
    version = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    body = json.dumps({"version": version, "mode": "replace", "offences": entries}, ensure_ascii=False)
    return Document(version, f'"{version}"', body.encode())


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 13.1.2: weak comparison against any listed tag, or '*'."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


def offence_out(o: Offence, today: date) -> CatalogueOffenceOut:
    return CatalogueOffenceOut(
        code=o.code, title=o.title, statement=o.statement, statement_unverified=o.statement_unverified,
        mode_of_trial=o.mode_of_trial.value, mode_of_trial_title=MODE_TITLES[o.mode_of_trial],
        particulars_template=o.particulars_template, particulars_fields=list(o.particulars_fields),
        effective_from=o.effective_from, effective_to=o.effective_to, in_force_today=o.in_force_on(today))


def search(q: str, on: date | None, today: date) -> list[CatalogueOffenceOut]:
    """Every version whose code or title holds all the words of `q` (any order, any case)."""
    words = q.lower().split()
    found = []
    for o in catalogue().all():
        hay = f"{o.code} {o.title} {o.statement}".lower()
        if all(w in hay for w in words) and (on is None or o.in_force_on(on)):
            found.append(o)
    found.sort(key=lambda o: (not o.code.lower().startswith(q.strip().lower()), o.code,
                              o.effective_from or date.min))
    return [offence_out(o, today) for o in found]
