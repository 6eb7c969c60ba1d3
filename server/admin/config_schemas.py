"""What the force configuration endpoints take and give (issue 15)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from pydantic.config import JsonDict

from domain.offences import ModeOfTrial
from server.wire import CleanStr, DateIn, Flag, UTCOut

NO_NUL: JsonDict = {"pattern": "^[^\\x00]*$"}


class SettingsOut(BaseModel):
    version: int  # 0: as the configuration files set it, never changed in the client
    values: dict[str, Any]  # clock, observation, rights, caution_on_charge, notice_of_rights_languages, ...
    updated_at: UTCOut | None = None
    updated_by: str | None = None


class SettingsIn(BaseModel):
    values: dict[str, Any]  # any of the settings; what is left out stays as it is
    reason: CleanStr = Field(min_length=1, max_length=500, json_schema_extra=NO_NUL)


class CatalogueOut(BaseModel):
    version: int
    offences: list[dict[str, Any]]  # the catalogue file's form (domain/offences.py offence_entry)
    updated_at: UTCOut | None = None
    updated_by: str | None = None


class OffenceEntryIn(BaseModel):
    title: CleanStr = Field(min_length=1, max_length=300, json_schema_extra=NO_NUL)
    statement: CleanStr = Field(min_length=1, max_length=2000, json_schema_extra=NO_NUL)
    mode_of_trial: ModeOfTrial
    particulars_template: CleanStr = Field(min_length=1, max_length=4000, json_schema_extra=NO_NUL)
    particulars_fields: list[CleanStr] = Field(default_factory=list, max_length=20)
    effective_from: DateIn | None = None
    effective_to: DateIn | None = None
    source: CleanStr = Field(default="", max_length=500, json_schema_extra=NO_NUL)
    offence_type: CleanStr = Field(default="", max_length=4, json_schema_extra=NO_NUL)
    statement_unverified: Flag = False
    reason: CleanStr = Field(min_length=1, max_length=500, json_schema_extra=NO_NUL)


class OffenceSavedOut(BaseModel):
    version: int  # the catalogue's new version
    offence: dict[str, Any]


class ConfigVersionOut(BaseModel):
    version: int
    changed_at: UTCOut
    changed_by: str | None
    reason: str
