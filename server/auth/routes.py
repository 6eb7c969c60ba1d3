from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from server.auth import service
from server.auth.dependencies import CurrentUser, SessionDep, current_token
from server.auth.models import Token
from server.auth.schemas import LoginIn, LoginOut, UserOut

router = APIRouter(prefix="/auth", tags=["auth"])


def throttled_address(request: Request) -> str | None:
    """The address whose failures are counted together, or None for loopback: the embedded server's only
    client, or a reverse proxy on the same host that did not pass the client's address on (uvicorn takes it
    from X-Forwarded-For when the proxy is trusted: docs/operator-guide.md)."""
    host = request.client.host if request.client else None
    try:
        return None if host is None or ipaddress.ip_address(host).is_loopback else host
    except ValueError:  # not an IP address (a test transport's name): count it as given
        return host


@router.post("/login", response_model=LoginOut, responses={
    401: {"description": "Wrong user name or password"},
    429: {"description": "Too many failed sign-ins: try again after Retry-After seconds"}})
def login(body: LoginIn, request: Request, session: SessionDep) -> LoginOut:
    settings = request.app.state.settings
    token, row = service.login(session, body.username, body.password, settings.token_ttl,
                               address=throttled_address(request),
                               policy=settings.sign_in_policy)
    # Where the session is used from (the audit viewer shows it): the client names its workstation.
    row.workstation = (request.headers.get("x-workstation", "").strip()[:200]
                       or (request.client.host if request.client else None))
    return LoginOut(token=token, expires_at=row.expires_at, user=UserOut.model_validate(row.user))


@router.post("/logout", status_code=204)
def logout(token: Annotated[Token, Depends(current_token)]) -> Response:
    service.revoke(token)
    return Response(status_code=204)


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)
