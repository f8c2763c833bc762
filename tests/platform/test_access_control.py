"""Organisation A cannot read, list, change or delete organisation B's private items through ANY
route of the app — including by guessing IDs — and API keys cannot cross organisations.

The sweep enumerates the routes of the real app (``create_app``), so a route added later by any
area is covered without editing this file. It runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platform_testkit import (SECRET_MARKERS, Browser, KeyClient, b_state, browser, seed_items)
from platform_routes import fill, iter_routes

ITEM_PARAMS = {"event_id": "b_event", "list_id": "b_list", "watchlist_id": "b_watch",
               "key_id": "b_key_id", "grant_id": "b_grant", "site": "b_site"}
# Request bodies aimed at B's items, for the routes that take one (valid in shape, so the
# answer is about access, not about validation).
BODIES = {
    ("PATCH", "/api/platform/org-events/{event_id}"): {"title": "HACKED by A", "severity": 0.1},
    ("PATCH", "/api/platform/watchlists/{watchlist_id}"): {"name": "HACKED by A"},
    ("PATCH", "/api/platform/orgs/{org_id}/members/{user_id}"): {"role": "viewer"},
    ("POST", "/api/platform/orgs/{org_id}/members"): {"email": "intruder@a.example",
                                                      "password": "intruder-password", "role": "admin"},
    ("POST", "/api/sites/{site}/readings"): {"batch_id": "by-A", "readings": [
        {"sensor": "SECRET-B-pz1", "time": "2024-02-01T00:00:00Z", "value": 999.0}]},
}


# Site routes that answer 404 for B's site to a caller with the rights to act (the heat map needs
# query parameters, so the sweep gets the same 422 for B's site and a missing one there).
SITE_ROUTES_404 = {"/api/sites/{site}/readings", "/api/sites/{site}/status"}

# Logging in and out changes the caller, not B's data (tested in test_auth.py).
SKIP = {"/auth/login", "/auth/logout"}


def _leaks(text: str) -> list[str]:
    return [m for m in SECRET_MARKERS if m in text]


def _b_values(items, world) -> dict[str, list[str]]:
    """Values to put in each path parameter: B's ids for known names, every B id otherwise."""
    vals = {k: [str(getattr(items, v))] for k, v in ITEM_PARAMS.items()}
    vals["org_id"] = [str(world.B.id)]
    vals["user_id"] = [str(u[0]) for u in world.B.users.values()]
    every = sorted({str(x) for x in (items.b_event, items.b_list, items.b_watch, items.b_key_id,
                                     items.b_grant, world.B.id, *[u[0] for u in world.B.users.values()])})
    vals["*"] = every + ["x"]
    return vals


def _calls(app, items, world):
    """Every (method, url, body, known) for the sweep; ``known`` = a path param names B's item."""
    vals = _b_values(items, world)
    for info in iter_routes(app):
        if info.path in SKIP:
            continue
        combos = [{}]
        for p in info.params:
            options = vals.get(p, vals["*"])
            combos = [{**c, p: o} for c in combos for o in options]
        for method in sorted(info.methods):
            for c in combos:
                url = fill(info.path, c)
                known = any(p in ITEM_PARAMS or p in ("org_id", "user_id") for p in info.params)
                body = BODIES.get((method, info.path))
                missing = fill(info.path, {p: "999999" for p in info.params}) if known else None
                yield method, info.path, url, body, missing
        # body-addressed items: sharing and publishing with B's ids
    for t, attr in (("org_event", "b_event"), ("supplier_list", "b_list"), ("watchlist", "b_watch")):
        bid = getattr(items, attr)
        yield "POST", "/api/platform/sharing/shares", "/api/platform/sharing/shares", \
            {"item_type": t, "item_id": bid, "org_id": world.A.id}, "body"
        for action in ("publish", "unpublish"):
            yield "POST", f"/api/platform/sharing/{action}", f"/api/platform/sharing/{action}", \
                {"item_type": t, "item_id": bid}, "body"


