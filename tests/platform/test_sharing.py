"""Explicit sharing with another organisation, publishing to everyone, and the audit log."""

from __future__ import annotations

import pytest

from platform_testkit import Browser, browser, seed_items

KINDS = [("org_event", "/api/platform/org-events", "a_event"),
         ("supplier_list", "/api/platform/suppliers", "a_list"),
         ("watchlist", "/api/platform/watchlists", "a_watch")]


@pytest.mark.parametrize("item_type,base,attr", KINDS)
def test_share_then_revoke(app, world, item_type, base, attr):
    items = seed_items(app, world)
    iid = getattr(items, attr)
    a = browser(app, world.A, "analyst")
    b = browser(app, world.B, "viewer" if "viewer" in world.B.users else "analyst")
    c = browser(app, world.C, "admin")
    assert b.get(f"{base}/{iid}").status_code == 404
    r = a.post("/api/platform/sharing/shares", json={"item_type": item_type, "item_id": iid,
                                                     "org_id": world.B.id})
    assert r.status_code == 201
    grant = r.json()["id"]
    # B reads it (and finds it in its list), C still does not.
    assert b.get(f"{base}/{iid}").status_code == 200
    listed = b.get(base).json()["items"]
    assert iid in {x["id"] for x in listed}
    assert c.get(f"{base}/{iid}").status_code == 404
    # Shared is not owned: B cannot change or delete it, nor share it on.
    assert b.delete(f"{base}/{iid}").status_code == 403
    assert b.post("/api/platform/sharing/shares", json={"item_type": item_type, "item_id": iid,
                                                        "org_id": world.C.id}).status_code == 403
    # Sharing twice is a conflict; B cannot revoke A's grant; A can.
    assert a.post("/api/platform/sharing/shares", json={"item_type": item_type, "item_id": iid,
                                                        "org_id": world.B.id}).status_code == 409
    assert b.delete(f"/api/platform/sharing/shares/{grant}").status_code == 404
    shares = a.get("/api/platform/sharing/shares").json()
    assert [g["id"] for g in shares["given"]] == [grant]
    assert [g["id"] for g in b.get("/api/platform/sharing/shares").json()["received"]] == [grant]
    assert a.delete(f"/api/platform/sharing/shares/{grant}").status_code == 204
    assert b.get(f"{base}/{iid}").status_code == 404


def test_publish_makes_public_and_unpublish_withdraws(app, world):
    items = seed_items(app, world)
    ad = browser(app, world.A, "admin")
    anon = Browser(app)
    c = browser(app, world.C, "admin")
    eid = items.a_event
    assert anon.get(f"/api/platform/org-events/{eid}").status_code == 404
    r = ad.post("/api/platform/sharing/publish", json={"item_type": "org_event", "item_id": eid})
    assert r.status_code == 200 and r.json()["visibility"] == "public"
    for who in (anon, c):
        got = who.get(f"/api/platform/org-events/{eid}")
        assert got.status_code == 200 and got.json()["visibility"] == "public"
        assert eid in {e["id"] for e in who.get("/api/platform/org-events").json()["items"]}
    # Public is still not writable by others.
    assert c.patch(f"/api/platform/org-events/{eid}", json={"title": "defaced"}).status_code == 403
    r = ad.post("/api/platform/sharing/unpublish", json={"item_type": "org_event", "item_id": eid})
    assert r.status_code == 200 and r.json()["visibility"] == "private"
    assert anon.get(f"/api/platform/org-events/{eid}").status_code == 404


def test_own_org_and_unknown_org_cannot_be_grantees(app, world):
    items = seed_items(app, world)
    a = browser(app, world.A, "analyst")
    for org_id in (world.A.id, 999_999):
        r = a.post("/api/platform/sharing/shares", json={"item_type": "org_event",
                                                         "item_id": items.a_event, "org_id": org_id})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.org_id"


def test_audit_log_records_who_changed_and_shared_what(app, world):
    items = seed_items(app, world)
    an = browser(app, world.A, "analyst")
    ad = browser(app, world.A, "admin")
    eid = items.a_event
    an.patch(f"/api/platform/org-events/{eid}", json={"title": "renamed", "severity": 0.9})
    gid = an.post("/api/platform/sharing/shares", json={"item_type": "org_event", "item_id": eid,
                                                        "org_id": world.B.id}).json()["id"]
    an.delete(f"/api/platform/sharing/shares/{gid}")
    ad.post("/api/platform/sharing/publish", json={"item_type": "org_event", "item_id": eid})
    an.delete(f"/api/platform/org-events/{eid}")
    log = ad.get("/api/platform/audit", params={"limit": 100}).json()
    acts = [(e["action"], e["item_type"], e["item_id"], e["user"]) for e in log["items"]]
    analyst, admin = world.A.users["analyst"][1], world.A.users["admin"][1]
    want = [("org_event.delete", "org_event", eid, analyst), ("publish", "org_event", eid, admin),
            ("share.revoke", "org_event", eid, analyst), ("share.grant", "org_event", eid, analyst),
            ("org_event.update", "org_event", eid, analyst)]
    assert acts[:5] == want
    upd = log["items"][4]
    assert upd["detail"]["fields"] == ["severity", "title"] and upd["via"] == "session"
    assert log["items"][3]["detail"]["org_id_to"] == world.B.id
    # Creation, upload, watch-list and key creation of seed_items are there as well.
    all_actions = {e["action"] for e in log["items"]}
    assert {"org_event.create", "supplier_list.upload", "watchlist.create", "api_key.create",
            "login"} <= all_actions
    # B's admin sees none of A's entries.
    b_log = browser(app, world.B, "admin").get("/api/platform/audit", params={"limit": 1000}).json()
    assert all(e["user"] is None or e["user"].endswith("@b.example") for e in b_log["items"])
    # Filters.
    only = ad.get("/api/platform/audit", params={"action": "publish"}).json()
    assert only["total"] == 1 and only["items"][0]["action"] == "publish"


def test_api_key_actions_are_audited_with_the_key(app, world):
    from platform_testkit import KeyClient

    items = seed_items(app, world)
    k = KeyClient(app, items.a_key)
    r = k.post("/api/platform/org-events", json={"event_type": "sanctions", "title": "via key", "severity": 0.5})
    assert r.status_code == 201
    log = browser(app, world.A, "admin").get("/api/platform/audit",
                                             params={"action": "org_event.create"}).json()["items"]
    assert log[0]["via"] == "api_key"
    assert log[0]["item_id"] == r.json()["id"]
    assert log[0]["detail"]["api_key_id"] == items.a_key_id
