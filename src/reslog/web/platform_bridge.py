"""The dashboard's calls into ``reslog.platform`` (accounts, organisation items), in one place.

Every organisation-private row reaches the pages through ACCESS's functions
(:func:`reslog.platform.items.visible_org_events`, :func:`reslog.platform.items.supplier_exposure`,
the watch-list alerts), which filter by the caller's organisation; pages never query the
platform database themselves. When the platform is not installed the pages show public data only.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import Request

from reslog.web.queries import ViewData

UPLOAD_URL = "/api/platform/suppliers"
WATCHLIST_URL = "/api/platform/watchlists"


def available() -> bool:
    """Whether accounts and organisations are part of this installation."""
    from reslog.api.deps import platform_available

    return platform_available()


def _signed_in(principal: Any) -> bool:
    return principal is not None and getattr(principal, "user_id", None) is not None


def csrf(request: Request) -> str:
    """CSRF token for the page's forms ('' without the platform)."""
    if not available() or not hasattr(request.app.state, "platform"):
        return ""
    from reslog.platform.deps import csrf_token

    return csrf_token(request)


def org_events(db: Any, principal: Any, **filters: Any) -> pd.DataFrame | None:
    """Organisation events the caller may read, as ``risk_events``-like rows (None: none)."""
    if db is None or principal is None:
        return None
    from reslog.platform.items import visible_org_events

    rows = visible_org_events(db, principal, **filters)
    if not rows:
        return None
    df = pd.DataFrame(rows)
    return df


def watchlist_alerts(db: Any, wh: Any, principal: Any) -> list[dict[str, Any]] | None:
    """Alerts of the caller's organisation watch-lists, most severe first
    (:func:`reslog.platform.items.watchlist_alerts`); None when not signed in / unavailable."""
    if db is None or not _signed_in(principal):
        return None
    from reslog.platform.items import watchlist_alerts as _alerts

    return list(_alerts(db, wh, principal))


def can_edit(principal: Any) -> bool:
    """Analysts and admins may create watch-lists and upload supplier lists."""
    return _signed_in(principal) and getattr(principal, "role", "") in ("analyst", "admin")


def supplier_exposure(db: Any, wh: Any, principal: Any) -> ViewData:
    """The caller's supplier lists and their exposure as tables."""
    vd = ViewData()
    if not available():
        vd.error = "unavailable"
        return vd
    if db is None or not _signed_in(principal):
        vd.error = "login"
        return vd
    from reslog.platform.items import supplier_exposure as _exposure

    out = _exposure(db, wh, principal)
    sups = []
    for s in out.get("suppliers", []):
        prod = s.get("production") or []
        best = max(prod, key=lambda p: p.get("share_pct") or 0.0) if prod else {}
        sups.append({"supplier": s.get("supplier"), "country": s.get("country"),
                     "commodity": s.get("commodity"), "mine": s.get("mine"),
                     "share_world": best.get("share_pct"), "hhi": best.get("hhi"),
                     "events": s.get("events"), "alerts": s.get("alerts"), "list_id": s.get("list_id")})
    if sups:
        vd.tables["suppliers"] = pd.DataFrame(sups)
    alerts = out.get("alerts", [])
    if alerts:
        a = pd.DataFrame(alerts)
        a["start_time"] = a.get("date")
        a["supplier"] = a["reasons"].map(lambda rs: ", ".join(dict.fromkeys(
            r.removeprefix("supplier ") for r in rs if str(r).startswith("supplier "))))
        vd.tables["alerts"] = a.drop(columns=["reasons"])
    ev = out.get("events", [])
    if ev:
        e = pd.DataFrame(ev)
        e["reasons"] = e["reasons"].map(lambda rs: "; ".join(map(str, rs)))
        vd.tables["events"] = e
    vd.params["lists"] = out.get("lists", [])
    vd.notes.extend(out.get("notes", []))
    vd.ledger_ids = set(out.get("provenance", {}).get("ledger_ids", []))
    return vd
