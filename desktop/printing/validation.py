"""Checks run before printing: a court document with a missing part must not be produced silently.

Each check returns [(field, message)]; the builders raise DocumentError with all of them at once, so
the user can fix everything in one go.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

from desktop.printing.documents import ChargeSheetDoc, CustodyRecordDoc, DocumentError

# DS_080: AAYYNNN, COMLNNN or XX00NNN, each with an optional A/B/C/I qualifier.
_CJS_CODE = re.compile(r"^(?:[A-Z]{2}\d{5}|COML\d{3}|XX00\d{3})[ABCI]?$")


def naive_times(value: object, path: str = "") -> list[tuple[str, str]]:
    """Every datetime without a zone: it would print as the workstation's local time, silently."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return [(path, f"{path or 'A time'} has no time zone; times must be UTC from the API.")]
        return []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found: list[tuple[str, str]] = []
        for f in dataclasses.fields(value):
            found += naive_times(getattr(value, f.name), f"{path}.{f.name}" if path else f.name)
        return found
    if isinstance(value, tuple | list):
        found = []
        for index, item in enumerate(value):
            found += naive_times(item, f"{path}.{index}")
        return found
    return []


def custody_record_problems(doc: CustodyRecordDoc) -> list[tuple[str, str]]:
    problems = naive_times(doc)
    if not doc.custody_number.strip():
        problems.append(("custody_number", "The custody record has no custody number."))
    seen: set[str] = set()
    for index, entry in enumerate(doc.log_entries):
        if entry.id in seen:
            problems.append((f"log_entries.{index}.id", f"Log entry {entry.id} appears twice."))
        seen.add(entry.id)
    return problems


def charge_sheet_problems(doc: ChargeSheetDoc) -> list[tuple[str, str]]:
    problems = naive_times(doc)
    if not doc.charges:
        problems.append(("charges", "A charge sheet needs at least one charge."))
    for index, charge in enumerate(doc.charges):
        where = f"charges.{index}"
        name = charge.label()
        if charge.number != index + 1:
            problems.append((f"{where}.number", f"{name} is numbered {charge.number}; charges must be numbered "
                                                 f"1, 2, 3… in order, so it should be {index + 1}."))
        if not _CJS_CODE.match(charge.cjs_code.strip()):
            problems.append((f"{where}.cjs_code", f"{name} has CJS offence code '{charge.cjs_code}', which is not "
                                                   "of the form AAYYNNN, COMLNNN or XX00NNN (optionally A, B, C or I)."))
        if not charge.title.strip():
            problems.append((f"{where}.title", f"{name} has no offence title."))
        if not charge.statement.strip():
            problems.append((f"{where}.statement", f"{name} has no statement of offence (\"contrary to …\")."))
        if not charge.particulars.strip():
            problems.append((f"{where}.particulars", f"{name} has no particulars of offence."))
    if doc.caution.given and (doc.caution.by is None or doc.caution.at is None):
        problems.append(("caution", "Record who gave the caution on charge, and when."))
    if doc.reply_after_charge is None:
        problems.append(("reply_after_charge",
                         "Record the reply after charge verbatim (leave it empty if no reply was made)."))
    outcome = doc.bail.outcome.strip().lower()
    if outcome.startswith("conditional"):
        if not doc.bail.conditions:
            problems.append(("bail.conditions", "Conditional bail needs at least one condition."))
        if not doc.bail.reasons.strip():
            problems.append(("bail.reasons", "Give the reasons for imposing bail conditions."))
    if outcome.startswith("remand") and not doc.bail.reasons.strip():
        problems.append(("bail.reasons", "Give the grounds for refusing bail (PACE s.38)."))
    if doc.first_hearing is None:
        problems.append(("first_hearing", "Give the court, date and time of the first hearing."))
    elif not doc.first_hearing.court.strip():
        problems.append(("first_hearing.court", "Give the court of the first hearing."))
    return problems


def raise_if_problems(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise DocumentError(problems)
