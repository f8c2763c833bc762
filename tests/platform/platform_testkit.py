"""Helpers of the platform tests (imported by conftest.py and the test modules): a small warehouse,
three organisations with users, browser and API-key clients, seeded private items.

A module of its own (not conftest.py) so that ``from platform_testkit import …`` cannot pick up
another directory's conftest when the whole suite is collected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BACKENDS = ("sqlite", "postgresql")
SECRET = "test-secret-key-for-platform-tests"

# ------------------------------------------------------------------------------ warehouse
WAREHOUSE_EVENTS = [
    # event_id, type, country, mine_id, commodity, severity, title
    ("ev-cod-1", "mine_accident", "COD", "cd-kamoto", "cobalt", 0.8, "Collapse at Kamoto"),
    ("ev-chl-1", "labour_unrest", "CHL", "cl-escondida", "copper", 0.6, "Strike at Escondida"),
    ("ev-idn-1", "export_restriction", "IDN", None, "nickel", 0.9, "Ore export ban"),
    ("ev-aus-1", "natural_hazard", "AUS", None, "lithium", 0.3, "Flooding in Pilbara"),
]


def build_warehouse(path: Path) -> Path:
    """A small warehouse: countries/commodities, four risk events, cobalt/nickel production,
    governance for two countries, two mine sites (each row marked with a test ledger entry)."""
    from reslog.schema.taxonomy import TAXONOMY_VERSION
    from reslog.store.warehouse import Warehouse

    with Warehouse.open(path) as wh:
        c = wh.con
        c.execute("INSERT INTO ledger VALUES (1, 'platform test fixture', 'test', '1', 'CC0', "
                  "'tests/platform/conftest.py', 'conftest.py', 'feedc0de', 20, now(), 'test')")
        for eid, et, ctry, mine, com, sev, title in WAREHOUSE_EVENTS:
            c.execute("INSERT INTO risk_events (event_id, event_type, start_time, country, mine_id, "
                      "commodity, severity, confidence, title, source_urls, taxonomy_version, source, "
                      "ledger_id) VALUES (?, ?, TIMESTAMP '2024-05-01', ?, ?, ?, ?, 0.9, ?, "
                      "'https://example.org/a', ?, 'test', 1)",
                      [eid, et, ctry, mine, com, sev, title, TAXONOMY_VERSION])
        prod = [("COD", "cobalt", 130000), ("IDN", "cobalt", 17000), ("AUS", "cobalt", 5000),
                ("WLD", "cobalt", 170000), ("IDN", "nickel", 1800000), ("PHL", "nickel", 400000),
                ("FIN", "nickel", 30000), ("WLD", "nickel", 3300000)]
        for ctry, com, q in prod:
            c.execute("INSERT INTO production VALUES (?, ?, 2023, 'mine', ?, 't', NULL, false, "
                      "'test', 1)", [ctry, com, q])
        for ctry, est in (("COD", -1.5), ("IDN", -0.2), ("FIN", 1.8), ("AUS", 1.5), ("PHL", -0.5)):
            for ind in ("va", "pv", "ge", "rq", "rl", "cc"):
                c.execute("INSERT INTO governance VALUES (?, 2022, ?, ?, NULL, NULL, NULL, 'test', 1)",
                          [ctry, ind, est])
        cols = "(mine_id, name, lat, lon, country, commodities, type, status, source, ledger_id)"
        c.execute(f"INSERT INTO mine_sites {cols} VALUES ('cd-kamoto', 'Kamoto', -10.7, 25.4, 'COD', "
                  "'cobalt;copper', 'mine', 'operating', 'test', 1)")
        c.execute(f"INSERT INTO mine_sites {cols} VALUES ('cl-escondida', 'Escondida', -24.3, -69.1, "
                  "'CHL', 'copper', 'mine', 'operating', 'test', 1)")
    return path



# ------------------------------------------------------------------------------ people
@dataclass
class Org:
    id: int
    name: str
    users: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # role -> (id, email, pw)


@dataclass
class World:
    A: Org
    B: Org
    C: Org


def make_world(app) -> World:
    """Organisations A (admin, analyst, viewer), B (admin, analyst) and C (admin)."""
    from reslog.platform import accounts

    orgs = {}
    with app.state.platform.sessions() as db:
        for key, roles in (("A", ("admin", "analyst", "viewer")), ("B", ("admin", "analyst")),
                           ("C", ("admin",))):
            o = accounts.get_or_create_org(db, f"Org {key}")
            org = Org(o.id, o.name)
            for role in roles:
                email, pw = f"{role}@{key.lower()}.example", f"{key}-{role}-password!"
                u = accounts.create_user(db, o, email, pw, role)
                org.users[role] = (u.id, email, pw)
            orgs[key] = org
        db.commit()
    return World(**orgs)




class Browser:
    """A TestClient that logs in with the form and sends the CSRF token like the dashboard does."""

    def __init__(self, app, base_url: str = "http://testserver") -> None:
        from fastapi.testclient import TestClient

        self.c = TestClient(app, raise_server_exceptions=False, base_url=base_url)
        self.csrf = self.c.get("/api/platform/me").json()["csrf_token"]

    def login(self, email: str, password: str):
        r = self.c.post("/auth/login", data={"username": email, "password": password,
                                             "csrf": self.csrf, "next": "/"},
                        follow_redirects=False)
        assert r.status_code == 303, r.text
        return self

    def request(self, method: str, url: str, **kw):
        headers = dict(kw.pop("headers", {}) or {})
        if method.upper() not in ("GET", "HEAD", "OPTIONS"):
            headers.setdefault("X-CSRF-Token", self.csrf)
        return self.c.request(method, url, headers=headers, **kw)

    def get(self, url: str, **kw):
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw):
        return self.request("POST", url, **kw)

    def patch(self, url: str, **kw):
        return self.request("PATCH", url, **kw)

    def delete(self, url: str, **kw):
        return self.request("DELETE", url, **kw)


class KeyClient:
    """A TestClient that authenticates with an API key (no cookies, no CSRF)."""

    def __init__(self, app, key: str) -> None:
        from fastapi.testclient import TestClient

        self.c = TestClient(app, raise_server_exceptions=False)
        self.key = key

    def request(self, method: str, url: str, **kw):
        headers = dict(kw.pop("headers", {}) or {})
        headers.setdefault("Authorization", f"Bearer {self.key}")
        return self.c.request(method, url, headers=headers, **kw)

    def get(self, url: str, **kw):
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw):
        return self.request("POST", url, **kw)

    def patch(self, url: str, **kw):
        return self.request("PATCH", url, **kw)

    def delete(self, url: str, **kw):
        return self.request("DELETE", url, **kw)


def browser(app, org: Org, role: str) -> Browser:
    _uid, email, pw = org.users[role]
    return Browser(app).login(email, pw)


SUPPLIER_CSV = (b"supplier,country,commodity,mine\n"
                b"Acme Cobalt,COD,cobalt,Kamoto\n"
                b"Nordic Nickel,Finland,nickel,\n"
                b"Sula Nickel,Indonesia,nickel,\n")


@dataclass
class Items:
    """IDs of items seeded for org A and org B (B's carry SECRET markers)."""

    a_event: int
    a_list: int
    a_watch: int
    a_key: str
    a_key_id: int
    b_event: int
    b_list: int
    b_watch: int
    b_key: str
    b_key_id: int
    b_grant: int  # B's event shared with C
    b_admin_browser: Any = None
    a_site: str = "a-site"  # monitoring sites in the warehouse, private to A / B
    b_site: str = "b-site"


SECRET_MARKERS = ("SECRET-B", "SecretSupplierB", "@b.example")

# B's sensor carries a marker, so a status answer of B's site would show in the sweep.
SITE_SENSORS = {"a-site": "a-pz1", "b-site": "SECRET-B-pz1"}


def seed_sites(app, world: World) -> None:
    """Register a monitoring site of A and one of B (each with a pressure sensor) in the app's
    warehouse, through the server's one writer."""
    from reslog.sources.sensors import read_sensors, read_sites

    folder = Path(app.state.settings.db).parent / "site-seed"
    folder.mkdir(exist_ok=True)
    (folder / "sites.csv").write_text(
        "site_id,name,org_id,lat,lon,country\n"
        f"a-site,A tailings,{world.A.id},-20.1,-44.1,BRA\n"
        f"b-site,SECRET-B tailings,{world.B.id},-19.6,-65.7,BOL\n")
    (folder / "sensors.csv").write_text(
        "sensor_id,site_id,parameter,unit,lat,lon,interval_s,trigger_amber,trigger_red,trigger_basis\n"
        + "".join(f"{sensor},{site},piezometric_pressure,kPa,-20.1,-44.1,600,120,150,level\n"
                  for site, sensor in SITE_SENSORS.items()))
    with app.state.hub.writer() as wh:
        wh.ingest(read_sites(folder / "sites.csv"), kind="monitoring_sites")
        wh.ingest(read_sensors(folder / "sensors.csv"), kind="monitoring_sensors")


def reading_batch(site: str, batch_id: str, value: float = 101.0,
                  time: str = "2024-01-01T00:00:00Z") -> dict[str, Any]:
    """A one-reading batch for ``site``'s sensor (``POST /api/sites/{site}/readings``)."""
    return {"batch_id": batch_id, "readings": [{"sensor": SITE_SENSORS.get(site, "a-pz1"),
                                                "time": time, "value": value}]}


def site_readings(app, site: str) -> int:
    """Readings stored for ``site`` in the app's reading store."""
    from reslog.store.readings import ReadingStore

    return ReadingStore(app.state.settings.readings).count(site)


def seed_items(app, world: World) -> Items:
    """A and B each create an event, a supplier list, a watch-list and an API key, and own a
    monitoring site with one reading sent with their key; B shares its event with C (not with A)."""
    out: dict[str, Any] = {}
    seed_sites(app, world)
    for key, org in (("a", world.A), ("b", world.B)):
        tag = "SECRET-B" if key == "b" else "A-OWN"
        an = browser(app, org, "analyst")
        r = an.post("/api/platform/org-events", json={
            "event_type": "mine_accident", "title": f"{tag} event", "severity": 0.7,
            "country": "COD", "commodity": "cobalt", "description": f"{tag} details"})
        assert r.status_code == 201, r.text
        out[f"{key}_event"] = r.json()["id"]
        sup = b"SecretSupplierB" if key == "b" else b"A Supplier"
        r = an.post("/api/platform/suppliers", files={"file": (f"{tag}.csv", b"supplier,country,commodity\n"
                                                              + sup + b",COD,cobalt\n", "text/csv")},
                    data={"name": f"{tag} list"})
        assert r.status_code == 201, r.text
        out[f"{key}_list"] = r.json()["id"]
        r = an.post("/api/platform/watchlists", json={"name": f"{tag} watch", "countries": ["COD"]})
        assert r.status_code == 201, r.text
        out[f"{key}_watch"] = r.json()["id"]
        ad = browser(app, org, "admin")
        r = ad.post("/api/platform/apikeys", json={"name": f"{tag} key", "role": "admin"})
        assert r.status_code == 201, r.text
        out[f"{key}_key"] = r.json()["key"]
        out[f"{key}_key_id"] = r.json()["id"]
        site = f"{key}-site"
        r = KeyClient(app, out[f"{key}_key"]).post(f"/api/sites/{site}/readings",
                                                   json=reading_batch(site, f"seed-{key}"))
        assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
        if key == "b":
            r = an.post("/api/platform/sharing/shares", json={"item_type": "org_event",
                                                              "item_id": out["b_event"], "org_id": world.C.id})
            assert r.status_code == 201, r.text
            out["b_grant"] = r.json()["id"]
            out["b_admin_browser"] = ad
    return Items(**out)


def b_state(app, world: World) -> dict[str, Any]:
    """Everything org B owns, as plain data (to show nothing of B changed)."""
    from sqlalchemy import select

    from reslog.platform import models as m

    def rows(db, model, cond):
        return sorted(tuple((c.key, repr(getattr(r, c.key))) for c in model.__table__.columns)
                      for r in db.scalars(select(model).where(cond)))

    with app.state.platform.sessions() as db:
        lists = [i for (i,) in db.execute(select(m.SupplierList.id).where(m.SupplierList.org_id == world.B.id))]
        return {
            "events": rows(db, m.OrgEvent, m.OrgEvent.org_id == world.B.id),
            "lists": rows(db, m.SupplierList, m.SupplierList.org_id == world.B.id),
            "suppliers": rows(db, m.Supplier, m.Supplier.list_id.in_(lists or [-1])),
            "watch": rows(db, m.Watchlist, m.Watchlist.org_id == world.B.id),
            "keys": rows(db, m.ApiKey, m.ApiKey.org_id == world.B.id),
            "members": rows(db, m.Membership, m.Membership.org_id == world.B.id),
            "users": rows(db, m.User, m.User.email.like("%@b.example")),
            "grants": rows(db, m.ShareGrant, m.ShareGrant.owner_org_id == world.B.id),
            "org": rows(db, m.Organisation, m.Organisation.id == world.B.id),
            "site_readings": site_readings(app, "b-site"),
        }