def _sweep(client, app, items, world, label, full_rights):
    """Call every route as ``client``; B's ids must answer exactly like ids that never existed
    (404 for a caller with the rights to act, the same role error otherwise)."""
    seen_paths = set()
    n = 0
    for method, template, url, body, missing in _calls(app, items, world):
        kw = {"json": body} if body is not None else {}
        r = client.request(method, url, **kw)
        n += 1
        seen_paths.add(template)
        assert r.status_code < 500, f"{label} {method} {url}: {r.status_code} {r.text[:300]}"
        leaked = _leaks(r.text)
        assert not leaked, f"{label} {method} {url} leaked {leaked}: {r.text[:300]}"
        if missing is None:
            continue
        if missing == "body":
            body_missing = {**body, "item_id": 999999}
            r2 = client.request(method, url, json=body_missing)
        else:
            r2 = client.request(method, missing, **kw)
        assert r.status_code == r2.status_code, (
            f"{label} {method} {url}: {r.status_code} but {r2.status_code} for a missing id")
        if full_rights and (template.startswith("/api/platform/") or template in SITE_ROUTES_404):
            assert r.status_code == 404, f"{label} {method} {url}: {r.status_code} {r.text[:300]}"
    return seen_paths, n


def test_org_a_cannot_touch_org_b_through_any_route(app, world):
    items = seed_items(app, world)
    before = b_state(app, world)
    routes = iter_routes(app)
    platform_routes = {r.path for r in routes if r.path.startswith("/api/platform/")}
    assert len(platform_routes) >= 15
    # The enumeration covers every operation of the OpenAPI schema.
    schema_paths = set(app.openapi()["paths"])
    assert schema_paths <= {r.path for r in routes}

    a_admin = browser(app, world.A, "admin")
    a_viewer = browser(app, world.A, "viewer")
    a_key = KeyClient(app, items.a_key)
    anon = Browser(app)
    total = 0
    for label, client, full in (("A admin (session)", a_admin, True), ("A viewer (session)", a_viewer, False),
                                ("A admin API key", a_key, True), ("anonymous", anon, False)):
        seen, n = _sweep(client, app, items, world, label, full)
        total += n
        assert platform_routes <= seen
        assert SITE_ROUTES_404 <= seen
    assert b_state(app, world) == before, "org A changed something of org B"
    assert total > 4 * len(routes)

    # Control: the same routes DO show B's items to B (so the sweep can fail).
    b = items.b_admin_browser
    assert _leaks(b.get("/api/platform/org-events").text)
    assert _leaks(b.get(f"/api/platform/suppliers/{items.b_list}").text)
    assert _leaks(b.get(f"/api/platform/watchlists/{items.b_watch}").text)
    assert b.get(f"/api/platform/apikeys").json()["items"]
    assert _leaks(b.get(f"/api/sites/{items.b_site}/status").text)


def test_guessed_ids_answer_like_missing_ones(app, world):
    """A guessed ID of B's item and an ID that never existed get the same 404 body (modulo the id)."""
    items = seed_items(app, world)
    a = browser(app, world.A, "analyst")
    for base, bid in (("/api/platform/org-events", items.b_event), ("/api/platform/suppliers", items.b_list),
                      ("/api/platform/watchlists", items.b_watch)):
        missing = 999_999
        r1, r2 = a.get(f"{base}/{bid}"), a.get(f"{base}/{missing}")
        assert r1.status_code == r2.status_code == 404
        assert r1.headers["content-type"].startswith("application/problem+json")
        norm = lambda r, i: r.text.replace(str(i), "N")  # noqa: E731
        assert norm(r1, bid) == norm(r2, missing)
        for method in ("PATCH", "DELETE"):
            body = {"title": "x"} if base.endswith("org-events") else ({"name": "x"} if "watch" in base else None)
            if method == "PATCH" and base.endswith("suppliers"):
                continue
            r1 = a.request(method, f"{base}/{bid}", **({"json": body} if body and method == "PATCH" else {}))
            r2 = a.request(method, f"{base}/{missing}", **({"json": body} if body and method == "PATCH" else {}))
            assert r1.status_code == r2.status_code == 404, (method, base, r1.text)
            assert norm(r1, bid) == norm(r2, missing)


