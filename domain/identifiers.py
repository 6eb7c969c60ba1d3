"""PNC ID and CRO number validation and canonical forms.

Source: /work/shared/domain.md §6.3 (NPCC POLE data standard DS; MoJ hmpps-person-record validators).
Check-character algorithm: the numeric value (for a PNC ID: 2-digit year followed by the serial zero-padded
to 7 digits; for a CRO number: 2-digit year followed by the serial zero-padded to 6) modulo 23 indexes
"ZABCDEFGHJKLMNPQRTUVWXY" (0→Z, 1→A, …; no I, O or S).
"""

import re
from dataclasses import dataclass
from datetime import date

CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


def check_letter(number: int) -> str:
    return CHECK_LETTERS[number % 23]


@dataclass(frozen=True)
class Validated:
    canonical: str | None  # None when invalid
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


_PNC = re.compile(r"^(\d{2}|\d{4})/(\d{1,7})([A-Z])$")


def pnc_check(yy: str, serial: str) -> str:
    return check_letter(int(yy + serial.zfill(7)))


def validate_pnc_id(text: str, *, today: date | None = None) -> Validated:
    """Accept short `YY/NNNNNNNL` or long `YYYY/NNNNNNNL`; return the canonical long form (13 characters).

    A short form's century is the one that does not put the year in the future."""
    raw = text.strip().upper().replace(" ", "")
    if not raw:
        return Validated(None, "Enter the PNC ID, for example 2012/0394773H.")
    m = _PNC.match(raw)
    if not m:
        return Validated(None, "A PNC ID looks like 2012/0394773H or 12/394773H: year, '/', up to 7 digits, "
                               "then a check letter.")
    year, serial, letter = m.groups()
    # An officer types the long form as printed (2012/0394773H) or without the padding (2012/394773H, as
    # domain.md §6.3 lists among the valid inputs): both mean one person, stored in the padded form.
    if len(year) == 2:
        this_year = (today or date.today()).year
        century = 2000 if 2000 + int(year) <= this_year else 1900
        year = str(century + int(year))
    expected = pnc_check(year[2:], serial)
    if letter != expected:
        return Validated(None, f"The check letter does not match: for {year}/{serial.zfill(7)} it should be "
                               f"{expected}. Check the number for a typing error.")
    return Validated(f"{year}/{serial.zfill(7)}{letter}")


def short_pnc_id(canonical: str) -> str:
    """Display form YY/N…L with leading zeros dropped."""
    year, rest = canonical.split("/")
    return f"{year[2:]}/{int(rest[:-1])}{rest[-1]}"


_CRO = re.compile(r"^(\d{1,6})/(\d{2})([A-Z])$")
_CRO_SF = re.compile(r"^SF(\d{2})/(\d{1,6})([A-Z])$")


def cro_check(serial: str, yy: str) -> str:
    return check_letter(int(yy + serial.zfill(6)))


def validate_cro(text: str) -> Validated:
    """Accept `NNNNNN/YYL` or the SF form `SFYY/NNNNNNL`; canonical form drops leading zeros of the serial.

    SF numbers: the POLE dictionary pads the serial (post-1964) while the MoJ validator does not – the sources
    conflict [U], so either check letter is accepted."""
    raw = text.strip().upper().replace(" ", "")
    if not raw:
        return Validated(None, "Enter the CRO number, for example 29906/12J.")
    if m := _CRO.match(raw):
        serial, yy, letter = m.groups()
        expected = cro_check(serial, yy)
        if letter != expected:
            return Validated(None, f"The check letter does not match: for {int(serial)}/{yy} it should be "
                                   f"{expected}. Check the number for a typing error.")
        return Validated(f"{int(serial)}/{yy}{letter}")
    if m := _CRO_SF.match(raw):
        yy, serial, letter = m.groups()
        if not 39 <= int(yy) <= 95:
            return Validated(None, "An SF CRO number has a year between 39 and 95.")
        allowed = {check_letter(int(yy + serial.zfill(6))), check_letter(int(yy + str(int(serial))))}
        if int(yy) < 65:
            allowed.add(check_letter(int(serial)))
        if letter not in allowed:
            return Validated(None, "The check letter of this SF CRO number does not match. "
                                   "Check the number for a typing error.")
        return Validated(f"SF{yy}/{int(serial)}{letter}")
    return Validated(None, "A CRO number looks like 29906/12J (serial, '/', two-digit year, check letter) "
                           "or SF95/1234K.")
