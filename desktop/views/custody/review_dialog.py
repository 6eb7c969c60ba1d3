"""Reviews of detention and the authorities to keep someone longer.

- ReviewDialog: a review (inspector or above not involved, before charge; custody sergeant after charge) or a
  postponement with its reason. Shows which review is due and by when, from domain.pace_clock.
- ExtensionDialog: a superintendent's extension (s.42), checked locally with domain.pace_clock.check_extension.
- WarrantDialog: a warrant of further detention or its extension (s.43/44), recorded by the custody sergeant.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QWidget

from desktop.timefmt import format_local, parse_utc, utc_now
from desktop.views.forms.dialog import CustodyDialog
from desktop.views.forms.fields import datetime_edit, nothing_chosen, text_edit, to_utc, value_of
from desktop.writes import Writes
from domain.pace_clock import (Authority, AuthorityKind, check_court_authority, check_extension, check_postponement,
                               check_warrant_application,
                               check_reviewer, event_time_error, next_review)
from domain.roles import Role


def authorities_of(record: dict[str, Any]) -> list[Authority]:
    out = []
    for a in record.get("authorities") or []:
        try:
            kind, granted, expires = AuthorityKind(a["kind"]), parse_utc(a["granted_at"]), parse_utc(a["expires_at"])
        except (KeyError, ValueError, TypeError):
            continue
        if granted is not None and expires is not None:  # one without its times cannot be checked against
            out.append(Authority(kind, granted, expires))
    return out


def reviewer_refusal(record: dict[str, Any], user_id: str | None, roles: frozenset[str]) -> str | None:
    """Why this user may not review this detention (None: they may), by domain.pace_clock.check_reviewer for
    each role they hold (any one that may will do, as on the server)."""
    held = [Role(r) for r in sorted(roles) if r in Role.__members__.values()]
    if not held:
        return "Only an inspector or above (before charge) or the custody sergeant (after charge) may review."
    involved = user_id in (record.get("involved_officer_ids") or [])
    decisions = [check_reviewer(role, involved_in_investigation=involved, charged=bool(record.get("charged_at")))
                 for role in held]
    return None if any(d.ok for d in decisions) else decisions[0].reason


class ReviewDialog(CustodyDialog):
    record: dict[str, Any]  # always given

    def __init__(self, window: QWidget, record: dict[str, Any], user: dict[str, Any] | None, *, writes: Writes):
        super().__init__(window, record, "Review of detention", "reviewDialog", writes=writes)
        self.review_id = str(uuid.uuid4())
        self.authorised = authorised = parse_utc(record.get("detention_authorised_at"))
        self.due = (next_review(authorised, int(record.get("reviews_done") or 0), utc_now())
                    if authorised else None)
        due_text = (f"Review {self.due.number} due by {format_local(self.due.due_at)}"
                    + (" — OVERDUE" if self.due.overdue else "")) if self.due else "Detention has not been authorised"
        due_label = QLabel(due_text)
        due_label.setObjectName("reviewDue")
        due_label.setWordWrap(True)
        self.form.addRow("Due:", due_label)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("Review carried out", "review")
        self.kind_combo.addItem("Review postponed", "postponement")
        self.at_edit = datetime_edit("reviewAt", "When the review was carried out or postponed.")
        self.outcome_combo = QComboBox()
        self.outcome_combo.addItem("Continue detention", "continue")
        self.outcome_combo.addItem("Release", "release")
        nothing_chosen(self.outcome_combo, "Choose the outcome…")  # the reviewer decides; never a default
        self.grounds_edit = text_edit("reviewGrounds", "Grounds for continued detention, or the reason for "
                                      "postponing.")
        self.representations_edit = text_edit("reviewRepresentations", "Representations by the detainee or their "
                                              "solicitor (optional).", 2)
        self.add_row("&Record:", self.kind_combo, "kind", name="reviewKind")
        self.add_row("&Time:", self.at_edit, "at")
        self.add_row("&Outcome:", self.outcome_combo, "outcome", name="reviewOutcome")
        self.add_row("&Grounds or reason:", self.grounds_edit, "grounds")
        self.add_row("Re&presentations:", self.representations_edit, "representations")
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.dirty = False
        self.kind_combo.setFocus()

    def _kind_changed(self, *_args: object) -> None:
        review = self.kind_combo.currentData() == "review"
        self.set_row_visible(self.outcome_combo, review)
        self.set_row_visible(self.representations_edit, review)

    def problems(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.due is None or self.authorised is None:
            return [("kind", "Detention has not been authorised, so there is no review to record.")]
        at = to_utc(self.at_edit)
        booked = parse_utc(self.record.get("booked_in_at") or self.record.get("arrived_at"))
        if booked and (p := event_time_error("at", at, booked_in_at=booked, now=utc_now())):
            out.append((p.field, p.message))
        grounds = self.grounds_edit.toPlainText()
        if self.kind_combo.currentData() == "postponement":
            decision = check_postponement(grounds, review_number=self.due.number, postponed_at=at,
                                          detention_authorised_at=self.authorised)
            if not decision.ok:
                out.append(("grounds" if not grounds.strip() else "at", decision.reason))
        else:
            if self.outcome_combo.currentData() is None:
                out.append(("outcome", "Choose the outcome of the review: continue detention or release."))
            if not grounds.strip():
                out.append(("grounds", "Give the grounds for the decision."))
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        review = self.kind_combo.currentData() == "review"
        return "POST", f"/custody/records/{self.record['id']}/reviews", {
            "id": self.review_id, "kind": self.kind_combo.currentData(), "at": to_utc(self.at_edit).isoformat(),
            "outcome": self.outcome_combo.currentData() if review else None, "grounds": value_of(self.grounds_edit),
            "representations": (value_of(self.representations_edit) or None) if review else None}


class ExtensionDialog(CustodyDialog):
    record: dict[str, Any]  # always given

    def __init__(self, window: QWidget, record: dict[str, Any], *, writes: Writes):
        super().__init__(window, record, "Superintendent's extension (s.42)", "extensionDialog", writes=writes)
        self.extension_id = str(uuid.uuid4())
        relevant = parse_utc(record.get("relevant_time")) or utc_now()
        self.relevant = relevant
        current_limit = QLabel(format_local(record.get("detention_limit_at")) or "—")
        current_limit.setObjectName("extensionCurrentLimit")
        self.form.addRow("Now authorised until:", current_limit)
        self.authorised_edit = datetime_edit("extensionAuthorisedAt", "When the extension was authorised.")
        self.expires_edit = datetime_edit("extensionExpiresAt", "When the extended detention ends (at most 36 hours "
                                          "after the relevant time).", relevant + timedelta(hours=36))
        self.grounds_edit = text_edit("extensionGrounds", "Grounds for the extension.")
        self.add_row("&Authorised at:", self.authorised_edit, "authorised_at")
        self.add_row("&Expires at:", self.expires_edit, "expires_at")
        self.add_row("&Grounds:", self.grounds_edit, "grounds")
        self.dirty = False

    def problems(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if not self.grounds_edit.toPlainText().strip():
            out.append(("grounds", "Give the grounds for extending detention."))
        times = [at for r in self.record.get("reviews") or []
                 if r.get("kind") == "review" and (at := parse_utc(r["at"])) is not None]
        decision = check_extension(relevant=self.relevant, authorised_at=to_utc(self.authorised_edit),
                                   expires_at=to_utc(self.expires_edit),
                                   offence_indictable=bool(self.record.get("offence_indictable")),
                                   review_times=times, authorities=authorities_of(self.record),
                                   authoriser_role=None)
        if not decision.ok:
            out.append(("expires_at", decision.reason))
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"/custody/records/{self.record['id']}/extensions", {
            "id": self.extension_id, "authorised_at": to_utc(self.authorised_edit).isoformat(),
            "expires_at": to_utc(self.expires_edit).isoformat(), "grounds": value_of(self.grounds_edit)}


class WarrantDialog(CustodyDialog):
    record: dict[str, Any]  # always given

    def __init__(self, window: QWidget, record: dict[str, Any], *, writes: Writes):
        super().__init__(window, record, "Warrant of further detention", "warrantDialog", writes=writes)
        self.warrant_id = str(uuid.uuid4())
        self.relevant = parse_utc(record.get("relevant_time")) or utc_now()
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("Warrant of further detention (s.43)", AuthorityKind.WARRANT.value)
        self.kind_combo.addItem("Extension of the warrant (s.44)", AuthorityKind.WARRANT_EXTENSION.value)
        self.applied_edit = datetime_edit("warrantAppliedAt", "When the application to the court was made "
                                          "(s.43(5): within 36 hours of the relevant time).")
        self.not_sitting_check = QCheckBox("The court could &not sit at 36 hours (6 hours more allowed)")
        self.not_sitting_check.setObjectName("warrantCourtNotSitting")
        self.issued_edit = datetime_edit("warrantIssuedAt", "When the court issued it.")
        self.expires_edit = datetime_edit("warrantExpiresAt", "When it ends (at most 36 hours after issue).",
                                          utc_now().replace(second=0, microsecond=0) + timedelta(hours=36))
        self.court_edit = QLineEdit()
        self.reference_edit = QLineEdit()
        self.add_row("&Kind:", self.kind_combo, "kind", name="warrantKind")
        self.add_row("&Applied for at:", self.applied_edit, "applied_at")
        self.add_row("", self.not_sitting_check, "court_not_sitting")
        self.add_row("&Issued at:", self.issued_edit, "issued_at")
        self.add_row("&Expires at:", self.expires_edit, "expires_at")
        self.add_row("&Court:", self.court_edit, "court", name="warrantCourt")
        self.add_row("&Reference:", self.reference_edit, "reference", name="warrantReference")
        self.dirty = False

    def problems(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if not self.court_edit.text().strip():
            out.append(("court", "Name the court that issued it."))
        kind = AuthorityKind(self.kind_combo.currentData())
        applied, issued = to_utc(self.applied_edit), to_utc(self.issued_edit)
        if kind is AuthorityKind.WARRANT:
            application = check_warrant_application(
                relevant=self.relevant, applied_at=applied, authorities=authorities_of(self.record),
                court_not_sitting=self.not_sitting_check.isChecked(), issued_at=issued)
            if not application.ok:
                out.append(("issued_at" if application.reason.startswith("The warrant") else "applied_at",
                            application.reason))
        elif applied > issued:
            out.append(("applied_at", "The extension cannot have been issued before the application for it."))
        decision = check_court_authority(kind=kind, relevant=self.relevant, issued_at=issued,
                                         expires_at=to_utc(self.expires_edit), authorities=authorities_of(self.record))
        if not decision.ok:
            out.append(("expires_at", decision.reason))
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"/custody/records/{self.record['id']}/warrants", {
            "id": self.warrant_id, "kind": self.kind_combo.currentData(),
            "applied_at": to_utc(self.applied_edit).isoformat(),
            "court_not_sitting": self.not_sitting_check.isChecked(),
            "issued_at": to_utc(self.issued_edit).isoformat(), "expires_at": to_utc(self.expires_edit).isoformat(),
            "court": value_of(self.court_edit), "reference": value_of(self.reference_edit) or None}


class DetentionDecisionDialog(CustodyDialog):
    """Custody sergeant: authorise or refuse detention for someone booked in without a decision (PACE s.37)."""

    record: dict[str, Any]  # always given

    def __init__(self, window: QWidget, record: dict[str, Any], *, writes: Writes):
        super().__init__(window, record, "Detention decision", "detentionDecisionDialog", writes=writes)
        self.decision_combo = QComboBox()
        self.decision_combo.addItem("Detention authorised", "authorised")
        self.decision_combo.addItem("Detention refused", "refused")
        nothing_chosen(self.decision_combo, "Choose authorised or refused…")  # a decision, never a default
        self.grounds_edit = text_edit("detentionDecisionGrounds", "The grounds for the decision.")
        self.decided_edit = datetime_edit("detentionDecisionAt", "When the decision was made.")
        self.add_row("&Decision:", self.decision_combo, "decision", name="detentionDecisionChoice")
        self.add_row("&Grounds:", self.grounds_edit, "grounds")
        self.add_row("&Time:", self.decided_edit, "decided_at")
        self.dirty = False
        self.decision_combo.setFocus()

    def problems(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.decision_combo.currentData() is None:
            out.append(("decision", "Choose the decision: detention authorised or refused."))
        if not self.grounds_edit.toPlainText().strip():
            out.append(("grounds", "Give the grounds for the decision."))
        arrived = parse_utc(self.record.get("arrived_at"))
        at = to_utc(self.decided_edit)
        if arrived is not None and at < arrived:
            out.append(("decided_at", "The decision cannot be before arrival at the station."))
        elif at > utc_now() + timedelta(minutes=1):
            out.append(("decided_at", "This time is in the future; check the date and time."))
        return out

    def request(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"/custody/records/{self.record['id']}/detention-decision", {
            "decision": self.decision_combo.currentData(), "grounds": value_of(self.grounds_edit),
            "decided_at": to_utc(self.decided_edit).isoformat()}
