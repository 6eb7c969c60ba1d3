"""Charging: the caution on charge and rendering the particulars of an offence.

Sources: /work/shared/domain.md §1.12 (caution on charge: "mention now"; exact Code C 16.2 wording [U], so it
is configuration with this default) and §3.2 (particulars template: date or range, place, items, value,
owner/victim).
"""

import string
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.decision import FieldError

DEFAULT_CAUTION_ON_CHARGE = (
    "You do not have to say anything. But it may harm your defence if you do not mention now something "
    "which you later rely on in court. Anything you do say may be given in evidence."
)


def caution_on_charge(config: dict[str, Any] | None = None) -> str:
    """The force's configured wording, else the default (force_defaults.json key `caution_on_charge`)."""
    text = (config or {}).get("caution_on_charge") or DEFAULT_CAUTION_ON_CHARGE
    return text.strip()


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date | None = None  # None: a single date


FIELD_LABELS = {
    "date": "date of the offence",
    "place": "place",
    "victim": "victim",
    "owner": "owner of the property",
    "property": "property",
    "value": "value",
}


def _long_date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _money(value: Decimal) -> str:
    return f"£{value:,.2f}"


def template_fields(template: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(template) if f]


def render_particulars(template: str, values: dict[str, object]) -> tuple[str | None, list[FieldError]]:
    """Fill a particulars template; missing or bad fields come back as errors named `particulars.<field>`."""
    errors: list[FieldError] = []
    rendered: dict[str, str] = {}
    for name in template_fields(template):
        if name in rendered:
            continue
        value = values.get(name)
        label = FIELD_LABELS.get(name, name.replace("_", " "))
        if value is None or (isinstance(value, str) and not value.strip()):
            errors.append(FieldError(f"particulars.{name}", f"Enter the {label}; the charge wording needs it."))
            continue
        if name == "date":
            if isinstance(value, date):
                value = DateRange(value)
            if not isinstance(value, DateRange):
                errors.append(FieldError("particulars.date", "Give the date of the offence, or the first and last "
                                                             "dates of a range."))
                continue
            if value.end is None or value.end == value.start:
                rendered[name] = f"On {_long_date(value.start)}"
            elif value.end < value.start:
                errors.append(FieldError("particulars.date", "The end of the date range is before its start."))
                continue
            else:
                rendered[name] = f"Between {_long_date(value.start)} and {_long_date(value.end)}"
        elif name == "value":
            try:
                amount = Decimal(str(value))
            except ArithmeticError:
                amount = Decimal(-1)
            if not amount.is_finite() or amount < 0:
                errors.append(FieldError("particulars.value", "Give the value in pounds, e.g. 45.99."))
                continue
            rendered[name] = _money(amount)
        else:
            rendered[name] = str(value).strip()
    if errors:
        return None, errors
    return template.format(**rendered), []
