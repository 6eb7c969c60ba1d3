"""current_user and require_roles: FastAPI dependencies every protected route uses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from domain.roles import ROLE_TITLES, Role
from server.auth.models import Token, User
from server.auth.service import BEARER, signed_in, user_for_token
from server.db import get_session, in_session
from server.errors import ProblemError

T = TypeVar("T")

# scope="function": the session commits before the response is sent, so a 201 means stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProblemError(401, "Sign in first: this request carries no bearer token.", headers=BEARER)
    return token.strip()


def current_user(request: Request, session: SessionDep) -> User:
    # The check is one query of plain rows (server/auth/service.py signed_in), and its transaction simply
    # continues into the handler on the same connection (no commit, no second checkout and ping of a pooled
    # connection: issue 9). Holding the connection across the request's thread hops cannot starve the pool: the
    # database gate (server/gate.py) lets in only as many requests as the pool has connections.
    return signed_in(session, bearer_token(request))


CurrentUser = Annotated[User, Depends(current_user)]


def current_token(request: Request, session: SessionDep) -> Token:
    """The request's token as an ORM object, checked as current_user checks it: for signing it out."""
    _user, token = user_for_token(session, bearer_token(request))
    return token


async def signed_in_work(request: Request, work: Callable[[Session, User], T]) -> T:
    """The sign-in check, then `work(session, user)`, in one session, one thread hop and one slot of the database
    gate (server/gate.py), for async handlers on paths the gate's middleware leaves to them. The session is closed
    (rolled back) after `work`: for reads, and for work whose writes are stored elsewhere (the audit writer)."""
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    token = bearer_token(request)

    def run() -> T:
        with factory() as session:
            return work(session, signed_in(session, token))

    async with request.app.state.gate.slot():
        return await anyio.to_thread.run_sync(run)


async def signed_in_user(request: Request) -> User:
    """The signed-in user, checked in a session of its own that is closed before the handler runs.

    For handlers that hold a request open without database work (the change feed's long poll): the check takes
    a slot of the database gate (server/gate.py) for one thread hop only, with no session to commit at the end,
    so a thousand waits answering at once queue on the event loop, not for threads or connections.
    The user comes back detached, with its columns and roles loaded.
    """
    return await signed_in_work(request, lambda _session, user: user)


SignedInUser = Annotated[User, Depends(signed_in_user)]


async def has_bearer(request: Request) -> str:
    return bearer_token(request)  # async: no thread hop


# Only that the request carries a bearer token (401 if not, before its body is read): for handlers that check the
# token together with their work (signed_in_work, signed_in_request).
BearerToken = Annotated[str, Depends(has_bearer)]


async def signed_in_request(request: Request, work: Callable[[Session, User], T],
                            check: Callable[[User], User] | None = None) -> T:
    """The sign-in check, the role check (`check`, as role_check makes), `work(session, user)` and the commit,
    in the request's one session and ONE thread hop (server/db.py in_session), for the async handlers of the
    reads every workstation repeats (the board, a detainee's log): as dependencies
    (CurrentUser, SessionDep) they cost a hop each for the check, the handler and the commit (issue 9).
    The handler declares BearerToken, so a request without a token is still a 401 before its body is read."""
    token = bearer_token(request)

    def run(session: Session) -> T:
        user = signed_in(session, token)
        return work(session, check(user) if check is not None else user)

    return await in_session(request, run)


def role_check(*roles: Role) -> Callable[[User], User]:
    """The check that only these roles pass (403 naming the roles that may), as a plain function: what a route's
    dependency runs (require_roles) and what POST /batch's direct path runs for each request (server/batch.py)."""
    allowed = frozenset(Role(r) for r in roles)
    names = " or ".join(sorted(ROLE_TITLES[r].lower() for r in allowed))

    def check(user: User) -> User:
        # A user may hold several roles (issue 12): any one of them that is allowed will do.
        if not user.has_role(*allowed):
            held = " and ".join(ROLE_TITLES[Role(r)].lower() for r in user.roles)
            raise ProblemError(403, f"Only a {names} may do this; you are signed in as {held}.")
        return user

    return check


def as_dependency(check: Callable[[User], User]) -> Callable[[User], Awaitable[User]]:
    """A role check as a route dependency: async, so it costs no thread hop (the roles are already loaded)."""

    async def dependency(user: CurrentUser) -> User:
        return check(user)

    return dependency


def require_roles(*roles: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency that lets only these roles through (403 naming the roles that may)."""
    return as_dependency(role_check(*roles))
