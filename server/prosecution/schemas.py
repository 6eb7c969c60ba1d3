"""Request and response shapes of the prosecution API (docs/api-prosecution.md)."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.wire import CleanStr, ClientId, DateIn, Flag, UTCIn, UTCOut

BAIL_DECISIONS = ("unconditional_bail", "conditional_bail", "remanded_in_custody")
BAIL_TITLES = {"unconditional_bail": "Unconditional bail", "conditional_bail": "Conditional bail",
               "remanded_in_custody": "Remanded in custody"}
DOCUMENTS = ("custody_record", "charge_sheet")
DISCLOSURE_METHODS = ("print", "pdf")



def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("Fill this in: it cannot be blank.")
    return value.strip()


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChargeItemIn(_Body):
    offence_code: CleanStr = Field(min_length=1, max_length=16)
    offence_date: DateIn
    offence_date_end: DateIn | None = None  # a range: the first and last dates
    # Values for the offence's particulars template (place, property, value, owner, victim, ...).
    particulars: dict[str, CleanStr] | None = None


class BailIn(_Body):
    decision: Literal["unconditional_bail", "conditional_bail", "remanded_in_custody"]
    conditions: list[CleanStr] = Field(default_factory=list, max_length=30)
    reasons: CleanStr = Field(default="", max_length=5000)


class HearingIn(_Body):
    court: CleanStr = Field(min_length=1, max_length=200)
    court_code: CleanStr = Field(default="", max_length=16)
    at: UTCIn

    _c = field_validator("court")(classmethod(lambda cls, v: _not_blank(v)))


class ChargeCaseIn(_Body):
    id: ClientId
    charged_at: UTCIn
    charges: list[ChargeItemIn] = Field(min_length=1, max_length=50)
    caution_given: Flag
    reply: CleanStr = Field(max_length=10_000)  # verbatim; "" = made no reply
    bail: BailIn
    hearing: HearingIn



class OfficerOut(BaseModel):
    id: str
    name: str
    rank: str
    collar_number: str


class ChargeOut(BaseModel):
    id: str
    number: int
    offence_code: str
    title: str
    statement: str
    mode_of_trial: str
    mode_of_trial_title: str
    offence_date: date
    offence_date_end: date | None
    particulars: str
    particulars_values: dict[str, str]
    catalogue_version: int = 0  # the offence catalogue's version it was charged under (0: the files')


class BailOut(BaseModel):
    decision: str
    title: str
    conditions: list[str]
    reasons: str


class HearingOut(BaseModel):
    court: str
    court_code: str
    at: UTCOut


class ChargeCaseOut(BaseModel):
    id: str
    record_id: str
    custody_number: str
    charged_at: UTCOut
    charged_by: OfficerOut
    caution_given: bool
    caution_wording: str
    reply: str
    bail: BailOut
    hearing: HearingOut
    charges: list[ChargeOut]
    recorded_at: UTCOut


class CatalogueOffenceOut(BaseModel):
    code: str
    title: str
    statement: str
    statement_unverified: bool
    mode_of_trial: str
    mode_of_trial_title: str
    particulars_template: str
    particulars_fields: list[str]
    effective_from: date | None
    effective_to: date | None
    in_force_today: bool


class CatalogueEntryOut(BaseModel):
    """One version of an offence, in the catalogue file's form (domain.offences reads it back)."""
    code: str
    title: str
    statement: str
    statement_unverified: bool
    mode_of_trial: str
    mode_of_trial_title: str
    offence_type: str
    particulars_template: str
    particulars_fields: list[str]
    effective_from: date | None
    effective_to: date | None
    source: str


class CatalogueOut(BaseModel):
    """The whole catalogue the server books and charges from. `version` changes whenever any entry does."""
    version: str
    mode: Literal["replace"] = "replace"  # a client that saves this document replaces its copy with it
    offences: list[CatalogueEntryOut]


class DisclosureIn(_Body):
    id: ClientId
    record_id: str = Field(max_length=36)
    document: Literal["custody_record", "charge_sheet"]
    method: Literal["print", "pdf"]
    recipient: CleanStr = Field(min_length=1, max_length=200)
    purpose: CleanStr = Field(min_length=1, max_length=500)
    destination: CleanStr = Field(default="", max_length=300)

    _t = field_validator("recipient", "purpose")(classmethod(lambda cls, v: _not_blank(v)))


class DisclosureOut(BaseModel):
    id: str
    record_id: str
    document: str
    method: str
    recipient: str
    purpose: str
    destination: str
    at: UTCOut
    by: OfficerOut