KIND_BASES = {"org_event": "/api/platform/org-events", "supplier_list": "/api/platform/suppliers",
              "watchlist": "/api/platform/watchlists"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(KIND_BASES)), guess=st.integers(min_value=1, max_value=30))
def test_any_guessed_id_is_visible_only_when_allowed(app_factory, kind, guess):
    """For any item kind and id, A's viewer gets 200 exactly for A's own items, the ones shared
    with A and the published ones; 404 otherwise, and never a B secret."""
    app, world, visible, a = _hyp_state(app_factory)
    r = a.get(f"{KIND_BASES[kind]}/{guess}")
    assert r.status_code == (200 if guess in visible[kind] else 404), (kind, guess, r.text[:200])
    assert not _leaks(r.text)


_HYP: dict = {}


def _hyp_state(app_factory):
    """Build once per test function (hypothesis reuses the function-scoped fixtures)."""
    if _HYP.get("factory") is not app_factory:
        _HYP.clear()
        _HYP["factory"] = app_factory
        from platform_testkit import make_world

        app = app_factory()
        world = make_world(app)
        items = seed_items(app, world)
        b_admin = items.b_admin_browser
        b_an = browser(app, world.B, "analyst")
        visible = {"org_event": {items.a_event}, "supplier_list": {items.a_list},
                   "watchlist": {items.a_watch}}
        # More B items of each kind: one private, one shared with A, one published.
        for tag in ("private", "shared", "published"):
            secret = "SECRET-B " if tag == "private" else "B "
            made = {
                "org_event": b_an.post("/api/platform/org-events", json={
                    "event_type": "pollution", "severity": 0.2, "title": secret + tag}),
                "supplier_list": b_an.post("/api/platform/suppliers", files={"file": (
                    "l.csv", b"supplier,country,commodity\n" + (b"SecretSupplierB" if tag == "private" else b"Pub")
                    + b",COD,cobalt\n")}, data={"name": secret + tag}),
                "watchlist": b_an.post("/api/platform/watchlists", json={"name": secret + tag}),
            }
            for kind, r in made.items():
                assert r.status_code == 201, r.text
                iid = r.json()["id"]
                if tag == "shared":
                    assert b_an.post("/api/platform/sharing/shares", json={
                        "item_type": kind, "item_id": iid, "org_id": world.A.id}).status_code == 201
                    visible[kind].add(iid)
                elif tag == "published":
                    assert b_admin.post("/api/platform/sharing/publish", json={
                        "item_type": kind, "item_id": iid}).status_code == 200
                    visible[kind].add(iid)
        _HYP["state"] = (app, world, visible, browser(app, world.A, "viewer"))
    return _HYP["state"]


def test_api_keys_cannot_cross_organisations(app, world):
    items = seed_items(app, world)
    ka, kb = KeyClient(app, items.a_key), KeyClient(app, items.b_key)
    # Each key sees its own organisation's items and not the other's.
    ev_a = {e["id"] for e in ka.get("/api/platform/org-events").json()["items"]}
    ev_b = {e["id"] for e in kb.get("/api/platform/org-events").json()["items"]}
    assert items.a_event in ev_a and items.b_event not in ev_a
    assert items.b_event in ev_b and items.a_event not in ev_b
    assert ka.get(f"/api/platform/org-events/{items.b_event}").status_code == 404
    assert ka.delete(f"/api/platform/apikeys/{items.b_key_id}").status_code == 404
    assert ka.get(f"/api/platform/orgs/{world.B.id}/members").status_code == 404
    keys_a = ka.get("/api/platform/apikeys").json()["items"]
    assert {k["org_id"] for k in keys_a} == {world.A.id}
    # A key created by A writes into A only.
    r = ka.post("/api/platform/org-events", json={"event_type": "pollution", "title": "by key", "severity": 0.4})
    assert r.status_code == 201 and r.json()["owner_org"] == world.A.id
    # A key cannot act on another organisation's org_id either.
    assert ka.post(f"/api/platform/orgs/{world.B.id}/members",
                   json={"email": "x@a.example", "password": "0123456789", "role": "admin"}).status_code == 404
    # A wrong, malformed or revoked key is no key at all.
    a_admin = browser(app, world.A, "admin")
    assert a_admin.delete(f"/api/platform/apikeys/{items.a_key_id}").status_code == 204
    for bad in (items.a_key, items.a_key[:-2] + "xx", "rsk_nothing", "garbage"):
        r = KeyClient(app, bad).get("/api/platform/apikeys")
        assert r.status_code == 401, bad
        assert r.json()["detail"] == "authentication required"


