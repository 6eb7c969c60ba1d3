"""If-Match is read one way in every area (server/records.py): a version number, quoted or weak, or a 422 naming
the header — also for a number no version column can hold (the fuzzer's 22-digit If-Match was a 500)."""

from __future__ import annotations

import pytest

from server.errors import ProblemError
from server.records import MAX_VERSION, parse_if_match


@pytest.mark.parametrize("header, version", [("3", 3), ('"3"', 3), ('W/"3"', 3), (" 0 ", 0),
                                             (str(MAX_VERSION), MAX_VERSION), (None, None), ("  ", None)])
def test_a_version_in_any_of_its_forms_is_read(header, version):
    assert parse_if_match(header) == version


@pytest.mark.parametrize("header", ["three", "3051840866325183769588 \t", str(MAX_VERSION + 1), "-1", 'W/"x"'])
def test_anything_else_is_a_422_naming_the_header(header):
    with pytest.raises(ProblemError) as refused:
        parse_if_match(header)
    assert refused.value.status == 422
    assert refused.value.errors == [{"field": "If-Match",
                                     "message": "Send the record's version number, e.g. If-Match: 3."}]
