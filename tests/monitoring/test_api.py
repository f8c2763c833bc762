"""``POST /api/sites/{site}/readings`` on a bare FastAPI app with dependency overrides (the
platform's ``require_role`` is replaced by a fixed principal, as the auth contract allows)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from reslog.api.routers import sites  # noqa: E402


@dataclass
class Principal:
    user_id: int | None
    org_id: int | None
    role: str
    via: str


@pytest.fixture()
def client(site_env):
    _db, store, reg = site_env
    app = fastapi.FastAPI()
    app.include_router(sites.router)
    who = {"p": Principal(1, 7, "analyst", "api_key")}
    app.dependency_overrides[sites.require_ingest] = lambda: who["p"]
    app.dependency_overrides[sites.require_view] = lambda: who["p"]
    app.dependency_overrides[sites.get_store] = lambda: store
    app.dependency_overrides[sites.get_registry] = lambda: reg
    return TestClient(app), store, who


def _body(bid, rows):
    return json.dumps({"batch_id": bid, "readings": rows})


ROWS = [{"sensor": "pz1", "time": "2024-01-01T00:00:00Z", "value": 101.0},
        {"sensor": "pz1", "time": "2024-01-01T00:10:00Z", "value": 14.7, "unit": "psi"},
        {"sensor": "pz1", "time": "2024-01-01T00:20:00Z", "value": "n/a"},
        {"sensor": "nope", "time": "2024-01-01T00:20:00Z", "value": 1}]


def test_post_batch_per_reading_errors_and_idempotent_retry(client) -> None:
    c, store, _ = client
    r = c.post("/api/sites/tsf1/readings", content=_body("h-1", ROWS))
    assert r.status_code == 200
    d = r.json()
    assert (d["accepted"], d["rejected"], d["duplicate_batch"]) == (2, 2, False)
    assert [(e["row"], e["field"]) for e in d["errors"]] == [(3, "value"), (4, "sensor")]
    r2 = c.post("/api/sites/tsf1/readings", content=_body("h-1", ROWS))
    assert r2.json()["duplicate_batch"] is True and r2.json()["accepted"] == 0
    assert store.count("tsf1") == 2


def test_half_sent_batch_then_retry(client) -> None:
    c, store, _ = client
    rows = [{"sensor": "as-up", "time": f"2024-01-01T00:{m:02d}:00Z", "value": 0.001} for m in range(0, 50, 10)]
    full = _body("half", rows)
    cut = full[: full.index('{"sensor": "as-up", "time": "2024-01-01T00:30')] + '{"sens'
    d = c.post("/api/sites/tsf1/readings", content=cut).json()
    assert d["accepted"] == 3 and d["complete"] is False and d["errors"][0]["field"] == "readings"
    d2 = c.post("/api/sites/tsf1/readings", content=full).json()
    assert d2["accepted"] == 2 and d2["rejected"] == 0
    assert store.count("tsf1") == 5


def test_idempotency_key_header_and_problem_json(client) -> None:
    c, store, _ = client
    body = json.dumps({"readings": ROWS[:1]})
    assert c.post("/api/sites/tsf1/readings", content=body, headers={"Idempotency-Key": "k1"}).json()["accepted"] == 1
    assert c.post("/api/sites/tsf1/readings", content=body, headers={"Idempotency-Key": "k1"}).json()["duplicate_batch"]
    bad = c.post("/api/sites/tsf1/readings", content=b"not json at all")
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["field"] == "readings"


def test_site_is_private_to_its_organisation(client) -> None:
    c, _store, who = client
    r = c.post("/api/sites/other/readings", content=_body("o", ROWS[:1]))      # org 8's site
    assert r.status_code == 404 and r.json()["field"] == "site"
    who["p"] = Principal(2, 8, "analyst", "api_key")
    r = c.post("/api/sites/other/readings", content=_body("o", [
        {"sensor": "x1", "time": "2024-01-01T00:00:00Z", "value": 0.1}]))
    assert r.status_code == 200 and r.json()["accepted"] == 1
    assert c.get("/api/sites/tsf1/status").status_code == 404


def test_status_route(client) -> None:
    c, _store, _ = client
    c.post("/api/sites/tsf1/readings", content=_body("s", [
        {"sensor": "pz1", "time": "2024-01-01T00:00:00Z", "value": 130.0},
        {"sensor": "pz1", "time": "2024-01-01T00:10:00Z", "value": 131.0}]))
    d = c.get("/api/sites/tsf1/status").json()
    pz = next(s for s in d["sensors"] if s["sensor"] == "pz1")
    assert d["readings"] == 2 and pz["trigger"]["level"] == "amber"
