"""Request bodies of the platform API (pydantic); responses are plain dicts built in routers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

RoleName = Literal["viewer", "analyst", "admin"]
ItemType = Literal["supplier_list", "org_event", "watchlist"]
NO_NUL = r"^[^\x00]*$"
# Text without NUL characters (PostgreSQL text cannot hold them; refused with 422 on both backends).
Text = Annotated[str, StringConstraints(pattern=NO_NUL)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MemberIn(_Strict):
    email: Text = Field(max_length=320)
    password: Text = Field(min_length=10, max_length=1000)
    role: RoleName = "viewer"
    display_name: Text = Field("", max_length=200)


class PasswordChange(_Strict):
    current_password: Text = Field(max_length=1000)
    new_password: Text = Field(min_length=10, max_length=1000)


class MemberPatch(_Strict):
    role: RoleName


class ApiKeyIn(_Strict):
    name: Text = Field(min_length=1, max_length=200)
    role: RoleName = "viewer"


class ShareIn(_Strict):
    item_type: ItemType
    item_id: int = Field(ge=1, le=2**31 - 1)
    org_id: int = Field(ge=1, le=2**31 - 1)


class PublishIn(_Strict):
    item_type: ItemType
    item_id: int = Field(ge=1, le=2**31 - 1)


class OrgEventIn(_Strict):
    event_type: Text = Field(min_length=1, max_length=64)
    title: Text = Field(min_length=1, max_length=500)
    severity: float = Field(ge=0.0, le=1.0)
    confidence: float = Field(1.0, ge=0.0, le=1.0)
    start_time: datetime | None = None
    end_time: datetime | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    country: Text | None = Field(None, max_length=100)
    commodity: Text | None = Field(None, max_length=100)
    mine_id: Text | None = Field(None, max_length=200)
    description: Text = Field("", max_length=20_000)
    source_urls: list[Text] = Field(default_factory=list, max_length=50)


class OrgEventPatch(_Strict):
    event_type: Text | None = Field(None, min_length=1, max_length=64)
    title: Text | None = Field(None, min_length=1, max_length=500)
    severity: float | None = Field(None, ge=0.0, le=1.0)
    confidence: float | None = Field(None, ge=0.0, le=1.0)
    start_time: datetime | None = None
    end_time: datetime | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    country: Text | None = Field(None, max_length=100)
    commodity: Text | None = Field(None, max_length=100)
    mine_id: Text | None = Field(None, max_length=200)
    description: Text | None = Field(None, max_length=20_000)
    source_urls: list[Text] | None = Field(None, max_length=50)


class WatchlistIn(_Strict):
    name: Text = Field(min_length=1, max_length=200)
    countries: list[Text] = Field(default_factory=list, max_length=300)
    commodities: list[Text] = Field(default_factory=list, max_length=300)
    mines: list[Text] = Field(default_factory=list, max_length=1000)
    event_types: list[Text] = Field(default_factory=list, max_length=50)
    min_severity: float = Field(0.0, ge=0.0, le=1.0)


class WatchlistPatch(_Strict):
    name: Text | None = Field(None, min_length=1, max_length=200)
    countries: list[Text] | None = Field(None, max_length=300)
    commodities: list[Text] | None = Field(None, max_length=300)
    mines: list[Text] | None = Field(None, max_length=1000)
    event_types: list[Text] | None = Field(None, max_length=50)
    min_severity: float | None = Field(None, ge=0.0, le=1.0)
