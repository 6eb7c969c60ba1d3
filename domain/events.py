"""The one list of change-feed event types, shared by the server (which emits them) and the client (which
dispatches them through its change hub). The values are the strings stored in the events table and sent on
GET /events, so they never change once released; add a member before emitting a new type
(tests/domain/test_events.py checks every type the server emits is listed here)."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    # custody
    CUSTODY_RECORD_CREATED = "custody.record.created"
    CUSTODY_RECORD_UPDATED = "custody.record.updated"
    CUSTODY_LOG_ENTRY_CREATED = "custody.log_entry.created"
    CUSTODY_RIGHT_CREATED = "custody.right.created"
    CUSTODY_RISK_ASSESSMENT_CREATED = "custody.risk_assessment.created"
    CUSTODY_CHECK_CREATED = "custody.check.created"
    CUSTODY_MEDICAL_EMERGENCY = "custody.medical_emergency"
    CUSTODY_INTERVIEW_CREATED = "custody.interview.created"
    CUSTODY_INTERVIEW_UPDATED = "custody.interview.updated"
    CUSTODY_REVIEW_CREATED = "custody.review.created"
    CUSTODY_AUTHORITY_CREATED = "custody.authority.created"
    CUSTODY_HANDOVER_ACKNOWLEDGED = "custody.handover.acknowledged"
    CUSTODY_PROPERTY_CREATED = "custody.property.created"
    CUSTODY_PROPERTY_UPDATED = "custody.property.updated"
    # issue 15: suites and cells (data: the whole suite with its cells), transfers between suites
    CUSTODY_SUITE_CREATED = "custody.suite.created"
    CUSTODY_SUITE_UPDATED = "custody.suite.updated"
    CUSTODY_TRANSFER_SENT = "custody.transfer.sent"
    CUSTODY_TRANSFER_ACCEPTED = "custody.transfer.accepted"
    # people
    PERSON_CREATED = "people.person.created"
    PERSON_UPDATED = "people.person.updated"
    PERSON_MERGED = "people.person.merged"
    PERSON_MERGE_UNDONE = "people.person.merge_undone"
    # investigations
    INVESTIGATION_CREATED = "investigations.investigation.created"
    INVESTIGATION_UPDATED = "investigations.investigation.updated"
    ACTION_CREATED = "investigations.action.created"
    ACTION_UPDATED = "investigations.action.updated"
    # intelligence
    INTEL_REPORT_CREATED = "intelligence.report.created"
    INTEL_REPORT_UPDATED = "intelligence.report.updated"
    # prosecution
    CHARGE_CASE_CREATED = "prosecution.charge_case.created"
    DISCLOSURE_CREATED = "prosecution.disclosure.created"
    # administration: the force configuration or the offence catalogue changed (data: {id, version}; no
    # personal data). Every workstation refreshes what it keeps of it (the offline offence catalogue).
    ADMIN_CONFIG_UPDATED = "admin.config.updated"

    @property
    def area(self) -> str:
        """The server area that emits it: custody, people, investigations, intelligence, prosecution."""
        return self.value.split(".", 1)[0]

    @classmethod
    def parse(cls, value: str) -> EventType | None:
        """The member for a type string, or None for a type this client does not know (a newer server)."""
        try:
            return cls(value)
        except ValueError:
            return None


# The groups views subscribe to.
CUSTODY_RECORD_CHANGED = frozenset({EventType.CUSTODY_RECORD_CREATED, EventType.CUSTODY_RECORD_UPDATED})
PERSON_CHANGED = frozenset({EventType.PERSON_CREATED, EventType.PERSON_UPDATED, EventType.PERSON_MERGED,
                            EventType.PERSON_MERGE_UNDONE})
ACTION_CHANGED = frozenset({EventType.ACTION_CREATED, EventType.ACTION_UPDATED})
INTEL_REPORT_CHANGED = frozenset({EventType.INTEL_REPORT_CREATED, EventType.INTEL_REPORT_UPDATED})
