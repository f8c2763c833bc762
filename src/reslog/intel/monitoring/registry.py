"""The site/sensor registry as the ingest rules and analyses see it (read from the warehouse)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reslog.errors import ReslogError


class UnknownSite(ReslogError):
    """The site is not registered (or not visible to the caller's organisation)."""


@dataclass
class Registry:
    """Sites (indexed by ``site_id``), sensors (indexed by ``sensor_id``) and site-specific
    guideline rows, as stored in the warehouse tables ``monitoring_*``."""

    sites: pd.DataFrame
    sensors: pd.DataFrame
    guidelines: pd.DataFrame

    @classmethod
    def from_frames(cls, sites: pd.DataFrame, sensors: pd.DataFrame,
                    guidelines: pd.DataFrame | None = None) -> "Registry":
        """Build from frames with the warehouse columns."""
        return cls(sites.set_index("site_id", drop=False), sensors.set_index("sensor_id", drop=False),
                   guidelines if guidelines is not None else pd.DataFrame())

    @classmethod
    def from_warehouse(cls, wh) -> "Registry":  # wh: reslog.store.Warehouse
        """Read the three registry tables."""
        return cls.from_frames(wh.query("SELECT * FROM monitoring_sites"),
                               wh.query("SELECT * FROM monitoring_sensors"),
                               wh.query("SELECT * FROM monitoring_guidelines"))

    @property
    def lookup(self) -> dict[str, tuple[str, str, str]]:
        """``sensor_id → (site_id, parameter, unit)``, built once (the ingest hot path)."""
        d = self.__dict__.get("_lookup")
        if d is None:
            s = self.sensors
            d = dict(zip(s["sensor_id"].astype(str), zip(s["site_id"].astype(str),
                                                         s["parameter"].astype(str), s["unit"].astype(str))))
            self.__dict__["_lookup"] = d
        return d

    def site(self, site_id: str, org_id: int | None = None, *, check_org: bool = False) -> pd.Series:
        """The site row; with ``check_org`` a site of another organisation is not found."""
        if site_id not in self.sites.index:
            raise UnknownSite(f"site '{site_id}' is not registered; register it with "
                              "`reslog sites register --sites FILE`")
        s = self.sites.loc[site_id]
        if check_org:
            owner = s["org_id"]
            if pd.isna(owner) or org_id is None or int(owner) != int(org_id):
                raise UnknownSite(f"site '{site_id}' is not registered")
        return s

    def sensors_of(self, site_id: str) -> pd.DataFrame:
        """Sensors registered at ``site_id``."""
        return self.sensors[self.sensors["site_id"] == site_id]


class CachedRegistry:
    """A registry reloaded from the warehouse file only when the file changes (HTTP, MQTT)."""

    def __init__(self, db_path: str | Path) -> None:
        self.db_path = Path(db_path)
        self._lock = threading.Lock()
        self._stamp: tuple[float, int] | None = None
        self._reg: Registry | None = None

    def get(self) -> Registry:
        """The current registry."""
        from reslog.store.warehouse import Warehouse

        st = os.stat(self.db_path)
        stamp = (st.st_mtime, st.st_size)
        with self._lock:
            if self._reg is None or stamp != self._stamp:
                with Warehouse.open(self.db_path, read_only=True) as wh:
                    self._reg = Registry.from_warehouse(wh)
                self._stamp = stamp
            return self._reg
