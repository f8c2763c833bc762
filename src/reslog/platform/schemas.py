"""Request bodies of the platform API (pydantic); responses are plain dicts built in routers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RoleName = Literal["viewer", "analyst", "admin"]
ItemType = Literal["supplier_list", "org_event", "watchlist"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MemberIn(_Strict):
    email: str = Field(max_length=320)
    password: str = Field(min_length=10, max_length=1000)
    role: RoleName = "viewer"
    display_name: str = Field("", max_length=200)


class MemberPatch(_Strict):
    role: RoleName


class ApiKeyIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    role: RoleName = "viewer"


class ShareIn(_Strict):
    item_type: ItemType
    item_id: int = Field(ge=1, le=2**31 - 1)
    org_id: int = Field(ge=1, le=2**31 - 1)


class PublishIn(_Strict):
    item_type: ItemType
    item_id: int = Field(ge=1, le=2**31 - 1)


class OrgEventIn(_Strict):
    event_type: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=500)
    severity: float = Field(ge=0.0, le=1.0)
    confidence: float = Field(1.0, ge=0.0, le=1.0)
    start_time: datetime | None = None
    end_time: datetime | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    country: str | None = Field(None, max_length=100)
    commodity: str | None = Field(None, max_length=100)
    mine_id: str | None = Field(None, max_length=200)
    description: str = Field("", max_length=20_000)
    source_urls: list[str] = Field(default_factory=list, max_length=50)


class OrgEventPatch(_Strict):
    event_type: str | None = Field(None, min_length=1, max_length=64)
    title: str | None = Field(None, min_length=1, max_length=500)
    severity: float | None = Field(None, ge=0.0, le=1.0)
    confidence: float | None = Field(None, ge=0.0, le=1.0)
    start_time: datetime | None = None
    end_time: datetime | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    country: str | None = Field(None, max_length=100)
    commodity: str | None = Field(None, max_length=100)
    mine_id: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    source_urls: list[str] | None = Field(None, max_length=50)


class WatchlistIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    countries: list[str] = Field(default_factory=list, max_length=300)
    commodities: list[str] = Field(default_factory=list, max_length=300)
    mines: list[str] = Field(default_factory=list, max_length=1000)
    event_types: list[str] = Field(default_factory=list, max_length=50)
    min_severity: float = Field(0.0, ge=0.0, le=1.0)


class WatchlistPatch(_Strict):
    name: str | None = Field(None, min_length=1, max_length=200)
    countries: list[str] | None = Field(None, max_length=300)
    commodities: list[str] | None = Field(None, max_length=300)
    mines: list[str] | None = Field(None, max_length=1000)
    event_types: list[str] | None = Field(None, max_length=50)
    min_severity: float | None = Field(None, ge=0.0, le=1.0)
