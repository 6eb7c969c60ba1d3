"""The subject access export as a PDF (reportlab, the same page layout as the custody record)."""

from __future__ import annotations

from os import PathLike
from typing import Any, BinaryIO

from desktop.printing.story import build_pdf
from desktop.printing.subject_access_content import subject_access_content


def build_subject_access_pdf(data: dict[str, Any], path_or_file: str | PathLike[str] | BinaryIO) -> None:
    content = subject_access_content(data)
    name = str(data.get("person_name", ""))
    build_pdf(content, path_or_file, title=f"Subject access export — {name}",
              author=str((data.get("generated_by") or {}).get("display_name", "")),
              subject=f"Subject access request {data.get('request_reference', '')}",
              running_left=f"Subject access {data.get('request_reference', '')}", running_right=name)
