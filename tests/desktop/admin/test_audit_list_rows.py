"""A list read is one audit row naming every subject shown (issue 9): the viewer says so, and the export keeps
every id, so the file can still be checked against the server."""

from __future__ import annotations

from desktop.models.admin.audit_model import CSV_HEADER, csv_row, what_text

LIST_READ = {"id": 7, "at": "2026-11-30T07:00:00+00:00", "user": None, "action": "consultation",
             "entity": "custody_record", "entity_id": None, "justification": "custody records list",
             "workstation": "CUSTODY-DESK-3", "subjects": ["0b1e", "7c2d", "9f3a"]}


def test_a_list_read_says_how_many_it_showed_and_exports_every_id():
    assert what_text(LIST_READ) == "custody record: 3 in a list"
    row = dict(zip(CSV_HEADER, csv_row(LIST_READ), strict=True))
    assert row["entity_id"] == "0b1e 7c2d 9f3a"


def test_a_single_read_is_shown_as_before():
    one = {**LIST_READ, "entity_id": "0b1e2c3d-0000-4000-8000-000000000001", "subjects": []}
    assert what_text(one) == "custody record 0b1e2c3d"
    assert dict(zip(CSV_HEADER, csv_row(one), strict=True))["entity_id"] == one["entity_id"]
