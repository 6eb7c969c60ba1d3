"""Issue 13, safety: a time nobody touched is the time of saving (never the time the form was first shown), a time
someone set is kept; and no outcome is chosen for the officer: saving without choosing is refused beside the field,
in words, read out, with the focus on it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import desktop.views.forms.fields as fields
from desktop.timefmt import utc_now
from desktop.views.custody.booking_dialog import BookingDialog
from desktop.views.custody.cell_check_dialog import CellCheckDialog
from desktop.views.custody.disposal_dialog import DisposalDialog
from desktop.views.custody.observation_dialog import ObservationDialog
from desktop.views.custody.review_dialog import DetentionDecisionDialog, ReviewDialog
from desktop.views.custody.rights_dialog import RightsDialog
from desktop.views.custody.risk_panel import RiskAssessmentDialog
from desktop.views.forms.fields import DateTimeEdit, now_to_minute, to_utc
from domain.offences import packaged_catalogue
from tests.desktop.custody.helpers import Announcements
from tests.desktop.harness import custody_board

# The fields that say when something happened or was decided: untouched, each is "now" when saved.
WHEN_FIELDS = {"cellCheckObservedAt", "rightsAt", "observationSetAt", "riskAssessedAt", "reviewAt",
               "detentionDecisionAt", "disposalReleasedAt", "bookingArrivedAt", "bookingDecidedAt",
               "bookingArrestedAt", "logObservedEdit"}


@pytest.fixture
def announcements():
    made = Announcements()
    yield made
    made.close()


def detained(window) -> dict:
    model = custody_board(window).model
    return next(model.record(r) for r in range(model.rowCount())
                if model.record(r).get("detention_authorised_at") and model.record(r).get("observation_level"))


def custody_dialogs(window, record):
    user, writes = window.session.user, window.writes
    return [BookingDialog(window, packaged_catalogue(), roles=window.session.roles, writes=writes,
                          person_picker=window.links.person_picker),
            CellCheckDialog(window, record, user, writes=writes),
            RightsDialog(window, record, window.session.roles, writes=writes),
            ObservationDialog(window, {**record, "observation_level": None}, None, writes=writes),
            RiskAssessmentDialog(window, record, writes=writes),
            ReviewDialog(window, record, user, writes=writes),
            DetentionDecisionDialog(window, record, writes=writes),
            DisposalDialog(window, record, writes=writes)]


def read_now(read) -> bool:
    """`read()` gives the current minute (bracketed by the clock before and after, so a minute turning over
    between the two calls cannot make the test flaky)."""
    before = now_to_minute()
    value = read()
    return before <= value <= now_to_minute()


def close(dialog) -> None:
    dialog.dirty = False
    dialog.reject()


def test_an_untouched_time_is_the_time_of_saving_and_a_set_one_is_kept(qtbot, make_window, demo_server,
                                                                        monkeypatch):
    window = make_window(demo_server.url)
    record = detained(window)
    # Every dialog is opened "seven minutes ago" (the clock the fields read), then the clock comes back to now.
    opened = utc_now() - timedelta(minutes=7)
    monkeypatch.setattr(fields, "utc_now", lambda: opened)
    dialogs = custody_dialogs(window, record)
    log_panel = window.areas["custody"].log.panel
    log_panel.reset_form()
    monkeypatch.undo()
    edits = [e for d in [*dialogs, log_panel] for e in d.findChildren(DateTimeEdit) if e.objectName() in WHEN_FIELDS]
    assert {e.objectName() for e in edits} == WHEN_FIELDS
    for edit in edits:
        assert read_now(lambda e=edit: to_utc(e)), edit.objectName()  # read at saving: not 7 minutes stale
        assert to_utc(edit) - opened > timedelta(minutes=6)
    # The log's entry is saved with that time too.
    assert abs(log_panel.observed_edit.dateTime().toSecsSinceEpoch() - now_to_minute().timestamp()) <= 60

    # One the officer changed is kept exactly as typed, however long the form then stays open.
    edit = dialogs[1].observed_edit
    edit.setFocus()
    # The year: a section that can always go down (the hour cannot from 00, nor the day from the 1st).
    edit.setCurrentSection(edit.sectionAt(2))
    shown = edit.dateTime()
    qtbot.keyClick(edit, Qt.Key.Key_Down)
    assert edit.dateTime() == shown.addYears(-1) and not edit.follows_now
    typed = to_utc(edit)
    later = utc_now() + timedelta(minutes=9)
    monkeypatch.setattr(fields, "utc_now", lambda: later)
    edit.refresh_now()
    assert to_utc(edit) == typed
    monkeypatch.undo()
    for dialog in dialogs:
        close(dialog)


# (dialog class, the combo that must be chosen, its server field name, a word of the message)
MUST_CHOOSE = [(CellCheckDialog, "result_combo", "result", "result"),
               (RightsDialog, "requested_combo", "requested", "requested or declined"),
               (ObservationDialog, "level_combo", "level", "observation level"),
               (RiskAssessmentDialog, "level_combo", "risk_level", "risk level"),
               (ReviewDialog, "outcome_combo", "outcome", "outcome"),
               (DetentionDecisionDialog, "decision_combo", "decision", "authorised or refused"),
               (DisposalDialog, "outcome_combo", "outcome", "outcome")]


def test_no_outcome_is_chosen_for_the_officer_and_saving_without_one_is_refused_beside_it(
        qtbot, make_window, demo_server, announcements):
    window = make_window(demo_server.url)
    record = detained(window)
    dialogs = {type(d): d for d in custody_dialogs(window, record)}
    for cls, combo_name, field, words in MUST_CHOOSE:
        dialog = dialogs[cls]
        combo = getattr(dialog, combo_name)
        dialog.show()
        if cls is RightsDialog:
            dialog.what_combo.setCurrentIndex(dialog.what_combo.findData("right"))
        assert combo.currentIndex() == -1 and combo.currentData() is None, cls.__name__
        assert combo.placeholderText().startswith("Choose"), cls.__name__  # says what to do, on screen
        problems = dict(dialog.problems())
        assert words in problems.get(field, ""), (cls.__name__, problems)
        # Shown beside the field, in words, on the field's description, read out; the focus on the field when it
        # is the first problem.
        dialog.show_problems([(field, problems[field])])
        error = dialog.errors[field]
        assert error.isVisible() and error.text().startswith("Problem: ") and words in error.text()
        assert combo.accessibleDescription() == problems[field]
        qtbot.waitUntil(lambda c=combo: QApplication.focusWidget() is c, timeout=2000)
        assert announcements.assertive(problems[field][:30])
        assert dialog.row_id is None  # nothing was sent
    booking = dialogs[BookingDialog]
    booking.show()
    assert booking.dob_edit.text() == ""  # no made-up 01/01/2000
    booking.submit()
    error = booking.errors["person.date_of_birth"]
    assert error.isVisible() and "date of birth" in error.text() and booking.row_id is None
    booking.surname_edit.setText("Ashgrove")
    booking.forenames_edit.setText("Perpetua")
    booking.submit()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is booking.dob_edit, timeout=2000)
    booking.dob_edit.setText("14031991")  # digits alone, as a date field takes them
    assert booking.date_of_birth is not None and booking.date_of_birth.isoformat() == "1991-03-14"
    assert "person.date_of_birth" not in dict(booking.problems())
    for dialog in dialogs.values():
        close(dialog)


def test_a_time_following_the_clock_is_not_typing_and_the_charge_time_follows_it_too(qtbot, make_window, demo_server,
                                                                                     monkeypatch):
    from desktop.views.prosecution.charge_dialog import ChargeDialog
    from domain.charging import caution_on_charge

    window = make_window(demo_server.url)
    dialog = CellCheckDialog(window, detained(window), window.session.user, writes=window.writes)
    dialog.show()
    later = utc_now() + timedelta(minutes=3)
    monkeypatch.setattr(fields, "utc_now", lambda: later)
    dialog.observed_edit.refresh_now(ticking=True)  # the minute moved on while the form sat open
    assert to_utc(dialog.observed_edit) == later.replace(second=0, microsecond=0)
    assert not dialog.dirty  # Escape closes it without asking: nothing was typed
    monkeypatch.undo()
    close(dialog)
    opened = utc_now() - timedelta(minutes=7)
    monkeypatch.setattr(fields, "utc_now", lambda: opened)
    charge = ChargeDialog({"id": "r1", "custody_number": "BW-2026-000042", "name": "QUILLIAM, Tobias"}, [],
                          caution_on_charge())
    qtbot.addWidget(charge)
    monkeypatch.undo()
    assert read_now(lambda: to_utc(charge.charged_edit))  # charged "now" means when Charge is pressed
    assert read_now(lambda: datetime.fromisoformat(charge.body()["charged_at"]))
