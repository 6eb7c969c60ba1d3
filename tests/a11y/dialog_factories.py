"""How the audit opens each dialog in desktop/views with real demo data.

Constructor arguments are found by parameter name in `AuditContext.values()` (a signed-in API client, the ops
runner, a real demo custody record, the real offence catalogue, a real PDF...). A dialog whose constructor
needs something else gets an entry in FACTORIES; until it has one the audit fails and says so, so a new
dialog can never slip past the checks.
"""

from __future__ import annotations

import inspect
import io
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtWidgets import QDialog

from desktop.sync.client import ApiClient
from desktop.sync.credentials import Credentials
from desktop.operations import Operations
from desktop.session import Session


def _pdf_bytes() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for page in (1, 2):
        pdf.drawString(72, 760, f"Custody record (audit), page {page}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@dataclass
class AuditContext:
    url: str
    client: ApiClient
    user: dict
    ops: Operations
    records: list[dict]
    window_factory: Callable[[], Any] | None = None  # a real MainWindow signed in as the sergeant
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def record(self) -> dict:
        # The detainee with the most filled-in fields, so every part of a dialog has something to show.
        return max(self.records, key=lambda r: sum(v not in (None, "", [], {}) for v in r.values()))

    def lazy(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.extra:
            self.extra[key] = make()
        return self.extra[key]

    def values(self) -> dict[str, Callable[[], Any]]:
        from domain.charging import caution_on_charge

        record = self.record
        return {
            "ops": lambda: self.ops,
            "operations": lambda: self.ops,
            "client": lambda: self.client,
            "api": lambda: self.client,
            "session": lambda: self.lazy("session", lambda: _session(self)),
            "controller": lambda: self.lazy("session", lambda: _session(self)),
            "credentials": Credentials,
            "user": lambda: self.user,
            "server_url": lambda: self.url,
            "record": lambda: record,
            "custody_record": lambda: record,
            "records": lambda: self.records,
            "person": lambda: record.get("person") or {},
            "person_id": lambda: (record.get("person") or {}).get("id"),
            "record_id": lambda: record["id"],
            "offences": lambda: self.lazy("offences", lambda: self.client.request("GET", "/offences")),
            "caution_wording": caution_on_charge,
            "caution": caution_on_charge,
            "title": lambda: "Custody record",
            "what": lambda: "Custody record",
            "html": lambda: "<h1>Custody record</h1><h2>Detainee</h2><p>An invented person for the audit.</p>",
            "pdf": lambda: self.lazy("pdf", _pdf_bytes),
            "text": lambda: "Audit text",
            "message": lambda: "Audit message",
            "prompt": lambda: "Why do you need to see this record? The reason is kept in the audit log.",
            "reason": lambda: "",
            "window": lambda: self.window,
            "writes": lambda: self.window.writes,
            "person_picker": lambda: self.window.links.person_picker,
            "catalogue": lambda: self.lazy("catalogue", _catalogue),
            "role": lambda: self.user.get("role"),
            "roles": lambda: frozenset(self.user.get("roles") or [self.user.get("role")]),
            "action": lambda: self.lazy("action", lambda: _first(self.as_user("investigator").actions(mine=False),
                                                                 "investigation action")),
            "officers": lambda: [self.user],
            "event": lambda: "refer",
            "report": lambda: self.lazy("report", lambda: _first(self.as_user("intel").intel_reports(),
                                                                 "intelligence report")),
            "survivor": lambda: self.lazy("survivor", lambda: self.client.person(record["person"]["id"])),
            # Issue 14: a running interview to end, property to return, and where a closed record is opened.
            "interview": lambda: {"id": "00000000-0000-4000-8000-000000000014", "started_at": record["arrived_at"],
                                  "location": "Interview room 2", "special_warnings": [],
                                  "interviewing_officers": ["DC 4093 Rafe Illingsworth"]},
            "items": lambda: [{"id": "00000000-0000-4000-8000-000000000015", "description": "Brown leather wallet",
                               "quantity": 1, "disposition": "retained", "bag_number": "PB-00912"}],
            "open_record": lambda: (lambda _record: None),
        }

    @property
    def window(self):
        return self.lazy("window", self.window_factory)

    def as_user(self, username: str) -> ApiClient:
        def login():
            client = ApiClient(self.url)
            client.login(username, "bridewell-demo")
            return client
        return self.lazy(f"client:{username}", login)

    def close(self) -> None:
        for key, value in self.extra.items():
            if key.startswith("client:"):
                value.close()


def _catalogue():
    from domain.offences import load_catalogue

    return load_catalogue()


def _first(rows: list[dict], what: str) -> dict:
    assert rows, f"the demo suite has no {what} to open the dialog with"
    return rows[0]


def _session(ctx: AuditContext) -> Session:
    session = Session(ctx.client, ctx.user)
    session.select_record(ctx.record)
    return session


# Dialogs whose constructors cannot be filled in by parameter name: "module.Class" -> factory(ctx).
FACTORIES: dict[str, Callable[[AuditContext], QDialog]] = {
    "desktop.views.shell.login_dialog.LoginDialog":
        lambda ctx: _cls("desktop.views.shell.login_dialog", "LoginDialog")(ctx.ops, Credentials(), ctx.url,
                                                                       username="sergeant"),
    "desktop.views.forms.conflict_dialog.ConflictDialog":
        lambda ctx: _cls("desktop.views.forms.conflict_dialog", "ConflictDialog")(
            None, "risk assessment", {"risk_level": "medium", "notes": "Calm after the meal.", "trigger": "other"},
            {"risk_level": "high", "notes": "", "trigger": "other"}),
    "desktop.views.shell.lock_screen.LockScreen":
        lambda ctx: _cls("desktop.views.shell.lock_screen", "LockScreen")(None, "Sgt Alys Penhallow (sergeant)"),
    "desktop.views.records.disclosure_dialog.DisclosureDialog":
        lambda ctx: _cls("desktop.views.records.disclosure_dialog", "DisclosureDialog")("Custody record", "Print"),
    "desktop.views.custody.handover_view.AcknowledgeHandoverDialog":
        lambda ctx: _cls("desktop.views.custody.handover_view", "AcknowledgeHandoverDialog")(
            None, ctx.window.writes, {"detainees": [{"record_id": r["id"]} for r in ctx.records]}),
    # The administration area's windows and dialogs (issue 12): administrators' and supervisors' screens.
    "desktop.views.admin.audit_viewer.AuditViewer":
        lambda ctx: _cls("desktop.views.admin.audit_viewer", "AuditViewer")(
            ctx.ops, ctx.as_user("supervisor"), None,
            subject={"person_id": ctx.record["person"]["id"], "label": "the audit's person"}),
    "desktop.views.admin.users_window.UsersWindow":
        lambda ctx: _cls("desktop.views.admin.users_window", "UsersWindow")(ctx.ops, ctx.as_user("admin"), None, None),
    "desktop.views.admin.user_dialogs.UserDialog":
        lambda ctx: _cls("desktop.views.admin.user_dialogs", "UserDialog")(None, None, ctx.ops, ctx.as_user("admin")),
    "desktop.views.admin.user_dialogs.PasswordDialog":
        lambda ctx: _cls("desktop.views.admin.user_dialogs", "PasswordDialog")(None, ctx.ops, ctx.as_user("admin"),
                                                                             ctx.user),
    "desktop.views.admin.user_dialogs.LockUserDialog":
        lambda ctx: _cls("desktop.views.admin.user_dialogs", "LockUserDialog")(None, ctx.window.writes, ctx.user),
    "desktop.views.admin.user_dialogs.EndSessionsDialog":
        lambda ctx: _cls("desktop.views.admin.user_dialogs", "EndSessionsDialog")(None, ctx.ops, ctx.as_user("admin"),
                                                                                ctx.user),
    # The force configuration (issue 15): read as an administrator, so every field shows the values in force.
    "desktop.views.admin.config_window.ConfigWindow":
        lambda ctx: _cls("desktop.views.admin.config_window", "ConfigWindow")(ctx.ops, ctx.as_user("admin"), None,
                                                                             None),
    "desktop.views.admin.config_dialogs.SettingsDialog":
        lambda ctx: _cls("desktop.views.admin.config_dialogs", "SettingsDialog")(
            None, ctx.window.writes, ctx.as_user("admin").request("GET", "/admin/config/settings")),
    "desktop.views.admin.config_dialogs.OffenceDialog":
        lambda ctx: _cls("desktop.views.admin.config_dialogs", "OffenceDialog")(
            None, ctx.window.writes, 0, ctx.as_user("admin").request("GET", "/admin/config/offences")["offences"][0]),
    # Issue 15: transfers between suites, and the suites and cells administrators edit.
    "desktop.views.custody.transfer_dialogs.TransferDialog":
        lambda ctx: _cls("desktop.views.custody.transfer_dialogs", "TransferDialog")(
            ctx.window, ctx.record, ctx.client.suites(), writes=ctx.window.writes),
    "desktop.views.admin.suite_dialogs.SuiteDialog":
        lambda ctx: _cls("desktop.views.admin.suite_dialogs", "SuiteDialog")(None, ctx.window.writes),
    "desktop.views.admin.suite_dialogs.CellDialog":
        lambda ctx: _cls("desktop.views.admin.suite_dialogs", "CellDialog")(None, ctx.window.writes,
                                                                          ctx.client.suites()[0]),
    "desktop.views.admin.suites_window.SuitesWindow":
        lambda ctx: _cls("desktop.views.admin.suites_window", "SuitesWindow")(
            ctx.ops, ctx.as_user("admin"), _cls("desktop.views.admin.suite_dialogs", "SuiteForms")(None), None),
    "desktop.views.admin.subject_access_dialog.SubjectAccessDialog":
        lambda ctx: _cls("desktop.views.admin.subject_access_dialog", "SubjectAccessDialog")(
            None, ctx.ops, ctx.as_user("supervisor"), ctx.record["person"]),
    # The investigations area's dialogs (issue 14), on an investigation of the demo suite (with its lines).
    "desktop.views.investigations.investigation_dialogs.InvestigationDialog":
        lambda ctx: _cls("desktop.views.investigations.investigation_dialogs", "InvestigationDialog")(
            None, ctx.window.writes, ctx.values()["offences"](), [ctx.user], _investigation(ctx)),
    "desktop.views.investigations.investigation_dialogs.LinkPersonDialog":
        lambda ctx: _cls("desktop.views.investigations.investigation_dialogs", "LinkPersonDialog")(
            None, ctx.window.writes, _investigation(ctx), lambda chosen: None),
    "desktop.views.investigations.investigation_dialogs.LineOfEnquiryDialog":
        lambda ctx: _cls("desktop.views.investigations.investigation_dialogs", "LineOfEnquiryDialog")(
            None, ctx.window.writes, _investigation(ctx)),
    "desktop.views.investigations.investigation_dialogs.RaiseActionDialog":
        lambda ctx: _cls("desktop.views.investigations.investigation_dialogs", "RaiseActionDialog")(
            None, ctx.window.writes, _investigation(ctx)),
    # Adding to an intelligence report after it was made (issue 14).
    "desktop.views.intelligence.link_dialogs.AddReportPersonDialog":
        lambda ctx: _cls("desktop.views.intelligence.link_dialogs", "AddReportPersonDialog")(
            None, ctx.window.writes, ctx.values()["report"](), lambda chosen: None),
    "desktop.views.intelligence.link_dialogs.AddPlaceDialog":
        lambda ctx: _cls("desktop.views.intelligence.link_dialogs", "AddPlaceDialog")(
            None, ctx.window.writes, ctx.values()["report"]()),
    "desktop.views.intelligence.link_dialogs.AddEventDialog":
        lambda ctx: _cls("desktop.views.intelligence.link_dialogs", "AddEventDialog")(
            None, ctx.window.writes, ctx.values()["report"]()),
}


def _investigation(ctx: AuditContext) -> dict:
    return ctx.lazy("investigation", lambda: max(ctx.as_user("investigator").investigations(),
                                                 key=lambda i: len(i.get("lines_of_enquiry") or [])))


def _cls(module: str, name: str):
    import importlib

    return getattr(importlib.import_module(module), name)


# Optional parameters the audit fills anyway, so every part of the dialog is shown (the sergeant's rows).
FILL_OPTIONAL = {"role", "roles", "user"}


class NoFactory(Exception):
    pass


def make_dialog(cls: type, ctx: AuditContext) -> QDialog:
    key = f"{cls.__module__}.{cls.__qualname__}"
    if key in FACTORIES:
        return FACTORIES[key](ctx)
    values = ctx.values()
    args, kwargs = [], {}
    for name, param in list(inspect.signature(cls.__init__).parameters.items())[1:]:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if name == "parent":
            continue
        if name not in values:
            if param.default is not inspect.Parameter.empty:
                continue
            raise NoFactory(f"{key}: no audit value for the constructor parameter {name!r}; add a factory to "
                            "FACTORIES in tests/a11y/dialog_factories.py")
        if param.default is not inspect.Parameter.empty and name not in FILL_OPTIONAL:
            continue
        value = values[name]()
        if param.kind == param.KEYWORD_ONLY:
            kwargs[name] = value
        else:
            args.append(value)
    return cls(*args, **kwargs)
