"""Supplier-list upload (one transaction, row/field errors, 413) and supplier exposure, alerts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from platform_testkit import SUPPLIER_CSV, browser
from reslog.platform.models import AuditEntry, Supplier, SupplierList


def _counts(app):
    with app.state.platform.sessions() as db:
        return tuple(int(db.scalar(select(func.count()).select_from(m))) for m in (SupplierList, Supplier, AuditEntry))


def test_upload_stores_rows_resolved(app, world):
    an = browser(app, world.A, "analyst")
    r = an.post("/api/platform/suppliers", files={"file": ("batt.csv", SUPPLIER_CSV, "text/csv")},
                data={"name": "Battery suppliers"})
    assert r.status_code == 201, r.text
    lid = r.json()["id"]
    assert r.json()["n_rows"] == 3 and r.json()["visibility"] == "private"
    got = an.get(f"/api/platform/suppliers/{lid}").json()
    assert got["rows"] == [
        {"row": 1, "supplier": "Acme Cobalt", "country": "COD", "commodity": "cobalt", "mine": "Kamoto"},
        {"row": 2, "supplier": "Nordic Nickel", "country": "FIN", "commodity": "nickel", "mine": None},
        {"row": 3, "supplier": "Sula Nickel", "country": "IDN", "commodity": "nickel", "mine": None}]


@pytest.mark.parametrize("body,row,field", [
    (b"supplier,country,commodity\nA,COD,cobalt\nB,Atlantis,nickel\n", 2, "country"),
    (b"supplier,country,commodity\nA,COD,cobalt\nB,FIN,unobtainium\n", 2, "commodity"),
    (b"supplier,country,commodity\nA,COD,cobalt\nB,FIN,nickel\n,FIN,nickel\n", 3, "supplier"),
    (b"supplier,country\nA,COD\n", 0, "commodity"),
    (b"supplier,country,commodity\nA,COD,cobalt\nB,FIN\n", 2, "commodity"),
    (b"supplier,country,commodity\nA,COD,cobalt\nB,F\xe9N,nickel\n", 2, "country"),
])
def test_malformed_upload_names_row_and_field_and_leaves_nothing(app, world, body, row, field):
    an = browser(app, world.A, "analyst")
    before = _counts(app)
    r = an.post("/api/platform/suppliers", files={"file": ("bad.csv", body, "text/csv")})
    assert r.status_code == 422, r.text
    p = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert p["errors"][0]["field"] == f"file.{field}" and p["errors"][0]["row"] == row
    assert f"row {row}" in p["detail"] and "bad.csv" in p["detail"]
    assert _counts(app) == before


def test_oversize_upload_is_413_and_leaves_nothing(app_factory):
    from platform_testkit import make_world

    app = app_factory(max_upload_bytes=2_000)
    world = make_world(app)
    an = browser(app, world.A, "analyst")
    before = _counts(app)
    big = b"supplier,country,commodity\n" + b"Acme Cobalt,COD,cobalt\n" * 200
    r = an.post("/api/platform/suppliers", files={"file": ("big.csv", big, "text/csv")})
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")
    assert _counts(app) == before


def test_upload_is_one_transaction(app, world, monkeypatch):
    """If the write fails half-way (here: the audit insert), neither list nor rows remain."""
    from reslog.platform import audit

    an = browser(app, world.A, "analyst")
    before = _counts(app)

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", boom)
    r = an.post("/api/platform/suppliers", files={"file": ("ok.csv", SUPPLIER_CSV, "text/csv")})
    assert r.status_code == 500
    assert "disk full" not in r.text and "Traceback" not in r.text
    assert _counts(app) == before


def test_supplier_exposure_events_concentration_alerts(app, world):
    an = browser(app, world.A, "analyst")
    lid = an.post("/api/platform/suppliers", files={"file": ("s.csv", SUPPLIER_CSV, "text/csv")}).json()["id"]
    # An organisation event of A in Finland (nickel) and one of B (private) in Finland.
    an.post("/api/platform/org-events", json={"event_type": "labour_unrest", "title": "Strike at smelter",
                                              "severity": 0.5, "country": "FIN", "commodity": "nickel"})
    browser(app, world.B, "analyst").post("/api/platform/org-events", json={
        "event_type": "pollution", "title": "SECRET-B spill", "severity": 0.9, "country": "FIN",
        "commodity": "nickel"})
    ex = an.get(f"/api/platform/suppliers/{lid}/exposure").json()
    assert ex["countries"] == ["COD", "FIN", "IDN"] and ex["commodities"] == ["cobalt", "nickel"]
    ids = {e["event_id"]: e for e in ex["events"]}
    # Warehouse events in COD and IDN touch the suppliers; CHL and AUS do not; B's event is private.
    assert {"ev-cod-1", "ev-idn-1"} <= set(ids) and not {"ev-chl-1", "ev-aus-1"} & set(ids)
    assert any(e["title"] == "Strike at smelter" for e in ex["events"])
    assert "SECRET-B" not in str(ex)
    assert "country COD" in ids["ev-cod-1"]["reasons"] and "mine cd-kamoto" in ids["ev-cod-1"]["reasons"]
    # Concentration from the library: cobalt mine HHI over COD 130/170, IDN 17/170, AUS 5/170.
    cob = next(c for c in ex["concentration"] if c["commodity"] == "cobalt")
    s = [130 / 170 * 100, 17 / 170 * 100, 5 / 170 * 100]
    assert cob["hhi"] == pytest.approx(sum(x * x for x in s), rel=1e-9)
    acme = next(x for x in ex["suppliers"] if x["supplier"] == "Acme Cobalt")
    assert acme["production"][0]["share_pct"] == pytest.approx(130 / 170 * 100)
    # Alerts: the supplier matches on all its fields (COD + cobalt) — the Kamoto accident;
    # Sula Nickel (IDN, nickel) — the export ban; Nordic Nickel (FIN, nickel) — A's own strike.
    al = {(a["event_id"], tuple(a["reasons"])) for a in ex["alerts"]}
    assert ("ev-cod-1", ("supplier Acme Cobalt",)) in al or any(
        e == "ev-cod-1" and "supplier Acme Cobalt" in r for e, r in al)
    assert any(e == "ev-idn-1" and "supplier Sula Nickel" in r for e, r in al)
    assert acme["alerts"] >= 1 and acme["events"] >= 1
    assert ex["provenance"]["ledger_ids"] == [1]
    # The organisation-wide exposure equals the one list's (A owns only this list).
    assert an.get("/api/platform/suppliers/exposure").json()["events"] == ex["events"]


def test_watchlist_alerts_match_public_and_visible_org_events(app, world):
    an = browser(app, world.A, "analyst")
    r = an.post("/api/platform/watchlists", json={"name": "copper watch", "countries": ["Chile"],
                                                  "commodities": ["銅"], "min_severity": 0.5})
    assert r.status_code == 201 and r.json()["countries"] == ["CHL"] and r.json()["commodities"] == ["copper"]
    wid = r.json()["id"]
    an.post("/api/platform/org-events", json={"event_type": "logistics_disruption", "title": "Port closed",
                                              "severity": 0.7, "country": "PER", "commodity": "copper"})
    browser(app, world.B, "analyst").post("/api/platform/org-events", json={
        "event_type": "pollution", "title": "SECRET-B copper", "severity": 0.9, "country": "CHL"})
    alerts = an.get(f"/api/platform/watchlists/{wid}/alerts").json()["items"]
    by_event = {a["event_id"]: a for a in alerts}
    assert "ev-chl-1" in by_event and by_event["ev-chl-1"]["reasons"] == ["country CHL", "commodity copper"]
    assert any(a["title"] == "Port closed" for a in alerts)
    assert "SECRET-B" not in str(alerts)
    assert an.get("/api/platform/watchlists/alerts").json()["total"] == len(alerts)
    # Unknown names are refused naming the field.
    bad = an.post("/api/platform/watchlists", json={"name": "x", "countries": ["Atlantis"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.countries"
    # Update re-resolves; min_severity above every event leaves no alert.
    assert an.patch(f"/api/platform/watchlists/{wid}", json={"min_severity": 1.0}).status_code == 200
    assert an.get(f"/api/platform/watchlists/{wid}/alerts").json()["total"] == 0


def test_org_event_validation_names_the_field(app, world):
    an = browser(app, world.A, "analyst")
    for body, field in (({"event_type": "alien_invasion", "title": "t", "severity": 0.1}, "body.event_type"),
                        ({"event_type": "pollution", "title": "t", "severity": 0.1, "country": "Atlantis"}, "body.country"),
                        ({"event_type": "pollution", "title": "t", "severity": 1.5}, "body.severity")):
        r = an.post("/api/platform/org-events", json=body)
        assert r.status_code == 422
        assert any(e["field"] == field for e in r.json()["errors"]), r.json()