def test_api_key_role_is_capped_by_its_creator(app, world):
    a_admin = browser(app, world.A, "admin")
    key = a_admin.post("/api/platform/apikeys", json={"name": "writer", "role": "analyst"}).json()["key"]
    kc = KeyClient(app, key)
    assert kc.post("/api/platform/org-events", json={"event_type": "pollution", "title": "t",
                                                     "severity": 0.1}).status_code == 201
    assert kc.get("/api/platform/apikeys").status_code == 403  # analyst key, admin route
    # The creator is demoted to viewer: the key can no longer write.
    other_admin_id = world.A.users["analyst"][0]
    assert a_admin.patch(f"/api/platform/orgs/{world.A.id}/members/{other_admin_id}",
                         json={"role": "admin"}).status_code == 200
    a2 = browser(app, world.A, "analyst")  # now admin
    assert a2.patch(f"/api/platform/orgs/{world.A.id}/members/{world.A.users['admin'][0]}",
                    json={"role": "viewer"}).status_code == 200
    assert kc.post("/api/platform/org-events", json={"event_type": "pollution", "title": "t",
                                                     "severity": 0.1}).status_code == 403
    # An analyst cannot mint a key at all; an admin cannot mint one above its own role.
    assert browser(app, world.B, "analyst").post("/api/platform/apikeys",
                                                 json={"name": "k", "role": "viewer"}).status_code == 403


def test_roles_matrix(app, world):
    """viewer reads; analyst writes items and shares; admin publishes, manages members, keys, audit."""
    v, an, ad = (browser(app, world.A, r) for r in ("viewer", "analyst", "admin"))
    ev = {"event_type": "pollution", "title": "t", "severity": 0.1}
    assert v.post("/api/platform/org-events", json=ev).status_code == 403
    eid = an.post("/api/platform/org-events", json=ev).json()["id"]
    assert v.get(f"/api/platform/org-events/{eid}").status_code == 200
    assert v.delete(f"/api/platform/org-events/{eid}").status_code == 403
    assert an.post("/api/platform/sharing/shares", json={"item_type": "org_event", "item_id": eid,
                                                         "org_id": world.B.id}).status_code == 201
    assert an.post("/api/platform/sharing/publish", json={"item_type": "org_event", "item_id": eid}).status_code == 403
    assert ad.post("/api/platform/sharing/publish", json={"item_type": "org_event", "item_id": eid}).status_code == 200
    for who, code in ((v, 403), (an, 403), (ad, 200)):
        assert who.get("/api/platform/audit").status_code == code
        assert who.get("/api/platform/apikeys").status_code == code
    assert an.post(f"/api/platform/orgs/{world.A.id}/members",
                   json={"email": "n@a.example", "password": "0123456789ab", "role": "viewer"}).status_code == 403
    assert ad.post(f"/api/platform/orgs/{world.A.id}/members",
                   json={"email": "n@a.example", "password": "0123456789ab", "role": "viewer"}).status_code == 201
    # The last admin cannot be demoted or removed.
    me = world.A.users["admin"][0]
    assert ad.patch(f"/api/platform/orgs/{world.A.id}/members/{me}", json={"role": "viewer"}).status_code == 409
    assert ad.delete(f"/api/platform/orgs/{world.A.id}/members/{me}").status_code == 409
    anon = Browser(app)
    assert anon.get("/api/platform/apikeys").status_code == 401
    assert anon.post("/api/platform/org-events", json=ev).status_code == 401
