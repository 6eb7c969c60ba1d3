"""The fictional demo suite: one user per role and a custody suite of invented detainees.

Every name, date of birth, collar number and custody number here is invented. Loading twice adds nothing:
rows have fixed ids (uuid5) and are skipped when present.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.roles import Role
from server.auth.models import User
from server.auth.passwords import hash_password
from server.custody.demo import DEMO_SUITES, DemoDetainee, load_custody_demo
from server.custody.models import CustodyRecord, Suite
from server.db import Base, utcnow
from server.demo_casework import INVESTIGATIONS, PEOPLE, REPORTS, load_people_demo
from server.intelligence.models import IntelligenceReport
from server.investigations.models import Investigation
from server.people.models import Person

DEMO_PASSWORD = "bridewell-demo"
_NS = uuid.UUID("6f1c2d4e-0b7a-4c55-9a61-b41de11e0000")

# username, display name, rank, collar number, role
DEMO_USERS = [
    ("sergeant", "Sgt Alys Penhallow", "Sergeant", "CS2417", Role.CUSTODY_SERGEANT),
    ("detention", "Morwenna Trask", "Detention officer", "DO7731", Role.DETENTION_OFFICER),
    ("inspector", "Insp Tobias Quennell", "Inspector", "IN0582", Role.INSPECTOR),
    ("superintendent", "Supt Hester Vantongeren", "Superintendent", "SU0107", Role.SUPERINTENDENT),
    ("investigator", "DC Rafe Illingsworth", "Detective constable", "DC4093", Role.INVESTIGATOR),
    ("intel", "Isolde Marchbank", "Intelligence officer", "IO3318", Role.INTELLIGENCE_OFFICER),
    ("supervisor", "DS Caradoc Whitlow", "Detective sergeant", "DS1266", Role.SUPERVISOR),
    ("admin", "Perpetua Gathercole", "System administrator", "AD0001", Role.ADMINISTRATOR),
]

# surname, forenames, date of birth, gender, hours since arrival, juvenile, vulnerable, risk, observation level
# (booked in through the custody services by server.custody.demo; juvenile is computed from the date of birth)
DEMO_DETAINEES: list[DemoDetainee] = [
    ("Abernethy-Vole", "Cosmo James", date(1991, 3, 14), "male", 19.5, False, False, "low", 1),
    ("Brightwater", "Delphine", date(1987, 11, 2), "female", 18.0, False, False, "medium", 1),
    ("Carrow", "Fenwick Ivo", date(2010, 6, 21), "male", 16.25, True, False, "medium", 2),
    ("Dunmore-Okafor", "Tamsin", date(1979, 1, 30), "female", 15.0, False, True, "high", 3),
    ("Elsworth", "Barnaby", date(1995, 8, 8), "male", 13.5, False, False, "low", 1),
    ("Fairweather", "Ottoline Rose", date(2001, 12, 12), "female", 12.0, False, False, "low", 1),
    ("Gorringe", "Lysander", date(1968, 4, 5), "male", 10.75, False, False, "medium", 2),
    ("Hollowell", "Yusra", date(1999, 9, 17), "female", 9.0, False, False, "low", 1),
    ("Inchbald", "Peregrine", date(1984, 2, 29), "male", 7.5, False, False, "high", 2),
    ("Jessamy", "Corvin Alexei", date(1993, 7, 3), "male", 6.0, False, False, "low", 1),
    ("Kettleborough", "Saoirse", date(1976, 10, 23), "female", 4.5, False, False, "medium", 1),
    ("Lanyon-Pike", "Ambrose", date(2003, 5, 11), "male", 3.25, False, False, "low", 1),
    ("Merriweather", "Zinnia", date(1990, 1, 1), "female", 2.0, False, False, "low", 1),
    ("Nankivell", "Oswin Talbot", date(1972, 3, 27), "male", 1.0, False, False, "medium", 2),
]


def demo_id(kind: str, name: str) -> str:
    return str(uuid.uuid5(_NS, f"{kind}:{name}"))


def demo_is_loaded(session: Session) -> bool:
    """True when every fixed-id row the demo adds is present: five counts, so a warm start skips the ~0.4 s of
    row-by-row checks in load_demo."""
    expected: list[tuple[type[Base], str, list[str]]] = [
        (User, "user", [u[0] for u in DEMO_USERS]),
        (CustodyRecord, "custody_record", [d[0] for d in DEMO_DETAINEES]),
        (Suite, "custody_suite", [s[0] for s in DEMO_SUITES]),
        (Person, "person", [p[0] for p in PEOPLE]),
        (Investigation, "investigation", [i[0] for i in INVESTIGATIONS]),
        (IntelligenceReport, "intelligence_report", [r[0] for r in REPORTS]),
    ]
    for model, kind, names in expected:
        ids = [demo_id(kind, name) for name in names]
        column = model.__table__.c.id
        if session.scalar(select(func.count()).select_from(model).where(column.in_(ids))) != len(ids):
            return False
    return True


def load_demo(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Add whatever of the demo suite is missing. Returns how many users, records and entries were added."""
    now = now or utcnow()
    added = {"users": 0, "records": 0, "log_entries": 0}
    users: dict[str, User] = {}
    password_hash: str | None = None
    for username, display, rank, collar, role in DEMO_USERS:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            # Every demo user has the same password: hash it once, not once per user (argon2 is ~0.15 s each).
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            user = User(id=demo_id("user", username), username=username, display_name=display, rank=rank,
                        collar_number=collar, role=role.value, password_hash=password_hash, active=True)
            session.add(user)
            added["users"] += 1
        users[username] = user
    session.flush()
    added.update(load_custody_demo(session, users, now, DEMO_DETAINEES, demo_id))  # issue 3: booked properly
    session.flush()
    load_people_demo(session, users, now)  # issue 4: people, investigations, intelligence
    return added
