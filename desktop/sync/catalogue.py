"""The offence catalogue on the workstation: the server's one catalogue (GET /offences/catalogue), kept in the
local store so booking in and charging keep working when the server cannot be reached.

Plain Python (no Qt), doing network and disk I/O: call it from workers (Operations.run).

The packaged example file (resources/offences) is deliberately not read here, not even as a first-run fallback:
a force may *replace* it, so offering its codes could book someone in for an offence the server then refuses,
after the detainee is in the cell. A workstation has to sign in to the server before it can book anyone, and the
copy is fetched right after sign-in (and refreshed whenever booking or charging opens), so "never fetched and
no server" only happens if the server goes down within seconds of the first sign-in; then the user is told
plainly that the catalogue is not on this workstation yet, rather than shown the wrong list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.sync.client import ApiClient, ApiError, ServerUnreachable
from desktop.sync.local_store import LocalStore
from domain.offences import Catalogue, CatalogueError, catalogue_from_entries

CACHE_KEY = "offences.catalogue"


class CatalogueUnavailable(Exception):
    """No copy on this workstation and the server cannot give one; the message says what to do."""


@dataclass(frozen=True)
class OffenceCatalogue:
    version: str
    offences: list[dict[str, Any]]  # every version of every offence, wire form, sorted by code (charge picker)
    catalogue: Catalogue  # lookups by code on a date (booking in)
    confirmed: bool  # True: the server confirmed this version just now; False: the workstation's copy


def _offered(doc: dict[str, Any], confirmed: bool) -> OffenceCatalogue:
    offences = list(doc["offences"])
    return OffenceCatalogue(str(doc["version"]), offences, catalogue_from_entries(offences, "server catalogue"),
                            confirmed)


def cached_catalogue(store: LocalStore | None) -> OffenceCatalogue | None:
    """The copy in the local store, or None if this workstation has never fetched one (or it is unreadable)."""
    return _stored(store)[1]


def _stored(store: LocalStore | None) -> tuple[str | None, OffenceCatalogue | None]:
    cached = store.cache_get(CACHE_KEY) if store is not None else None
    if not isinstance(cached, dict) or not isinstance(cached.get("document"), dict):
        return None, None
    try:
        return cached.get("etag"), _offered(cached["document"], confirmed=False)
    except (CatalogueError, KeyError, TypeError):
        return None, None  # a damaged copy is as good as none: the next fetch replaces it


def refresh_catalogue(client: ApiClient, store: LocalStore | None) -> OffenceCatalogue:
    """Ask the server whether the stored copy is current (conditional GET); store a newer one. If the server
    cannot answer, the stored copy (`confirmed` False). Raises CatalogueUnavailable when there is neither."""
    etag, copy = _stored(store)
    try:
        answer = client.offence_catalogue(etag)
    except (ServerUnreachable, ApiError) as exc:
        if copy is not None:
            return copy
        raise CatalogueUnavailable(
            "The offence catalogue is not on this workstation yet and the server cannot send it "
            f"({exc}). Try again when the server can be reached.") from exc
    if answer is None:  # 304: the stored copy (there is one: its ETag was sent) is current
        assert copy is not None
        return OffenceCatalogue(copy.version, copy.offences, copy.catalogue, confirmed=True)
    new_etag, doc = answer
    offered = _offered(doc, confirmed=True)  # parse before storing: never keep a copy that cannot be read
    if store is not None:
        store.cache_put(CACHE_KEY, {"etag": new_etag, "document": doc})
    return offered


def offence_catalogue(client: ApiClient, store: LocalStore | None) -> OffenceCatalogue:
    """The catalogue to open a dialog with now: the stored copy without waiting for the network, else the
    server's. Follow it with refresh_catalogue in the background so the next dialog has any newer version."""
    return cached_catalogue(store) or refresh_catalogue(client, store)
