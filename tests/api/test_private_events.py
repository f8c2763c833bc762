"""The events list merges organisation events without leaking them: a private event of org A is
seen by A's key, not by org B nor by an anonymous caller — including through the response cache and
its fast path, which serve only anonymous public results."""

from __future__ import annotations

import pytest

pytest.importorskip("reslog.platform.accounts")


def _key(app, org_name: str, role: str = "analyst") -> str:
    from reslog.platform.accounts import create_api_key, get_or_create_org

    with app.state.platform.sessions() as db:
        org = get_or_create_org(db, org_name)
        k = create_api_key(db, org.id, None, f"{org_name} {role}", role).key
        db.commit()
    return k


def test_private_org_event_is_merged_for_its_org_only(client, demo_app):
    a, b = _key(demo_app, "Org A"), _key(demo_app, "Org B")
    url = "/api/events"
    params = {"country": "BRA", "limit": 50}
    anon0 = client.get(url, params=params)
    assert anon0.headers["cache-control"].startswith("public")
    anon_ids = {e["event_id"] for e in anon0.json()["items"]}
    r = client.post("/api/platform/org-events", headers={"X-API-Key": a},
                    json={"event_type": "tailings_failure", "title": "A's private dam alarm",
                          "severity": 0.4, "country": "BRA", "start_time": "2024-06-01T00:00:00Z",
                          "source_urls": ["https://example.org/internal"]})
    assert r.status_code == 201, r.text
    seen_a = client.get(url, params=params, headers={"X-API-Key": a})
    items_a = seen_a.json()["items"]
    mine = [e for e in items_a if e["title"] == "A's private dam alarm"]
    assert len(mine) == 1 and mine[0]["visibility"] == "private" and mine[0]["sources"]
    assert seen_a.headers["cache-control"].startswith("private")
    assert seen_a.json()["total"] == anon0.json()["total"] + 1
    for headers in ({"X-API-Key": b}, {}):
        got = client.get(url, params=params, headers=headers)
        assert got.status_code == 200
        assert all(e["title"] != "A's private dam alarm" for e in got.json()["items"])
    anon1 = client.get(url, params=params)  # cached anonymous copy (fast path)
    assert anon1.headers.get("x-reslog-cache") == "hit"
    assert {e["event_id"] for e in anon1.json()["items"]} == anon_ids
    detail = client.get(f"/api/events/{mine[0]['event_id']}", headers={"X-API-Key": b})
    assert detail.status_code == 404
    assert client.get(f"/api/events/{mine[0]['event_id']}", headers={"X-API-Key": a}).status_code == 200


def test_fast_path_serves_the_same_bytes_as_the_route(client):
    url = "/api/mrio/pymrio_test/footprint?region=reg1&extension=emissions&limit=5"
    first = client.get(url)
    assert first.headers["x-reslog-cache"] == "miss"
    second = client.get(url)
    assert second.headers["x-reslog-cache"] == "hit"
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    assert client.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
