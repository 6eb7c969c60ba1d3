"""Forgiving person search: indexed candidate retrieval on stored keys, then scoring with domain.names.

Retrieval (all indexed): surname Soundex or exact compact surname (people and aliases), narrowed by the
forename's first letter / Soundex when a forename is given; date-of-birth parts (also day/month swapped);
PNC ID. Scoring: domain.names.score_person on the record's name and on each alias, best one wins, with
the reasons it gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, overload

from sqlalchemy import ColumnElement, Row, Select, SQLColumnExpression, Subquery, and_, or_, select, union
from sqlalchemy.orm import Session

from domain.identifiers import short_pnc_id, validate_pnc_id
from domain.names import (DobMatch, NameMatch, PartialDate, combine_matches, compact, compare_dob, compare_name,
                          soundex)
from server.errors import ProblemError
from server.people.keys import first_forename
from server.people.models import Person, PersonAlias, WarningMarker
from server.people.schemas import PersonSummary, SearchPage, SearchResult

MIN_SCORE = 50
PREFIX = 4  # letters of the surname that must be right for the spelling-slip lookup
MAX_CANDIDATES = 5000  # a safety valve for one-letter queries; real searches return far fewer


@dataclass(frozen=True)
class Query:
    surname: str = ""
    forename: str = ""
    dob: PartialDate | None = None
    pnc: str | None = None
    gender: str | None = None


def parse_query(q: str | None, dob: str | None, pnc: str | None, gender: str | None = None) -> Query:
    errors = []
    surname = forename = ""
    text = (q or "").strip()
    if text:
        if "," in text:
            surname, _, forename = (p.strip() for p in text.partition(","))
        else:
            parts = text.split()
            if len(parts) > 1 and parts[0].isupper() and not parts[-1].isupper():
                # Police convention: "MACDONALD Stephen" gives the surname first, in capitals.
                surname, forename = parts[0], " ".join(parts[1:])
            else:
                surname, forename = parts[-1], " ".join(parts[:-1])
        if not any(c.isalpha() for c in surname):
            errors.append({"field": "q", "message": "Give a name with letters in it."})
    wanted_dob = None
    if dob and dob.strip():
        try:
            wanted_dob = PartialDate.parse(dob)
        except ValueError as exc:
            errors.append({"field": "dob", "message": str(exc)})
    canonical_pnc = None
    if pnc and pnc.strip():
        checked = validate_pnc_id(pnc)
        if checked.ok:
            canonical_pnc = checked.canonical
        else:
            errors.append({"field": "pnc", "message": checked.error or "Not a valid PNC ID."})
    if not errors and not (surname or wanted_dob or canonical_pnc):
        errors.append({"field": "q", "message": "Give a name, a date of birth or a PNC ID to search for."})
    if errors:
        raise ProblemError(422, "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)
    return Query(surname, forename, wanted_dob, canonical_pnc, gender)


_NameKeys = tuple[SQLColumnExpression[str | None], SQLColumnExpression[str | None], SQLColumnExpression[str | None]]


def _name_filter(cols: _NameKeys, query: Query) -> ColumnElement[bool]:
    """cols: (surname_sx, surname_key, forename_sx) of people or aliases."""
    surname_sx, surname_key, forename_sx = cols
    key, sx = compact(query.surname), soundex(query.surname)
    by_surname = or_(surname_sx == sx, surname_key == key)
    if len(key) >= PREFIX + 2:
        # A slip late in a long name can change its Soundex (a dropped consonant); the same first letters still
        # find it (an index range scan), and Jaro-Winkler decides.
        by_surname = or_(by_surname, and_(surname_key >= key[:PREFIX], surname_key < key[:PREFIX - 1]
                                          + chr(ord(key[PREFIX - 1]) + 1)))
    first = first_forename(query.forename)
    if not first or len(compact(first)) < 1:
        return by_surname
    fsx = soundex(first)
    if not fsx:  # no letters Soundex can code (e.g. only symbols): the surname alone decides
        return by_surname
    initial = fsx[:1]
    # Same first letter (covers Stephen/Steven, initials) or the same Soundex (Catherine/Katherine).
    by_forename = or_(and_(forename_sx >= initial, forename_sx < chr(ord(initial) + 1)), forename_sx == fsx)
    return and_(by_surname, by_forename)


def _dob_filter(query: Query) -> ColumnElement[bool]:
    d = query.dob
    assert d is not None and d.year is not None
    same = [Person.dob_year == d.year]
    if d.month is not None:
        same.append(Person.dob_month == d.month)
    if d.day is not None:
        same.append(Person.dob_day == d.day)
    clauses = [and_(*same)]
    if d.month is not None and d.day is not None and d.day <= 12:
        clauses.append(and_(Person.dob_year == d.year, Person.dob_month == d.day, Person.dob_day == d.month))
    return or_(*clauses)


def _candidate_ids(query: Query) -> Subquery | None:
    """One UNION of indexed lookups: the ids worth scoring."""
    parts: list[Select[str]] = []
    if query.pnc:
        parts.append(select(Person.id.label("pid")).where(Person.pnc_id == query.pnc))
    year = query.dob.year if query.dob is not None else None
    has_year = year is not None
    if query.surname:
        by_name = select(Person.id.label("pid")).where(
            _name_filter((Person.surname_sx, Person.surname_key, Person.forename_sx), query))
        if year is not None:
            # compare_dob scores nothing beyond a year either way, so those records would be ruled out anyway.
            by_name = by_name.where(or_(Person.dob_year.is_(None), Person.dob_year.between(year - 1, year + 1)))
        parts.append(by_name)
        parts.append(select(PersonAlias.person_id.label("pid")).where(
            _name_filter((PersonAlias.surname_sx, PersonAlias.surname_key, PersonAlias.forename_sx), query)))
        if query.forename and has_year:
            # A nickname or a different forename: the surname and the date of birth can still find them.
            key, sx = compact(query.surname), soundex(query.surname)
            parts.append(select(Person.id.label("pid")).where(
                or_(Person.surname_sx == sx, Person.surname_key == key), _dob_filter(query)))
    elif has_year:
        parts.append(select(Person.id.label("pid")).where(_dob_filter(query)))
    if not parts:
        return None
    return union(*parts).subquery()


def candidate_ids(session: Session, query: Query) -> set[str]:
    ids = _candidate_ids(query)
    if ids is None:
        return set()
    return set(session.scalars(select(Person.id).where(Person.id.in_(select(ids.c.pid)),
                                                       Person.merged_into.is_(None))))


@overload
def _partial(dob: date) -> PartialDate: ...


@overload
def _partial(dob: date | None) -> PartialDate | None: ...


def _partial(dob: date | None) -> PartialDate | None:
    return PartialDate(dob.year, dob.month, dob.day) if dob else None


@dataclass
class _Scored:
    person_id: str
    score: int
    reasons: list[str]
    row: Any = None


# person_id, surname, forenames, date_of_birth of a PersonAlias
_AliasRow = Row[str, str, str, date | None]


class _Scorer:
    """domain.names scoring with the name and date comparisons cached: thousands of candidates share a few
    surnames and forenames, so each distinct comparison is made once per search."""

    def __init__(self, query: Query):
        self.query = query
        self.forename = first_forename(query.forename)
        self._s: dict[str, NameMatch] = {}
        self._f: dict[str, NameMatch] = {}
        self._d: dict[date | None, DobMatch] = {}

    def surname(self, candidate: str) -> NameMatch:
        if candidate not in self._s:
            self._s[candidate] = compare_name(self.query.surname, candidate, "surname")
        return self._s[candidate]

    def forename_match(self, candidate_forenames: str) -> NameMatch | None:
        if not self.forename:
            return None
        first = first_forename(candidate_forenames)
        if first not in self._f:
            self._f[first] = compare_name(self.forename, first, "forename")
        return self._f[first]

    def dob(self, candidate: date | None) -> DobMatch | None:
        wanted = self.query.dob
        if wanted is None or wanted.year is None:
            return None
        return self._dob_against(wanted, candidate)

    def _dob_against(self, wanted: PartialDate, candidate: date | None) -> DobMatch:
        if candidate not in self._d:
            self._d[candidate] = compare_dob(wanted, _partial(candidate)) if candidate else DobMatch(0.0, "")
        return self._d[candidate]

    def score(self, surname: str, forenames: str, dob: date | None, aliases: Sequence[_AliasRow],
              pnc: str | None) -> _Scored | None:
        query = self.query
        best_score: int = -1
        best_reasons: list[str] = []
        pnc_same = bool(query.pnc) and pnc == query.pnc
        if query.surname:
            options = [(surname, forenames, dob, "")] + [
                (a.surname, a.forenames, a.date_of_birth or dob,
                 " ".join(p for p in ("alias", a.forenames, a.surname) if p)) for a in aliases]
            for cand_surname, cand_forenames, cand_dob, label in options:
                match = combine_matches(self.surname(cand_surname), self.forename_match(cand_forenames),
                                        self.dob(cand_dob))
                if match.score > best_score:
                    reasons = list(match.reasons)
                    if label:
                        reasons.insert(0, f"matched {label}")
                    best_score, best_reasons = match.score, reasons
            if query.dob is not None and query.dob.year is not None and dob is not None and not pnc_same:
                # Narrowing: a known date of birth that does not match at all rules the record out.
                known = [dob] + [a.date_of_birth for a in aliases if a.date_of_birth]
                if all(self._dob_against(query.dob, d).score == 0 for d in known):
                    return None
        elif query.dob is not None:
            d = self.dob(dob)
            if d is None or d.score == 0:
                if not pnc_same:
                    return None
            else:
                best_score, best_reasons = round(100 * d.score), [d.reason]
        if query.pnc:
            if pnc_same:
                best_score, best_reasons = 100, ["PNC ID the same"] + best_reasons
            elif not query.surname and query.dob is None:
                return None
        return _Scored("", best_score, best_reasons)


def _score(session: Session, query: Query, ids: Subquery | None) -> list[_Scored]:
    if ids is None:
        return []
    rows = session.execute(
        select(Person.id, Person.surname, Person.forenames, Person.date_of_birth, Person.pnc_id, Person.gender)
        .where(Person.id.in_(select(ids.c.pid)), Person.merged_into.is_(None)).limit(MAX_CANDIDATES)).all()
    aliases: dict[str, list[_AliasRow]] = {}
    if query.surname and rows:
        for a in session.execute(select(PersonAlias.person_id, PersonAlias.surname, PersonAlias.forenames,
                                        PersonAlias.date_of_birth)
                                 .where(PersonAlias.person_id.in_(select(ids.c.pid)))):
            aliases.setdefault(a.person_id, []).append(a)
    scorer = _Scorer(query)
    scored: list[_Scored] = []
    for row in rows:
        if query.gender and row.gender != query.gender:
            continue
        result = scorer.score(row.surname, row.forenames, row.date_of_birth, aliases.get(row.id, ()), row.pnc_id)
        if result is not None and result.score >= MIN_SCORE:
            result.person_id, result.row = row.id, row
            scored.append(result)
    scored.sort(key=lambda s: (-s.score, s.row.surname, s.row.forenames, s.person_id))
    return scored


def score_candidates(session: Session, query: Query, ids: set[str]) -> list[_Scored]:
    """Score a given set of ids (duplicate check: small sets)."""
    if not ids:
        return []
    sub = select(Person.id.label("pid")).where(Person.id.in_(list(ids))).subquery()
    return _score(session, query, sub)


def _results(session: Session, scored: list[_Scored]) -> list[SearchResult]:
    if not scored:
        return []
    codes: dict[str, set[str]] = {}
    for person_id, code in session.execute(
            select(WarningMarker.person_id, WarningMarker.code)
            .where(WarningMarker.person_id.in_([s.person_id for s in scored]), WarningMarker.removed_at.is_(None))):
        codes.setdefault(person_id, set()).add(code)
    out = []
    for s in scored:
        row = s.row
        out.append(SearchResult(person=PersonSummary(
            id=row.id, surname=row.surname, forenames=row.forenames, date_of_birth=row.date_of_birth,
            gender=row.gender, pnc_id=row.pnc_id, pnc_id_short=short_pnc_id(row.pnc_id) if row.pnc_id else None,
            warning_codes=sorted(codes.get(row.id, ())), merged_into=None), score=s.score, reasons=s.reasons))
    return out


def search_people(session: Session, query: Query, page: int = 1, page_size: int = 20) -> SearchPage:
    scored = _score(session, query, _candidate_ids(query))
    start = (page - 1) * page_size
    return SearchPage(total=len(scored), page=page, page_size=page_size,
                      results=_results(session, scored[start:start + page_size]))


def duplicate_candidates(session: Session, surname: str, forenames: str, dob: date | None, pnc: str | None,
                         cro: str | None, exclude_id: str | None = None, limit: int = 10) -> list[SearchResult]:
    query = Query(surname=surname, forename=forenames, dob=_partial(dob), pnc=pnc)
    ids = candidate_ids(session, query)
    cro_ids: set[str] = set()
    if cro:
        cro_ids = set(session.scalars(select(Person.id).where(Person.cro_number == cro,
                                                              Person.merged_into.is_(None))))
        ids |= cro_ids
    ids.discard(exclude_id or "")
    scored = score_candidates(session, query, ids)
    found = {s.person_id for s in scored}
    missing = cro_ids - found
    if missing:
        # Scored too low on name and DOB, but the CRO number alone makes them a likely duplicate.
        scored += [_Scored(row.id, 0, [], row) for row in session.execute(
            select(Person.id, Person.surname, Person.forenames, Person.date_of_birth, Person.pnc_id, Person.gender)
            .where(Person.id.in_(list(missing))))]
    for s in scored:
        if s.person_id in cro_ids:
            s.score, s.reasons = 100, ["CRO number the same"] + s.reasons
    scored.sort(key=lambda s: (-s.score, s.person_id))
    return _results(session, scored[:limit])
