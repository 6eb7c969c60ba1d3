"""The workstation's copy of the offence catalogue (desktop.sync.catalogue), against a real server and a real
local store: fetched and stored, revalidated with a 304, read back when the server cannot be reached."""
from __future__ import annotations

from datetime import date

import httpx
import pytest

from desktop.sync.catalogue import (CACHE_KEY, CatalogueUnavailable, cached_catalogue, offence_catalogue,
                                    refresh_catalogue)
from desktop.sync.client import ApiClient
from desktop.sync.local_store import LocalStore
from tests.desktop.harness import DEMO_PASSWORD

DEAD_SERVER = "http://127.0.0.1:9"  # discard port: nothing listens, the connection is refused at once


class RecordingTransport(httpx.HTTPTransport):
    """The real transport, noting each answer's status so a test can see a 304 go by."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.statuses.append(response.status_code)
        return response


@pytest.fixture
def store(tmp_path):
    made = LocalStore(tmp_path / "client")
    yield made
    made.close()


@pytest.fixture
def online(demo_server):
    transport = RecordingTransport()
    client = ApiClient(demo_server.url, transport=transport)
    client.login("sergeant", DEMO_PASSWORD)
    yield client, transport
    client.close()


@pytest.fixture
def offline():
    client = ApiClient(DEAD_SERVER, token="kept-from-an-earlier-sign-in")
    yield client
    client.close()


def test_the_first_fetch_is_stored_and_the_next_is_a_304(online, store):
    client, transport = online
    assert cached_catalogue(store) is None
    first = refresh_catalogue(client, store)
    assert first.confirmed and first.catalogue.lookup("TH68010", date.today()) is not None
    assert first.offences == sorted(first.offences, key=lambda o: (o["code"], o["effective_from"] or ""))
    kept = store.cache_get(CACHE_KEY)
    assert kept["etag"] == f'"{first.version}"' and kept["document"]["version"] == first.version

    transport.statuses.clear()
    again = refresh_catalogue(client, store)
    assert transport.statuses == [304]
    assert again.confirmed and again.version == first.version and again.offences == first.offences


def test_with_the_server_down_the_stored_copy_is_used(online, offline, store):
    fetched = refresh_catalogue(online[0], store)
    copy = refresh_catalogue(offline, store)
    assert not copy.confirmed
    assert copy.version == fetched.version and copy.offences == fetched.offences
    assert copy.catalogue.lookup("CJ88001", date.today()) == fetched.catalogue.lookup("CJ88001", date.today())
    # Opening a dialog uses the stored copy without asking the network at all.
    assert offence_catalogue(offline, store).version == fetched.version


def test_never_fetched_and_no_server_says_what_to_do(offline, store):
    with pytest.raises(CatalogueUnavailable, match="not on this workstation yet"):
        offence_catalogue(offline, store)


def test_a_damaged_copy_is_replaced_by_the_next_fetch(online, store):
    store.cache_put(CACHE_KEY, {"etag": '"stale"', "document": {"version": "x", "offences": [{"code": "BANANA"}]}})
    assert cached_catalogue(store) is None
    client, transport = online
    transport.statuses.clear()
    fresh = refresh_catalogue(client, store)
    assert transport.statuses == [200]  # the damaged copy's ETag is not sent
    assert cached_catalogue(store).version == fresh.version
