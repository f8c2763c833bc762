"""``POST /api/ledger/ingests``: an admin's upload goes through the one writer; bad input is a 422
naming row and field and leaves the warehouse unchanged; oversized bodies are 413."""

from __future__ import annotations

import pytest

pytest.importorskip("reslog.platform.accounts")


def _key(app, role: str) -> str:
    from reslog.platform.accounts import create_api_key, get_or_create_org

    with app.state.platform.sessions() as db:
        org = get_or_create_org(db, "Ingest Test Org")
        k = create_api_key(db, org.id, None, f"test {role}", role).key
        db.commit()
    return k


GOOD = ("country,commodity,year,stage,quantity,unit,marker,estimated,source\n"
        "AUS,cobalt,2030,mine,1000,t Co content,,false,test row (hand-made)\n"
        "COD,cobalt,2030,mine,9000,t Co content,,false,test row (hand-made)\n")


def test_admin_upload_is_ingested_and_changes_the_version(client, demo_app):
    key = _key(demo_app, "admin")
    h = {"X-API-Key": key}
    n0 = client.get("/api/ledger").json()["total"]
    v0 = client.get("/api/meta/health").json()["warehouse_version"]
    r = client.post("/api/ledger/ingests", data={"kind": "production"}, headers=h,
                    files={"file": ("cobalt2030.csv", GOOD.encode(), "text/csv")})
    assert r.status_code == 201, r.text
    assert r.json()["rows"] == {"production": 2} and not r.json()["skipped"]
    assert client.get("/api/ledger").json()["total"] == n0 + 1
    assert client.get("/api/meta/health").json()["warehouse_version"] != v0
    shares = client.get("/api/production/cobalt/shares", params={"year": 2030}).json()
    assert [s["share_pct"] for s in shares["shares"]] == pytest.approx([90.0, 10.0])
    again = client.post("/api/ledger/ingests", data={"kind": "production"}, headers=h,
                        files={"file": ("cobalt2030.csv", GOOD.encode(), "text/csv")})
    assert again.json()["skipped"] is True


def test_bad_upload_names_row_and_field_and_changes_nothing(client, demo_app):
    h = {"X-API-Key": _key(demo_app, "admin")}
    before = client.get("/api/meta/warehouse").json()["tables"]
    bad = GOOD.replace("9000", "lots")
    r = client.post("/api/ledger/ingests", data={"kind": "production"}, headers=h,
                    files={"file": ("bad.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422
    body = r.json()
    assert "row 2" in body["detail"] and "quantity" in body["detail"]
    assert client.get("/api/meta/warehouse").json()["tables"] == before


def test_analyst_cannot_ingest_and_oversized_is_413(client, demo_app):
    r = client.post("/api/ledger/ingests", data={"kind": "production"},
                    headers={"X-API-Key": _key(demo_app, "analyst")},
                    files={"file": ("p.csv", GOOD.encode(), "text/csv")})
    assert r.status_code == 403
    limit = demo_app.state.settings.max_upload_bytes
    r = client.post("/api/ledger/ingests", data={"kind": "production"},
                    headers={"X-API-Key": _key(demo_app, "admin")},
                    files={"file": ("big.csv", b"x" * (limit + 10), "text/csv")})
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")
