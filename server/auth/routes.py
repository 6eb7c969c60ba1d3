from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from server.auth import service
from server.auth.dependencies import CurrentUser, SessionDep, current_token
from server.auth.models import Token
from server.auth.schemas import LoginIn, LoginOut, UserOut

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, session: SessionDep) -> LoginOut:
    token, row = service.login(session, body.username, body.password, request.app.state.settings.token_ttl)
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
