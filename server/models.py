"""Imports every model module so Base.metadata is complete (for Alembic autogenerate and checks)."""

from server.audit import AuditChainHead, AuditEntry  # noqa: F401
from server.auth.models import Token, User  # noqa: F401
from server.custody.models import CustodyRecord, LogEntry  # noqa: F401
from server.custody.handover import Handover  # noqa: F401
from server.events import Event  # noqa: F401
from server.idempotency import IdempotencyRecord  # noqa: F401
from server.people.models import Person  # noqa: F401
from server.investigations.models import Action, ActionHistory, Investigation  # noqa: F401
from server.intelligence.models import IntelligenceReport  # noqa: F401
from server.people.models import PersonMerge  # noqa: F401
from server.prosecution.models import Charge, ChargeCase, Disclosure  # noqa: F401
from server.auth.throttle import SignInThrottle  # noqa: F401
from server.integration.models import BusConsumed, BusFact, BusMessage  # noqa: F401
from server.config_store import ForceSetting, ForceSettingVersion  # noqa: F401
