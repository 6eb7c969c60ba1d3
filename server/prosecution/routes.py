"""HTTP routes of prosecution (docs/api-prosecution.md): the offence catalogue, charging, disclosures."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Response
from fastapi.responses import JSONResponse

from domain.charging import caution_on_charge
from server.auth.dependencies import CurrentUser, SessionDep
from server import force
from server.db import utcnow
from server.idempotency import IdempotencyDep
from server.prosecution import catalogue, service
from server.wire import DateIn
from server.prosecution.schemas import (CatalogueOffenceOut, CatalogueOut, ChargeCaseIn, ChargeCaseOut, DisclosureIn,
                                       DisclosureOut)

router = APIRouter(tags=["prosecution"])
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not allowed for your role (detail says why)"},
    409: {"description": "Record released (read-only), already charged, or id already used"},
    422: {"description": "Invalid (field errors)"},
}


@router.get("/offences", response_model=list[CatalogueOffenceOut])
def offences(user: CurrentUser, q: str = "", on: DateIn | None = None) -> list[CatalogueOffenceOut]:
    return catalogue.search(q[:200], on, utcnow().date())


@router.get("/offences/catalogue", response_model=CatalogueOut,
            responses={304: {"description": "Not modified: the If-None-Match version is current"}})
def offence_catalogue(user: CurrentUser, if_none_match: str | None = Header(default=None)) -> Response:
    """The whole catalogue that booking and charging check against, versioned (ETag) for the clients' offline copy."""
    doc = catalogue.document()
    headers = {"ETag": doc.etag, "Cache-Control": "no-cache"}  # no-cache: keep it, but ask again before use
    if catalogue.matches(if_none_match, doc.etag):
        return Response(status_code=304, headers=headers)
    return Response(content=doc.body, media_type="application/json", headers=headers)


@router.post("/custody/records/{record_id}/charges", status_code=201, response_model=ChargeCaseOut,
             responses=WRITE_ERRORS)
def charge(record_id: str, body: ChargeCaseIn, user: CurrentUser, session: SessionDep,
           idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: service.charge(session, user, record_id, body))


@router.get("/custody/records/{record_id}/charges", response_model=list[ChargeCaseOut])
def charges(record_id: str, user: CurrentUser, session: SessionDep) -> list[ChargeCaseOut]:
    return service.list_cases(session, user, record_id)


@router.post("/audit/disclosures", status_code=201, response_model=DisclosureOut, responses=WRITE_ERRORS)
def disclose(body: DisclosureIn, user: CurrentUser, session: SessionDep, idem: IdempotencyDep) -> JSONResponse:
    return idem.run(201, lambda: service.disclose(session, user, body))


@router.get("/custody/records/{record_id}/disclosures", response_model=list[DisclosureOut])
def disclosures(record_id: str, user: CurrentUser, session: SessionDep) -> list[DisclosureOut]:
    return service.list_disclosures(session, user, record_id)


@router.get("/charging/caution")
def caution(user: CurrentUser) -> dict[str, str]:
    """The force's caution on charge (configuration, Code C 16.2), so the client shows what the server stores."""
    return {"caution_on_charge": caution_on_charge(force.force_config())}
