"""ApiClient: problem+json becomes ApiError with field errors; connection failures become ServerUnreachable."""

from __future__ import annotations

import socket

import httpx
import pytest

from desktop.sync.client import ApiClient, ApiError, BadServerAddress, ServerUnreachable, normalise_server_url
from desktop.sync.local_store import LocalStore
from desktop.sync.offline import CachingClient
from tests.desktop.harness import DEMO_PASSWORD


def test_problem_json_becomes_api_error_with_field_errors():
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer t0k"
        return httpx.Response(422, headers={"content-type": "application/problem+json"}, json={
            "type": "about:blank", "title": "Unprocessable Entity", "status": 422, "detail": "text: empty",
            "errors": [{"field": "text", "message": "Type what happened."}]})

    client = ApiClient("https://bridewell.test", "t0k", transport=httpx.MockTransport(handler))
    with pytest.raises(ApiError) as info:
        client.request("POST", "/custody/records/x/log", json={})
    assert info.value.status == 422
    assert info.value.field_errors == {"text": "Type what happened."}
    assert not info.value.retryable
    client.close()


def test_refused_connection_is_server_unreachable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    client = ApiClient(f"http://127.0.0.1:{port}", timeout=2)
    with pytest.raises(ServerUnreachable):
        client.health()
    client.close()


@pytest.mark.parametrize("text", ["", "localhost:8000", "ftp://host", "http://", "http://host:99999", "bridewell"])
def test_malformed_addresses_are_refused(text):
    with pytest.raises(BadServerAddress):
        normalise_server_url(text)


def test_good_address_is_normalised():
    assert normalise_server_url(" https://custody.example.test:8443/ ") == "https://custody.example.test:8443"


def test_real_server_login_and_records(demo_server):
    client = ApiClient(demo_server.url)
    with pytest.raises(ApiError) as info:
        client.login("sergeant", "not-the-password")
    assert info.value.status == 401
    client.login("sergeant", "bridewell-demo")
    assert client.me()["username"] == "sergeant"
    assert len(client.open_records()) >= 12
    client.close()


def test_the_log_and_risk_read_is_cached_as_the_two_reads_for_working_offline(demo_server, tmp_path):
    """Switching detainee reads the log and the risk assessment in one request (issue 17); offline start serves
    the detainee from the cache: either way of reading fills the entries the other reads, server gone."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        gone = f"http://127.0.0.1:{sock.getsockname()[1]}"  # closed again: nothing listens there
    store = LocalStore(tmp_path / "workstation")
    online = CachingClient(demo_server.url, store=store)
    offline = CachingClient(gone, store=store, timeout=2)
    try:
        online.login("sergeant", DEMO_PASSWORD)
        first, second = [r["id"] for r in online.open_records()[:2]]
        log, versions = online.log_and_risk(first)
        assert log and all(e["record_id"] == first for e in log)
        assert versions and all(v["record_id"] == first for v in versions)
        assert offline.log_and_risk(first) == (log, versions)
        assert offline.record_log(first) == log and offline.risk_assessments(first) == versions
        # Cached by the two reads (as before this route, or by a dialog): the joined read finds them offline.
        both = online.record_log(second), online.risk_assessments(second)
        assert offline.log_and_risk(second) == both
        with pytest.raises(ServerUnreachable):
            offline.log_and_risk("00000000-0000-4000-8000-000000000000")  # never read here: nothing to show
    finally:
        online.close()
        offline.close()
        store.close()
