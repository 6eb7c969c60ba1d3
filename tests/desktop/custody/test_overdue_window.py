"""On the real board: an overdue check is announced once (assertive), and 'Overdue only' shows just those rows."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt

from desktop.models.custody.board_model import NEXT_CHECK, OVERDUE_ROLE
import pytest

from tests.desktop.custody.helpers import Announcements
from desktop.timefmt import utc_now
from tests.desktop.harness import custody_board, signed_in_client, start_server


@pytest.fixture
def fresh_server(tmp_path):
    """Its own demo suite: other tests record checks, which would put the demo's overdue detainee right."""
    server = start_server(f"sqlite:///{tmp_path / 'overdue.sqlite3'}")
    yield server
    server.stop()


def test_overdue_check_is_announced_once_and_the_filter_shows_it(qtbot, make_window, fresh_server):
    heard = Announcements()
    try:
        window = make_window(fresh_server.url)
        qtbot.waitUntil(lambda: bool(heard.assertive("ELSWORTH")), timeout=5000)
        for _tick in range(2):  # two more ticks of the board's clock: still overdue, not announced again
            with qtbot.waitSignal(custody_board(window).model.dataChanged, timeout=5000):
                pass
        about_elsworth = heard.assertive("ELSWORTH")
        assert len(about_elsworth) == 1 and "Cell check" in about_elsworth[0] and "OVERDUE" in about_elsworth[0]
    finally:
        heard.close()
    model = custody_board(window).model
    overdue_rows = [r for r in range(model.rowCount()) if model.index(r, 0).data(OVERDUE_ROLE)]
    assert overdue_rows
    row = next(r for r in overdue_rows if "ELSWORTH" in model.record(r)["name"])
    assert model.index(row, NEXT_CHECK).data().startswith("OVERDUE")
    assert "OVERDUE by" in model.index(row, NEXT_CHECK).data(Qt.ItemDataRole.AccessibleTextRole)
    custody_board(window).overdue_check.setChecked(True)
    assert custody_board(window).proxy.rowCount() == len(overdue_rows) < model.rowCount()
    assert f"{len(overdue_rows)} shown" in custody_board(window).heading.text()
    # A check recorded (here from another workstation) puts it right: it leaves the 'overdue only' view.
    record_id = model.record(row)["id"]
    other = signed_in_client(fresh_server.url, "detention")
    other.request("POST", f"/custody/records/{model.record(row)['id']}/checks", json={
        "id": str(uuid.uuid4()), "check_type": "look", "result": "awake – settled",
        "observed_at": utc_now().replace(microsecond=0).isoformat()})
    other.close()
    qtbot.waitUntil(lambda: NEXT_CHECK not in model.overdue(model.row_of(record_id)), timeout=10_000)
    still = [r for r in range(model.rowCount()) if model.index(r, 0).data(OVERDUE_ROLE)]
    proxy = custody_board(window).proxy
    assert proxy.rowCount() == len(still) < len(overdue_rows) or model.overdue(model.row_of(record_id))
    assert custody_board(window).proxy.rowCount() == len(still)
    custody_board(window).overdue_check.setChecked(False)
    assert custody_board(window).proxy.rowCount() == model.rowCount()
