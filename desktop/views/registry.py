"""The areas the main window installs, in this order: it decides the order of docks (and so of Alt+1..5 after the
shell's detainee log) and, within a menu two areas share, whose items come first."""

from __future__ import annotations

from collections.abc import Callable

from desktop.areas import Area, AreaContext
from desktop.views.admin.area import AdminArea
from desktop.views.custody.area import CustodyArea
from desktop.views.force.area import ForceArea
from desktop.views.intelligence.area import IntelligenceArea
from desktop.views.investigations.area import InvestigationsArea
from desktop.views.people.area import PeopleArea
from desktop.views.prosecution.area import ProsecutionArea
from desktop.views.records.area import RecordsArea
from desktop.views.shell.unsent_changes import UnsentChangesArea

AREAS: tuple[Callable[[AreaContext], Area], ...] = (
    CustodyArea,  # the custody board (central, Alt+0), Custody menu, log and risk docks (Alt+1, 2), overdue news
    ForceArea,  # Custody > Force view (Ctrl+Alt+F), Force view dock (Alt+7): every suite, the review queue
    InvestigationsArea,  # Investigations menu, Investigation actions dock (Alt+3)
    IntelligenceArea,  # Intelligence menu, Intelligence grading dock (Alt+4)
    PeopleArea,  # People menu, Person dock (Alt+5)
    ProsecutionArea,  # Custody > Charge…
    RecordsArea,  # File > print, preview, save as PDF, read in order
    AdminArea,  # Administration menu (users, audit viewer), People/Custody > who has looked, subject access
    UnsentChangesArea,  # File > Unsent changes… (Ctrl+Alt+O): set-aside and waiting outbox rows
)
