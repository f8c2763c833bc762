"""Analysis routes on the demo warehouse: numbers match the library, provenance traces them,
pagination, filters, ETag/304 and the response cache behave as documented."""

from __future__ import annotations

import pytest


def test_concentration_matches_the_model_and_cites_the_ledger(client, demo_app):
    from reslog.services.production import concentration

    r = client.get("/api/production/concentration", params={"commodity": "Co"})  # symbol accepted
    assert r.status_code == 200
    body = r.json()
    item = next(i for i in body["items"] if i["stage"] == "mine")
    with demo_app.state.hub.reader() as wh:
        table, _ = concentration(wh, commodity="cobalt")
    want = table[table["stage"] == "mine"].iloc[0]
    assert item["hhi"] == pytest.approx(float(want["hhi"]))
    kinds = {e["kind"] for e in body["provenance"]["ledger"]}
    assert {"production", "wgi"} <= kinds
    assert all(e["sha256"] and e["source"] for e in body["provenance"]["ledger"])


def test_shares_sum_to_100(client):
    body = client.get("/api/production/cobalt/shares").json()
    assert sum(s["share_pct"] for s in body["shares"]) == pytest.approx(100.0, abs=1e-6)
    assert body["shares"][0]["country"] == "COD"


def test_pagination_total_and_next_links(client):
    r = client.get("/api/production/rows", params={"commodity": "cobalt", "limit": 5})
    body = r.json()
    assert body["total"] > 5 and len(body["items"]) == 5
    nxt = body["links"]["next"]
    assert "offset=5" in nxt and body["links"]["prev"] is None
    second = client.get(nxt.replace("http://testserver", "")).json()
    assert second["offset"] == 5
    assert {tuple(sorted(i.items())) for i in body["items"]}.isdisjoint(
        {tuple(sorted(i.items())) for i in second["items"]})
    last = client.get("/api/production/rows", params={"commodity": "cobalt", "limit": 5,
                                                       "offset": body["total"] - 1}).json()
    assert len(last["items"]) == 1 and last["links"]["next"] is None


def test_invalid_parameters_are_422_naming_the_field(client):
    for url, params, field in (("/api/production/rows", {"limit": 0}, "query.limit"),
                               ("/api/production/rows", {"commodity": "unobtainium"}, "query.commodity"),
                               ("/api/events", {"since": "yesterday"}, "query.since"),
                               ("/api/events", {"type": "alien_invasion"}, "query.type"),
                               ("/api/shock/mine/bra-corrego-do-feijao", {"months": -1}, "query.months")):
        r = client.get(url, params=params)
        assert r.status_code == 422, (url, params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in r.json()["errors"]], r.json()


def test_etag_304_and_cache(client):
    url = "/api/criticality"
    r1 = client.get(url)
    assert r1.status_code == 200
    etag = r1.headers["etag"]
    assert "max-age" in r1.headers["cache-control"]
    r2 = client.get(url)
    assert r2.headers["x-reslog-cache"] == "hit" and r2.headers["etag"] == etag
    r3 = client.get(url, headers={"If-None-Match": etag})
    assert r3.status_code == 304 and r3.content == b""


def test_cache_is_keyed_by_warehouse_version(client, demo_app):
    url = "/api/events?country=BRA"
    before = client.get(url).json()["total"]
    v0 = client.get("/api/meta/health").json()["warehouse_version"]
    with demo_app.state.hub.writer() as wh:          # any committed write changes the version
        wh.con.execute("INSERT INTO risk_events (event_id, event_type, start_time, country, severity, "
                       "confidence, taxonomy_version, source, ledger_id) VALUES ('t-1', "
                       "'tailings_failure', '2024-01-01', 'BRA', 0.5, 1.0, '1.0.0', 'test', 1)")
    assert client.get("/api/meta/health").json()["warehouse_version"] != v0
    assert client.get(url).json()["total"] == before + 1


def test_mines_geojson(client):
    fc = client.get("/api/mines", params={"commodity": "iron"}).json()
    assert fc["type"] == "FeatureCollection" and fc["features"]
    f = fc["features"][0]
    lon, lat = f["geometry"]["coordinates"]
    assert -180 <= lon <= 180 and -90 <= lat <= 90
    assert "iron" in f["properties"]["commodities"]
    assert client.get("/api/mines/nope").status_code == 404


def test_events_filters_and_detail_with_sources(client):
    body = client.get("/api/events", params={"country": "Brazil", "since": "2015-01-01",
                                             "until": "2019-12-31"}).json()
    assert body["total"] >= 2
    assert all(i["country"] == "BRA" and "2015" <= i["start_time"][:4] <= "2019" for i in body["items"])
    starts = [i["start_time"] for i in body["items"]]
    assert starts == sorted(starts, reverse=True)
    ev = client.get("/api/events/tsf-2019-01-25-bra-brumadinho").json()
    assert ev["event"]["sources"] and ev["event"]["deaths"] == 270
    assert ev["mine"]["mine_id"] == "bra-corrego-do-feijao"
    assert ev["provenance"]["ledger"][0]["kind"] == "events"
    assert client.get("/api/events/org-999999").status_code == 404


def test_mrio_footprint_sums_to_total_and_paths(client):
    name = client.get("/api/mrio").json()["items"][0]["mrio"]
    d = client.get(f"/api/mrio/{name}").json()
    fp = client.get(f"/api/mrio/{name}/footprint", params={"region": d["regions"][0],
                                                          "extension": "emissions"}).json()
    for t in fp["totals"]:
        s = sum(r["value"] for r in fp["by_origin_region"] if r["stressor"] == t["stressor"])
        assert s == pytest.approx(t["value"], rel=1e-9)
    assert fp["provenance"]["ledger"][0]["kind"] == "mrio"
    sp = client.get(f"/api/mrio/{name}/paths", params={"stressor": "air", "region": d["regions"][1],
                                                      "top": 5}).json()
    assert 0 < len(sp["paths"]) <= 5 and sp["covered"] <= sp["total"] * (1 + 1e-9)
    bad = client.get(f"/api/mrio/{name}/footprint", params={"region": "Mars", "extension": "emissions"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.region"


def test_shocks(client):
    m = client.get("/api/shock/mine/bra-corrego-do-feijao", params={"months": 6}).json()
    assert m["lost_tonnes"] > 0 and m["consumers"]
    assert sum(c["lost_tonnes"] for c in m["consumers"]) == pytest.approx(m["lost_tonnes"], rel=1e-6)
    c = client.get("/api/shock/country/AUS", params={"commodity": "lithium", "months": 12, "fraction": 0.5}).json()
    assert c["share_country"] == pytest.approx(0.5)


def test_product_footprint_and_trade_without_trade_data(client):
    fp = client.get("/api/products/bev/footprint").json()
    assert sum(r["share"] for r in fp["by_country"]) == pytest.approx(1.0)
    assert any(p["file"].endswith("tmr_coefficients.csv") for p in fp["provenance"]["packaged"])
    r = client.get("/api/trade/sankey", params={"metal": "cobalt", "year": 2024})
    assert r.status_code == 422 and "trade" in r.json()["detail"]  # the demo has no BACI


def test_ledger_and_ingest_needs_admin(client):
    led = client.get("/api/ledger").json()
    assert led["total"] >= 6
    one = client.get(f"/api/ledger/{led['items'][1]['ledger_id']}").json()
    assert one["rows_now"]
    r = client.post("/api/ledger/ingests", data={"kind": "production"},
                    files={"file": ("p.csv", b"country,commodity\n", "text/csv")})
    assert r.status_code in (401, 403)
    assert r.headers["content-type"].startswith("application/problem+json")
