"""Forgiving person search: indexed candidate retrieval on stored keys, then scoring with domain.names.

Retrieval (all indexed): surname Soundex or exact compact surname (people and aliases), narrowed by the
forename's first letter / Soundex when a forename is given; date-of-birth parts (also day/month swapped);
PNC ID. Scoring: domain.names.score_person on the record's name and on each alias, best one wins, with
the reasons it gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from domain.identifiers import validate_pnc_id
from domain.names import PartialDate, compact, compare_dob, score_person, soundex
from server.errors import ProblemError
from server.people.keys import first_forename
from server.people.models import Person, PersonAlias
from server.people.schemas import SearchPage, SearchResult, person_summary

MIN_SCORE = 50
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
            surname, forename = parts[-1], " ".join(parts[:-1])
        if not compact(surname):
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


def _name_filter(cols, query: Query):
    """cols: (surname_sx, surname_key, forename_sx) of people or aliases."""
    surname_sx, surname_key, forename_sx = cols
    key, sx = compact(query.surname), soundex(query.surname)
    by_surname = or_(surname_sx == sx, surname_key == key)
    first = first_forename(query.forename)
    if not first or len(compact(first)) < 1:
        return by_surname
    fsx = soundex(first)
    initial = fsx[:1]
    # Same first letter (covers Stephen/Steven, initials) or the same Soundex (Catherine/Katherine).
    by_forename = or_(and_(forename_sx >= initial, forename_sx < chr(ord(initial) + 1)), forename_sx == fsx)
    return and_(by_surname, by_forename)


def _dob_filter(query: Query):
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


def candidate_ids(session: Session, query: Query) -> set[str]:
    ids: set[str] = set()
    live = Person.merged_into.is_(None)
    if query.pnc:
        ids.update(session.scalars(select(Person.id).where(Person.pnc_id == query.pnc, live)))
    if query.surname:
        ids.update(session.scalars(select(Person.id).where(
            _name_filter((Person.surname_sx, Person.surname_key, Person.forename_sx), query), live)
            .limit(MAX_CANDIDATES)))
        ids.update(session.scalars(select(PersonAlias.person_id).where(
            _name_filter((PersonAlias.surname_sx, PersonAlias.surname_key, PersonAlias.forename_sx), query))
            .limit(MAX_CANDIDATES)))
        if query.forename and query.dob is not None and query.dob.year is not None:
            # A nickname or a different forename: the surname and the date of birth can still find them.
            key, sx = compact(query.surname), soundex(query.surname)
            ids.update(session.scalars(select(Person.id).where(
                or_(Person.surname_sx == sx, Person.surname_key == key), _dob_filter(query), live)))
    elif query.dob is not None and query.dob.year is not None:
        ids.update(session.scalars(select(Person.id).where(_dob_filter(query), live).limit(MAX_CANDIDATES)))
    return ids


def _partial(dob: date | None) -> PartialDate | None:
    return PartialDate(dob.year, dob.month, dob.day) if dob else None


@dataclass
class _Scored:
    person_id: str
    score: int
    reasons: list[str]


def _score_one(query: Query, name: tuple[str, str, date | None], aliases, pnc: str | None) -> _Scored | None:
    surname, forenames, dob = name
    best_score, best_reasons = -1, []
    if query.surname:
        options = [(surname, forenames, dob, "")] + [
            (a.surname, a.forenames, a.date_of_birth or dob, f"alias {a.forenames} {a.surname}".replace("  ", " ")
             .strip()) for a in aliases]
        for cand_surname, cand_forenames, cand_dob, label in options:
            match = score_person(surname=query.surname, candidate_surname=cand_surname, forename=query.forename,
                                 candidate_forename=cand_forenames, dob=query.dob, candidate_dob=_partial(cand_dob))
            if match.score > best_score:
                reasons = list(match.reasons)
                if label:
                    reasons.insert(0, f"matched {label}")
                best_score, best_reasons = match.score, reasons
        if query.dob is not None and dob is not None and query.dob.year is not None:
            # Narrowing: a known date of birth that does not match at all rules the record out.
            if all(compare_dob(query.dob, _partial(d)).score == 0 for d in
                   [dob] + [a.date_of_birth for a in aliases if a.date_of_birth]):
                if not (query.pnc and pnc == query.pnc):
                    return None
    elif query.dob is not None:
        d = compare_dob(query.dob, _partial(dob)) if dob else None
        if d is None or d.score == 0:
            if not (query.pnc and pnc == query.pnc):
                return None
        else:
            best_score, best_reasons = round(100 * d.score), [d.reason]
    if query.pnc:
        if pnc == query.pnc:
            best_score, best_reasons = 100, ["PNC ID the same"] + best_reasons
        elif not query.surname and query.dob is None:
            return None
    return _Scored("", best_score, best_reasons)


def score_candidates(session: Session, query: Query, ids: set[str]) -> list[_Scored]:
    if not ids:
        return []
    id_list = list(ids)
    rows, alias_rows = [], []
    for i in range(0, len(id_list), 900):  # stay under SQLite's bound-parameter limit
        chunk = id_list[i:i + 900]
        stmt = select(Person.id, Person.surname, Person.forenames, Person.date_of_birth, Person.pnc_id,
                      Person.gender).where(Person.id.in_(chunk))
        rows.extend(session.execute(stmt).all())
        alias_rows.extend(session.execute(select(PersonAlias).where(PersonAlias.person_id.in_(chunk))).scalars())
    aliases: dict[str, list[PersonAlias]] = {}
    for a in alias_rows:
        aliases.setdefault(a.person_id, []).append(a)
    scored = []
    for row in rows:
        if query.gender and row.gender != query.gender:
            continue
        result = _score_one(query, (row.surname, row.forenames, row.date_of_birth), aliases.get(row.id, []),
                            row.pnc_id)
        if result is not None and result.score >= MIN_SCORE:
            result.person_id = row.id
            scored.append(result)
    scored.sort(key=lambda s: (-s.score, s.person_id))
    return scored


def _results(session: Session, scored: list[_Scored]) -> list[SearchResult]:
    if not scored:
        return []
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_([s.person_id for s in scored]))
                                               .options(selectinload(Person.warning_markers)))}
    return [SearchResult(person=person_summary(people[s.person_id]), score=s.score, reasons=s.reasons)
            for s in scored]


def search_people(session: Session, query: Query, page: int = 1, page_size: int = 20) -> SearchPage:
    scored = score_candidates(session, query, candidate_ids(session, query))
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
    for pid in cro_ids - found:
        scored.append(_Scored(pid, 100, ["CRO number the same"]))
    for s in scored:
        if s.person_id in cro_ids and "CRO number the same" not in s.reasons:
            s.score, s.reasons = 100, ["CRO number the same"] + s.reasons
    scored.sort(key=lambda s: (-s.score, s.person_id))
    return _results(session, scored[:limit])
