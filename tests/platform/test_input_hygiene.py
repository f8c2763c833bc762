"""Text PostgreSQL cannot store (NUL characters) is refused with 422 on both backends, never a 500."""

from platform_testkit import Browser, browser


def test_nul_bytes_are_refused_not_500(app, world):
    an = browser(app, world.A, "analyst")
    r = an.post("/api/platform/org-events", json={"event_type": "pollution", "title": "a\x00b", "severity": 0.1})
    assert r.status_code == 422, r.text
    b = Browser(app)
    r = b.c.post("/auth/login", data={"username": "x\x00@a.example", "password": "p\x00", "csrf": b.csrf},
                 follow_redirects=False)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.username", r.text
    r = an.post("/api/platform/suppliers", files={"file": ("a\x00.csv", b"supplier,country,commodity\nX,COD,cobalt\n")})
    assert r.status_code == 201 and "\x00" not in r.json()["filename"], r.text
    r = an.post("/api/platform/watchlists", json={"name": "w\x00", "mines": ["m\x00"]})
    assert r.status_code == 422, r.text
    r = an.get("/api/platform/org-events", params={"event_type": "a\x00"})
    assert r.status_code == 422, r.text
    r = browser(app, world.A, "admin").get("/api/platform/audit", params={"action": "x\x00"})
    assert r.status_code == 422, r.text


def test_visible_org_events_with_nul_filters_is_empty_not_an_error(app, world):
    from reslog.platform.deps import ANONYMOUS
    from reslog.platform.items import visible_org_events

    with app.state.platform.sessions() as db:
        assert visible_org_events(db, ANONYMOUS, event_type="a\x00", country="\x00") == []
    # Through another area's route that merges organisation events (the API's /api/events).
    r = browser(app, world.A, "viewer").get("/api/events", params={"type": "mine_accident\x00"})
    assert r.status_code < 500, r.text
