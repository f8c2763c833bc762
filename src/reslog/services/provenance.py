"""Provenance of a result: the warehouse ledger entries and packaged files behind its numbers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reslog.paths import PACKAGE_DATA
from reslog.store.warehouse import Warehouse

LEDGER_FIELDS = ("ledger_id", "kind", "source", "version", "licence", "citation", "sha256",
                 "ingested_at")


def ledger_ids(*frames: pd.DataFrame | None) -> set[int]:
    """Distinct ``ledger_id`` values of the frames that have that column."""
    out: set[int] = set()
    for f in frames:
        if f is not None and "ledger_id" in f.columns and len(f):
            out.update(int(v) for v in pd.unique(f["ledger_id"].dropna()))
    return out


def ledger_entries(wh: Warehouse, ids: Iterable[int]) -> list[dict[str, Any]]:
    """The ledger rows (source, version, licence, citation, sha256, time) of ``ids``."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return []
    cols = ", ".join(LEDGER_FIELDS)
    df = wh.query(f"SELECT {cols} FROM ledger WHERE ledger_id IN ({', '.join('?' * len(ids))}) "
                  "ORDER BY ledger_id", list(ids))
    out = []
    for r in df.to_dict(orient="records"):
        r["ingested_at"] = None if pd.isna(r["ingested_at"]) else pd.Timestamp(r["ingested_at"]).isoformat()
        out.append({k: (None if (isinstance(v, float) and pd.isna(v)) else v) for k, v in r.items()})
    return out


@dataclass
class Provenance:
    """Where a result's numbers come from.

    ``ledger`` lists warehouse ingests (``ledger_id`` …); ``packaged`` lists files shipped with
    reslog (path relative to ``reslog/data`` and what they cite); ``notes`` says how the inputs
    were combined.
    """

    ledger: list[dict[str, Any]] = field(default_factory=list)
    packaged: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"ledger": self.ledger, "packaged": self.packaged, "notes": self.notes}


def packaged(relpath: str, cites: str) -> dict[str, str]:
    """A packaged data file (relative to ``reslog/data``) and the publication it cites."""
    return {"file": f"reslog/data/{relpath}", "cites": cites}


def packaged_present(*items: tuple[str, str]) -> list[dict[str, str]]:
    """:func:`packaged` entries for the ``(relpath or glob, cites)`` pairs whose files exist in this
    installation (so a renamed data file never breaks a result, nor is cited when absent)."""
    out = []
    for pattern, cites in items:
        for f in sorted(PACKAGE_DATA.glob(pattern)):
            if f.is_file():
                out.append(packaged(str(f.relative_to(PACKAGE_DATA)), cites))
    return out


def provenance(wh: Warehouse, *frames: pd.DataFrame | None, packaged_files: list[dict[str, str]] | None = None,
               notes: list[str] | None = None, extra_ids: Iterable[int] = ()) -> Provenance:
    """Provenance of a result computed from ``frames`` (their ``ledger_id`` columns)."""
    ids = ledger_ids(*frames) | {int(i) for i in extra_ids}
    return Provenance(ledger_entries(wh, ids), list(packaged_files or []), list(notes or []))
