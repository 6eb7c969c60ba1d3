"""The custody record as a PDF a court can read (Code C 2; domain.md §1.7)."""

from __future__ import annotations

from os import PathLike
from typing import BinaryIO

from desktop.printing.custody_record_content import custody_record_content
from desktop.printing.documents import CustodyRecordDoc
from desktop.printing.story import build_pdf
from desktop.printing.validation import custody_record_problems, raise_if_problems


def build_custody_record_pdf(doc: CustodyRecordDoc, path_or_file: str | PathLike[str] | BinaryIO) -> None:
    """Write the record to a path or a binary file object. Raises DocumentError (with every
    problem, each naming its field) if the record cannot be printed faithfully."""
    raise_if_problems(custody_record_problems(doc))
    content = custody_record_content(doc)
    name = doc.detainee.full_name()
    build_pdf(
        content, path_or_file,
        title=f"Custody record {doc.custody_number} — {name}",
        author=doc.printed_by.label() if doc.printed_by else doc.station,
        subject=f"Custody record of {name}, {doc.station}",
        running_left=f"Custody record {doc.custody_number}",
        running_right=name,
    )
