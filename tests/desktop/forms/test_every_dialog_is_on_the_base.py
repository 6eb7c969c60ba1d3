"""Every dialog that saves is built on the one base (desktop/views/forms/dialog.py). Found by importing every
module under desktop/views, so a new dialog cannot be forgotten: it is either a WriteDialog or it is listed
below as one that saves nothing, with the reason."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from PySide6.QtWidgets import QDialog

import desktop.views
from desktop.views.forms.dialog import FormDialog, WriteDialog

# Dialogs that save nothing themselves, and why.
SAVES_NOTHING = {
    "LoginDialog": "signs in; a session, not a record, and never queued in the outbox",
    "PersonSearchDialog": "finds a person; the dialog that uses the choice saves",
    "PrintPreviewDialog": "shows a document",
    "RecordReaderDialog": "shows a record",
    "ReportViewDialog": "shows an intelligence report",
    "DisclosureDialog": "asks who a copy is for; the disclosure is recorded once the copy is made",
    "ConflictDialog": "compares two versions; the form (or the outbox row) it was opened for sends the choice",
    "LockScreen": "asks for the password again; a session, not a record",
    "AuditViewer": "searches the audit and exports it to a file; only reads (each read audited by the server)",
    "AdminWindow": "the frame the three administration windows share (a list, buttons, Close); saves nothing",
    "UsersWindow": "lists the users; each change is its own write dialog (user_dialogs.UserForms)",
    "ConfigWindow": "shows the force configuration; each change is its own write dialog (config_dialogs.py)",
    "SuitesWindow": "lists the suites and cells; each change is its own write dialog (suite_dialogs.SuiteForms)",
    "HandoverDialog": "shows, prints and saves the handover as PDF; the acknowledgement is its own write dialog",
    "CustodyHistoryDialog": "searches closed custody records and selects the one chosen, to read (each read audited)",
}


def dialog_classes() -> list[type]:
    found: dict[str, type] = {}
    for module in pkgutil.walk_packages(desktop.views.__path__, "desktop.views."):
        loaded = importlib.import_module(module.name)
        for _name, cls in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(cls, QDialog) and cls.__module__ == loaded.__name__:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(found.values())


def test_every_dialog_that_saves_is_a_write_dialog():
    classes = dialog_classes()
    assert len(classes) > 20  # the discovery really found the dialogs
    strays = [f"{cls.__module__}.{cls.__qualname__}" for cls in classes
              if not issubclass(cls, WriteDialog) and cls.__name__ not in SAVES_NOTHING]
    assert strays == [], f"build these on desktop.views.forms.dialog.WriteDialog: {strays}"


def test_a_dialog_listed_as_saving_nothing_really_queues_nothing():
    assert set(SAVES_NOTHING) <= {cls.__name__ for cls in dialog_classes()}  # no stale entries
    for cls in dialog_classes():
        if cls.__name__ in SAVES_NOTHING:
            source = inspect.getsource(cls)
            assert "writes" not in source and ".queue(" not in source, cls.__name__
            assert not issubclass(cls, WriteDialog)


def test_no_dialog_queues_a_write_around_the_base():
    """A dialog on the base saves with `send` (which calls `writes.queue` with its key and callbacks)."""
    for cls in dialog_classes():
        if issubclass(cls, WriteDialog) and cls not in (WriteDialog, FormDialog):
            assert ".queue(" not in inspect.getsource(cls), cls.__name__


def test_every_date_and_time_field_is_the_one_tab_stop_kind():
    """Qt's own date/time edits stop at each section on Tab; ours leave in one press. Only forms/fields.py
    may make one, so Tab behaves the same in every dialog and panel."""
    from pathlib import Path

    root = Path(desktop.views.__file__).parent.parent
    makers = [str(path.relative_to(root)) for path in root.rglob("*.py") if path.name != "fields.py"
              and any(maker in path.read_text() for maker in ("QDateTimeEdit(", "QDateEdit("))]
    assert makers == []
