"""Every item model in desktop/models, filled with the demo suite's data from a real server, gives every cell
non-empty accessible text (AccessibleTextRole: what a screen reader says for the cell) and every column a header.

Models are discovered by importing desktop/models; each needs a loader below, so a new model cannot slip past.
Where a cell shows state by colour or icon (risk, overdue, grading, sync), its spoken text must carry it too:
the text checks at the end look for the words.
"""

from __future__ import annotations

from tests.desktop.harness import signed_in_client

import pytest
from PySide6.QtCore import Qt

from tests.a11y.audit import cells_without_text, headers_without_text, model_classes


def _abstract(cls) -> bool:
    return any(other is not cls and issubclass(other, cls) for other in model_classes_all)


model_classes_all = model_classes()
MODELS = [cls for cls in model_classes_all if not _abstract(cls)]


@pytest.fixture(scope="module")
def clients(demo_server):
    made = {name: signed_in_client(demo_server.url, name) for name in ("sergeant", "investigator", "intel")}
    yield made
    for client in made.values():
        client.close()


def _record_with_most_log(client):
    records = client.open_records()
    return max(records, key=lambda r: len(client.record_log(r["id"])))


def load_board(model, c):
    model.set_records(c["sergeant"].open_records())


def load_log(model, c):
    record = _record_with_most_log(c["sergeant"])
    model.set_entries(record["id"], c["sergeant"].record_log(record["id"]))


def load_risk(model, c):
    client = c["sergeant"]
    for record in client.open_records():
        versions = client.request("GET", f"/custody/records/{record['id']}/risk-assessments") or []
        if versions:
            latest = versions[-1] if isinstance(versions, list) else versions
            model.set_responses(latest.get("responses") or [])
            if model.rowCount():
                return


def load_actions(model, c):
    model.set_rows(c["investigator"].actions(mine=False))


def load_action_history(model, c):
    client = c["investigator"]
    for action in client.actions(mine=False):
        model.set_history(client.action(action["id"]))
        if model.rowCount():
            return


def load_reports(model, c):
    model.set_rows(c["intel"].intel_reports())


def load_grading_history(model, c):
    client = c["intel"]
    for report in client.intel_reports():
        model.set_history(client.intel_report(report["id"], "Accessibility audit of the grading history table"))
        if model.rowCount():
            return


def _pictures(c):
    client = c["sergeant"]
    people = {r["person"]["id"] for r in client.open_records()}
    for person_id in sorted(people):
        yield person_id, client.person_picture(person_id)


def load_links(model, c):
    from desktop.models.people.person_picture_model import picture_links

    best = max((picture_links(p) for _id, p in _pictures(c)), key=len)
    model.set_rows(best)


def load_markers(model, c):
    best = max(((p.get("person") or {}).get("warning_markers") or [] for _id, p in _pictures(c)), key=len)
    model.set_rows(best)


def load_merges(model, c):
    client = c["sergeant"]
    best: list = []
    for person_id, _picture in _pictures(c):
        merges = client.person_merges(person_id)
        best = merges if len(merges) > len(best) else best
    model.set_rows(best)


def load_search(model, c):
    client = c["sergeant"]
    surname = client.open_records()[0]["person"]["surname"]
    model.set_rows(client.search_people(q=surname)["results"])


def _as(c, username: str):
    """A client of another role (administration models), signed in once per module like the others."""
    if username not in c:
        c[username] = signed_in_client(c["sergeant"].base_url, username)
    return c[username]


def load_users(model, c):
    model.set_rows(_as(c, "admin").request("GET", "/admin/users"))


def load_audit(model, c):
    person_id = c["sergeant"].open_records()[0]["person"]["id"]
    model.set_rows(_as(c, "supervisor").request("GET", "/audit", params={"person_id": person_id})["entries"])


def load_investigations(model, c):
    model.set_rows(c["investigator"].investigations())


def load_timeline(model, c):
    client = c["investigator"]
    for inv in client.investigations():
        model.set_timeline(client.investigation_timeline(inv["id"]))
        if model.rowCount() > 1:
            return
def load_offences(model, c):
    from desktop.models.admin.offences_model import offence_row
    catalogue = _as(c, "admin").request("GET", "/admin/config/offences")
    model.set_rows([offence_row(e) for e in catalogue["offences"]])


def _force_view(c):
    return _as(c, "inspector").request("GET", "/custody/force-view")


