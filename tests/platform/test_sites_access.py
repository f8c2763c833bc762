"""Site monitoring in the platform: a site is private to its organisation (``monitoring_sites.org_id``).
``POST /api/sites/{site}/readings`` takes the owner's API key and refuses every other credential,
on SQLite and PostgreSQL."""

from __future__ import annotations

from platform_testkit import Browser, KeyClient, browser, reading_batch, seed_items, site_readings


def test_readings_accept_the_owners_key_and_refuse_another_orgs(app, world):
    items = seed_items(app, world)  # each org sent one reading to its own site with its key
    a_key, b_key = KeyClient(app, items.a_key), KeyClient(app, items.b_key)
    assert site_readings(app, "a-site") == site_readings(app, "b-site") == 1

    r = a_key.post("/api/sites/a-site/readings", json=reading_batch("a-site", "a-2", 130.0, "2024-01-01T00:10:00Z"))
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
    assert site_readings(app, "a-site") == 2

    # B's key on A's site: 404 exactly as for a site that does not exist; nothing stored.
    later = "2024-01-01T00:20:00Z"
    r = b_key.post("/api/sites/a-site/readings", json=reading_batch("a-site", "b-on-a", time=later))
    missing = b_key.post("/api/sites/no-such-site/readings", json=reading_batch("a-site", "b-on-a", time=later))
    assert r.status_code == missing.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.text.replace("a-site", "N") == missing.text.replace("no-such-site", "N")
    assert b_key.get("/api/sites/a-site/status").status_code == 404
    assert site_readings(app, "a-site") == 2

    # The owner sees its site's status (the reading above raised the amber trigger).
    st = a_key.get("/api/sites/a-site/status").json()
    assert st["readings"] == 2 and st["sensors"][0]["trigger"]["level"] == "amber"

    # Other credentials: none → 401, a revoked key → 401, a viewer → 403 (reads only).
    assert Browser(app).post("/api/sites/a-site/readings", json=reading_batch("a-site", "anon", time=later)).status_code == 401
    a_admin = browser(app, world.A, "admin")
    assert a_admin.delete(f"/api/platform/apikeys/{items.a_key_id}").status_code == 204
    assert a_key.post("/api/sites/a-site/readings", json=reading_batch("a-site", "revoked", time=later)).status_code == 401
    viewer = browser(app, world.A, "viewer")
    assert viewer.post("/api/sites/a-site/readings", json=reading_batch("a-site", "v", time=later)).status_code == 403
    assert viewer.get("/api/sites/a-site/status").status_code == 200
    assert site_readings(app, "a-site") == 2


def test_session_post_needs_the_csrf_token(app, world):
    seed_items(app, world)
    an = browser(app, world.A, "analyst")
    r = an.c.post("/api/sites/a-site/readings", json=reading_batch("a-site", "no-csrf"))
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    r = an.post("/api/sites/a-site/readings", json=reading_batch("a-site", "with-csrf", time="2024-01-01T00:10:00Z"))
    assert r.status_code == 200 and r.json()["accepted"] == 1
