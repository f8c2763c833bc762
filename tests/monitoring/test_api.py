"""``/api/sites/...`` in the real app (``create_app``): API keys of two organisations, the site
registry read from the app's warehouse, the reading store at ``Settings.readings``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")
from fastapi.testclient import TestClient  # noqa: E402

from .conftest import SENSORS, SITES  # noqa: E402


@pytest.fixture()
def client(tmp_path: Path):
    """``(client, store, who)``: ``who["key"]`` is sent as the API key; ``who["keys"]`` holds an
    analyst key of each organisation (``own``: owner of ``tsf1``, ``other``: owner of ``other``)
    and a viewer key of the first."""
    from reslog.api.app import create_app
    from reslog.api.settings import Settings
    from reslog.platform import accounts
    from reslog.sources.sensors import read_sensors, read_sites
    from reslog.store.readings import ReadingStore

    app = create_app(Settings(db=tmp_path / "wh" / "reslog.duckdb", secret_key="test"))
    with app.state.platform.sessions() as db:
        own = accounts.get_or_create_org(db, "Site owner")
        other = accounts.get_or_create_org(db, "Other organisation")
        keys = {"own": accounts.create_api_key(db, own.id, None, "sensors", "analyst").key,
                "other": accounts.create_api_key(db, other.id, None, "sensors", "analyst").key,
                "viewer": accounts.create_api_key(db, own.id, None, "look", "viewer").key}
        ids = (own.id, other.id)
        db.commit()
    (tmp_path / "sites.csv").write_text(SITES.replace(",7,", f",{ids[0]},").replace(",8,", f",{ids[1]},"))
    (tmp_path / "sensors.csv").write_text(SENSORS)
    with app.state.hub.writer() as wh:
        wh.ingest(read_sites(tmp_path / "sites.csv"), kind="monitoring_sites")
        wh.ingest(read_sensors(tmp_path / "sensors.csv"), kind="monitoring_sensors")
    assert app.state.settings.readings == (tmp_path / "wh" / "readings").resolve()
    who = {"key": keys["own"], "keys": keys}

    class Keyed:
        def __init__(self, c: TestClient) -> None:
            self.c = c

        def _h(self, kw):
            return {**kw.pop("headers", {}), "Authorization": f"Bearer {who['key']}"}

        def post(self, url, **kw):
            return self.c.post(url, headers=self._h(kw), **kw)

        def get(self, url, **kw):
            return self.c.get(url, headers=self._h(kw), **kw)

    with TestClient(app, raise_server_exceptions=False) as c:
        yield Keyed(c), ReadingStore(app.state.settings.readings), who
    app.state.hub.close()


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
    assert bad.json()["errors"][0]["field"] == "body.readings"


def test_site_is_private_to_its_organisation(client) -> None:
    c, store, who = client
    r = c.post("/api/sites/other/readings", content=_body("o", ROWS[:1]))      # the other org's site
    missing = c.post("/api/sites/nowhere/readings", content=_body("o", ROWS[:1]))
    assert r.status_code == missing.status_code == 404 and r.json()["errors"][0]["field"] == "path.site"
    assert r.text.replace("other", "N") == missing.text.replace("nowhere", "N")
    who["key"] = who["keys"]["other"]
    r = c.post("/api/sites/other/readings", content=_body("o", [
        {"sensor": "x1", "time": "2024-01-01T00:00:00Z", "value": 0.1}]))
    assert r.status_code == 200 and r.json()["accepted"] == 1
    assert c.get("/api/sites/tsf1/status").status_code == 404
    r = c.post("/api/sites/tsf1/readings", content=_body("x", ROWS[:1]))
    assert r.status_code == 404 and store.count("tsf1") == 0


def test_roles_and_credentials(client) -> None:
    c, store, who = client
    who["key"] = who["keys"]["viewer"]
    assert c.post("/api/sites/tsf1/readings", content=_body("v", ROWS[:1])).status_code == 403
    assert c.get("/api/sites/tsf1/status").status_code == 200
    who["key"] = "rsk_not_a_key"
    r = c.post("/api/sites/tsf1/readings", content=_body("v", ROWS[:1]))
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    assert store.count("tsf1") == 0


def test_heatmap_route_names_bad_fields(client) -> None:
    c, _store, _ = client
    rows = [{"sensor": s, "time": "2024-06-01T10:00:00Z", "value": v}
            for s, v in (("as-up", 0.02), ("as-down", 5.0))]
    assert c.post("/api/sites/tsf1/readings", content=_body("hm", rows)).json()["accepted"] == 2
    r = c.get("/api/sites/tsf1/heatmap", params={"parameter": "As", "date": "2024-06-01"})
    assert r.status_code == 200, r.text
    r = c.get("/api/sites/tsf1/heatmap", params={"parameter": "As", "date": "not a day"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.date"
    r = c.get("/api/sites/tsf1/heatmap", params={"parameter": "Zz", "date": "2024-06-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.parameter"


def test_status_route(client) -> None:
    c, _store, _ = client
    c.post("/api/sites/tsf1/readings", content=_body("s", [
        {"sensor": "pz1", "time": "2024-01-01T00:00:00Z", "value": 130.0},
        {"sensor": "pz1", "time": "2024-01-01T00:10:00Z", "value": 131.0}]))
    d = c.get("/api/sites/tsf1/status").json()
    pz = next(s for s in d["sensors"] if s["sensor"] == "pz1")
    assert d["readings"] == 2 and pz["trigger"]["level"] == "amber"