def load_force_suites(model, c):
    view = _force_view(c)
    model.load(view["suites"], view["records"])


def load_review_queue(model, c):
    from datetime import timedelta

    from desktop.timefmt import to_wire, utc_now
    records = _force_view(c)["records"]
    # Reviews due in the next three hours may be none in the demo: the first record's is made due now.
    model.load([dict(records[0], next_review_due=to_wire(utc_now() + timedelta(minutes=5))), *records[1:]])


def load_suite_records(model, c):
    view = _force_view(c)
    suite_id = next(r["suite_id"] for r in view["records"] if r.get("suite_id"))
    model.set_rows([r for r in view["records"] if r.get("suite_id") == suite_id])


LOADERS = {
    "InvestigationsModel": load_investigations,
    "TimelineModel": load_timeline,
    "UsersModel": load_users,
    "ForceSuitesModel": load_force_suites,
    "ReviewQueueModel": load_review_queue,
    "SuiteRecordsModel": load_suite_records,
    "OffencesModel": load_offences,
    "AuditModel": load_audit,
    "CustodyBoardModel": load_board,
    "LogModel": load_log,
    "RiskResponsesModel": load_risk,
    "ActionsModel": load_actions,
    "ActionHistoryModel": load_action_history,
    "ReportsModel": load_reports,
    "GradingHistoryModel": load_grading_history,
    "PictureLinksModel": load_links,
    "MarkersModel": load_markers,
    "MergesModel": load_merges,
    "PersonResultsModel": load_search,
}
# Demo data that may legitimately be empty (the suite has no such rows yet): the model is still checked for
# headers, and for cell text whenever rows exist.
MAY_BE_EMPTY = {"MergesModel", "MarkersModel", "GradingHistoryModel"}


def test_every_model_was_found():
    assert {"CustodyBoardModel", "LogModel"} <= {cls.__name__ for cls in MODELS}


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
def test_every_cell_of_every_model_has_spoken_text(qapp, clients, cls):
    loader = LOADERS.get(cls.__name__)
    assert loader is not None, (f"{cls.__module__}.{cls.__name__} has no loader in tests/a11y/test_model_text.py: "
                                "add one that fills it with demo data from the server")
    model = cls()
    try:
        loader(model, clients)
        assert model.columnCount() > 0
        assert headers_without_text(model) == [], "columns without a header a screen reader can say"
        if cls.__name__ not in MAY_BE_EMPTY:
            assert model.rowCount() > 0, "the demo suite gave this model no rows, so nothing was checked"
        assert cells_without_text(model) == []
    finally:
        stop = getattr(model, "stop", None)
        if callable(stop):
            stop()


def _spoken_column(model, title: str) -> list[str]:
    column = next(c for c in range(model.columnCount())
                  if model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == title)
    return [str(model.index(r, column).data(Qt.ItemDataRole.AccessibleTextRole)) for r in range(model.rowCount())]


def test_board_risk_observation_and_due_checks_are_words_not_only_colour(qapp, clients):
    from desktop.models.custody.board_model import CustodyBoardModel

    model = CustodyBoardModel()
    try:
        load_board(model, clients)
        risk = _spoken_column(model, "Risk")
        assert all("risk" in text.lower() for text in risk), risk
        observation = _spoken_column(model, "Observation")
        assert all(any(w in text.lower() for w in ("level", "observation", "not set")) for text in observation), \
            observation
        checks = _spoken_column(model, "Next check")
        # Each says when, or that it is overdue, or that none is due: a time alone in red would not do.
        assert all(any(w in text.lower() for w in ("due", "overdue", "no ", "not ")) for text in checks), checks
    finally:
        model.stop()


def test_intelligence_grading_is_spoken_in_words(qapp, clients):
    from desktop.models.intelligence.intel_model import ReportsModel

    model = ReportsModel()
    load_reports(model, clients)
    assert model.rowCount() > 0
    titles = [model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
              for c in range(model.columnCount())]
    grading = next(i for i, t in enumerate(titles) if "grad" in str(t).lower())
    spoken = [str(model.index(r, grading).data(Qt.ItemDataRole.AccessibleTextRole)) for r in range(model.rowCount())]
    displayed = [str(model.index(r, grading).data(Qt.ItemDataRole.DisplayRole)) for r in range(model.rowCount())]
    # "1 A P" on screen must be said as words (source, information, handling), not three letters.
    assert all(len(s) > len(d) for s, d in zip(spoken, displayed)), list(zip(displayed, spoken))
