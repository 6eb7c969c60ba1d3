"""ApiClient: problem+json becomes ApiError with field errors; connection failures become ServerUnreachable."""

from __future__ import annotations

import socket

import httpx
import pytest

from desktop.sync.client import ApiClient, ApiError, BadServerAddress, ServerUnreachable, normalise_server_url


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
