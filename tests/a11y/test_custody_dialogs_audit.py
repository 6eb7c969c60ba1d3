"""Every custody dialog (issue 3) and the risk dock: no unnamed focusable widget, empty and with problems shown,
at normal and 200% font."""

from __future__ import annotations

import re

from tests.desktop.harness import custody_board, OFFSCREEN_NOISE

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from desktop.views.custody.booking_dialog import BookingDialog
from desktop.views.custody.cell_check_dialog import CellCheckDialog
from desktop.views.custody.cell_flags_dialog import CellFlagsDialog
from desktop.views.custody.disposal_dialog import DisposalDialog
from desktop.views.custody.interview_dialog import EndInterviewDialog, InterviewDialog
from desktop.views.custody.property_dialog import PropertyDialog, ReturnPropertyDialog
from desktop.views.custody.observation_dialog import ObservationDialog
from desktop.views.custody.review_dialog import DetentionDecisionDialog, ExtensionDialog, ReviewDialog, WarrantDialog
from desktop.views.custody.rights_dialog import RightsDialog
from desktop.views.custody.risk_panel import RiskAssessmentDialog
from domain.offences import packaged_catalogue
from tests.a11y.audit import clipped_text
from tests.a11y.test_widget_audit import cells_without_text, unnamed_focusable

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def duplicate_mnemonics(dialog) -> dict[str, list[str]]:
    """Alt+letter must lead to one place: the same letter on two visible labels or buttons is a trap."""
    seen: dict[str, list[str]] = {}
    for widget in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton):
        match = re.search(r"&([^&])", widget.text().replace("&&", ""))
        if match and widget.isVisibleTo(dialog):
            seen.setdefault(match.group(1).lower(), []).append(widget.text())
    return {letter: texts for letter, texts in seen.items() if len(texts) > 1}


def aa_record(window) -> dict:
    model = custody_board(window).model
    return next(model.record(r) for r in range(model.rowCount()) if model.record(r).get("appropriate_adult_required"))


def dialogs(window):
    record = aa_record(window)
    user = window.session.user
    yield BookingDialog(window, packaged_catalogue(), roles=window.session.roles, writes=window.writes,
                        person_picker=window.links.person_picker)
    yield CellCheckDialog(window, record, user, writes=window.writes)
    rights = RightsDialog(window, record, window.session.roles, writes=window.writes)
    yield rights
    for index in range(rights.what_combo.count()):  # each group of the rights dialog
        rights.what_combo.setCurrentIndex(index)
        yield rights
    yield ObservationDialog(window, record, 2, writes=window.writes)
    yield RiskAssessmentDialog(window, record, writes=window.writes)
    yield ReviewDialog(window, record, user, writes=window.writes)
    yield ExtensionDialog(window, record, writes=window.writes)
    yield WarrantDialog(window, record, writes=window.writes)
    yield DetentionDecisionDialog(window, record, writes=window.writes)
    yield InterviewDialog(window, record, writes=window.writes)
    yield EndInterviewDialog(window, record, {"id": "00000000-0000-4000-8000-000000000014",
                                              "started_at": record["arrived_at"], "special_warnings": ["s36"],
                                              "interviewing_officers": ["DC 4093 Rafe Illingsworth"]},
                             writes=window.writes)
    yield PropertyDialog(window, record, writes=window.writes)
    yield ReturnPropertyDialog(window, record, [{"id": "00000000-0000-4000-8000-000000000015", "quantity": 1,
                                                 "description": "Wallet", "disposition": "retained",
                                                 "bag_number": "PB-1"}], writes=window.writes)
    yield CellFlagsDialog(window, record, writes=window.writes)
    disposal = DisposalDialog(window, record, writes=window.writes)
    for index in range(disposal.outcome_combo.count()):
        disposal.outcome_combo.setCurrentIndex(index)
        yield disposal


@pytest.mark.parametrize("username", ["sergeant", "superintendent"])
def test_custody_dialogs_have_no_unnamed_widgets(qtbot, make_window, demo_server, font_scale, username):
    window = make_window(demo_server.url, username=username)
    seen = set()
    for dialog in dialogs(window):
        dialog.show()
        assert unnamed_focusable(dialog) == [], (dialog.objectName(), unnamed_focusable(dialog))
        assert duplicate_mnemonics(dialog) == {}, dialog.objectName()
        dialog.show_problems(dialog.problems() or [("", "A problem from the server.")])
        assert unnamed_focusable(dialog) == [], (dialog.objectName(), unnamed_focusable(dialog))
        # What appears after an error is checked for clipping too, not only the first view (issue 13).
        QApplication.processEvents()
        assert clipped_text(dialog) == [], (dialog.objectName(), clipped_text(dialog))
        seen.add(dialog.objectName())
        dialog.dirty = False
        if dialog.objectName() not in ("rightsDialog", "disposalDialog"):
            dialog.reject()
    assert len(seen) == 15
    for dialog in QApplication.topLevelWidgets():
        if dialog.objectName() in ("rightsDialog", "disposalDialog"):
            dialog.dirty = False
            dialog.reject()


def test_risk_dock_is_named_and_speaks_every_answer(qtbot, make_window, demo_server, font_scale):
    window = make_window(demo_server.url)
    panel = window.areas["custody"].risk_panel
    record = aa_record(window)
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        custody_board(window).select_record_id(record["id"])
    window.docks["riskAssessmentDock"].show()
    window.docks["riskAssessmentDock"].raise_()
    assert window.panels["riskAssessmentDock"] is panel
    assert window.docks["riskAssessmentDock"].widget().widget() is panel  # inside the dock's scroll area
    assert unnamed_focusable(window.docks["riskAssessmentDock"]) == []
    assert panel.model.rowCount() > 0 and cells_without_text(panel.model) == []
    assert "Risk level:" in panel.result_label.text()
    assert panel.reassess_button.isVisible()
