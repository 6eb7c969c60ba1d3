"""The charge sheet as a PDF (domain.md §1.12, §3.1)."""

from __future__ import annotations

from os import PathLike
from typing import BinaryIO

from desktop.printing.charge_sheet_content import charge_sheet_content
from desktop.printing.documents import ChargeSheetDoc
from desktop.printing.story import build_pdf
from desktop.printing.validation import charge_sheet_problems, raise_if_problems


def build_charge_sheet_pdf(doc: ChargeSheetDoc, path_or_file: str | PathLike[str] | BinaryIO) -> None:
    """Write the charge sheet to a path or a binary file object. Raises DocumentError naming each
    incomplete part (e.g. "Charge 2 (CJ88150 …) has no particulars of offence.") before writing
    anything, so no partial court document is left behind."""
    raise_if_problems(charge_sheet_problems(doc))
    content = charge_sheet_content(doc)
    name = doc.defendant.full_name()
    build_pdf(
        content, path_or_file,
        title=f"Charge sheet {doc.custody_number} — {name}",
        author=doc.charged_by.label(),
        subject=f"Charges against {name}, {doc.station}",
        running_left=f"Charge sheet {doc.custody_number}",
        running_right=name,
    )
