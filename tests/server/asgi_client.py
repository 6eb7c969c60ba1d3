"""A synchronous httpx client over ASGITransport, driven by one event loop in a background thread.

Requests from several test threads run concurrently on that loop, as they would on uvicorn, which the
long-poll tests rely on. (starlette's TestClient now warns about httpx, and warnings fail tests.)
"""

from __future__ import annotations

import functools

import httpx
from anyio.from_thread import start_blocking_portal


class AsgiClient:
    def __init__(self, app, base_url: str = "http://testserver", client: tuple[str, int] = ("127.0.0.1", 123)):
        self._portal_cm = start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=client), base_url=base_url)

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        return self._portal.call(functools.partial(self._client.request, method, url, **kwargs))

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        try:
            self._portal.call(self._client.aclose)
        finally:
            self._portal_cm.__exit__(None, None, None)

    def __enter__(self) -> AsgiClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
