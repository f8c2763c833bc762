"""Dashboard pages without a browser: every view answers in both languages, CSV downloads carry
the view's table, bad parameters get problem+json naming the field, assets are local."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from reslog.web.i18n import catalogue, missing_keys

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PAGES = ("/map", "/map?commodity=cobalt&indicator=combined", "/flows", "/exposure?product=icev&basis=kg_tmr",
         "/criticality", "/events?type=tailings_failure&from=2015-01-01&to=2020-12-31", "/shock",
         "/shock?mine=bra-corrego-do-feijao&months=3", "/provenance", "/provenance?ids=2,3", "/login",
         "/suppliers", "/sites", "/scenarios", "/map?commodity=gold&hotspots=0", "/events?type=asgm")


@pytest.fixture(scope="module")
def client(demo_settings: Any):
    from reslog.api.app import create_app

    with TestClient(create_app(demo_settings)) as c:
        yield c


def test_catalogues_have_the_same_keys() -> None:
    assert missing_keys() == {"ja": [], "en": []}
    assert all(v.strip() for v in catalogue("ja").values())


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers(client: TestClient, path: str, lang: str) -> None:
    sep = "&" if "?" in path else "?"
    r = client.get(f"{path}{sep}lang={lang}")
    assert r.status_code == 200, r.text[:300]
    html = r.text
    assert f'<html lang="{lang}">' in html
    # Only local assets: no http(s) script/link/img sources.
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', html)
    assert '<script src="/static/plotly.min.js">' in html


def test_japanese_page_uses_japanese_names(client: TestClient) -> None:
    html = client.get("/map?commodity=cobalt&lang=ja").text
    assert "コンゴ民主共和国" in html and "世界地図" in html
    assert "DR Congo" not in html.split("<footer>")[0].split("<table>")[1]


def test_csv_download_is_the_views_table(client: TestClient) -> None:
    r = client.get("/shock?mine=bra-corrego-do-feijao&months=12&download=consumers")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="reslog-shock-consumers.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    lost = sum(float(x["lost_tonnes"]) for x in rows)
    assert lost == pytest.approx(10.6e6, rel=1e-9)  # 12 months of the 10.6 Mt/y mine


def test_unknown_table_and_bad_parameters_name_the_field(client: TestClient) -> None:
    r = client.get("/map?download=nope")
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["field"] == "download"
    r = client.get("/shock?mine=bra-corrego-do-feijao&months=-1")
    assert r.status_code == 422 and "months" in r.json()["errors"][0]["field"]
    r = client.get("/map?indicator=everything")
    assert r.status_code == 422 and "indicator" in r.json()["errors"][0]["field"]
    assert "Traceback" not in r.text


def test_static_assets_are_served_locally(client: TestClient) -> None:
    r = client.get("/static/plotly.min.js")
    assert r.status_code == 200 and len(r.content) > 1_000_000
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/app.css").status_code == 200


def test_unknown_mine_is_explained_not_crashed(client: TestClient) -> None:
    r = client.get("/shock?mine=no-such-mine&lang=en")
    assert r.status_code == 200 and "no-such-mine" in r.text and 'role="alert"' in r.text


def test_login_page_carries_csrf_and_next(client: TestClient) -> None:
    html = client.get("/login?next=/events&lang=ja").text
    assert re.search(r'name="csrf" value="[^"]+"', html)
    assert 'value="/events?lang=ja"' in html
    html = client.get("/login?next=//evil.example/&lang=en").text
    assert re.search(r'name="next" value="/map\?lang=en"', html)


def test_root_redirects_to_the_map_keeping_state(client: TestClient) -> None:
    r = client.get("/?lang=ja", follow_redirects=False)
    assert r.status_code in (302, 303, 307) and r.headers["location"].startswith("/map?lang=ja")


def test_country_shock_hand_check(client: TestClient) -> None:
    # DR Congo's reported cobalt mine output, as the map view lists it (t, latest reported year).
    r = client.get("/map?commodity=cobalt&stage=mine&download=countries")
    cod = next(x for x in csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))) if x["country"] == "COD")
    assert cod["unit"].split()[0] == "t"
    expected = 0.5 * float(cod["quantity"]) * 3 / 12  # half the output for a quarter of a year
    r = client.get("/shock?country=COD&commodity=cobalt&fraction=0.5&months=3&download=cut")
    row = next(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert float(row["lost_tonnes"]) == pytest.approx(expected, rel=1e-12)
    html = client.get("/shock?country=COD&commodity=cobalt&fraction=0.5&months=3&lang=en").text
    assert f"{expected:,.0f} t cobalt" in html


def test_mrio_exposure_origins_add_up_to_the_footprint(client: TestClient) -> None:
    html = client.get("/exposure?kind=mrio&region=reg2&lang=en").text
    assert "fig-origins" in html
    r = client.get("/exposure?kind=mrio&region=reg2&download=by_origin_region")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    tot = {x["stressor"]: float(x["value"]) for x in csv.DictReader(io.StringIO(
        client.get("/exposure?kind=mrio&region=reg2&download=totals").content.decode("utf-8-sig")))}
    for s, total in tot.items():
        part = [x for x in rows if x["stressor"] == s]
        assert sum(float(x["value"]) for x in part) == pytest.approx(total, rel=1e-9)
        assert sum(float(x["share"]) for x in part) == pytest.approx(1.0, rel=1e-9)


def _login_client(client: Any) -> None:
    from reslog.web.browser import DEMO_ANALYST

    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login?lang=en").text).group(1)
    r = client.post("/auth/login", data={"username": DEMO_ANALYST[0], "password": DEMO_ANALYST[1],
                                         "csrf": token, "next": "/sites"}, follow_redirects=False)
    assert r.status_code in (200, 303), r.text


def test_map_hotspot_layer_toggle_and_csv(client: Any) -> None:
    """The simulated scene's detected hotspot is an ``asgm`` event drawn as its own map layer;
    ``hotspots=0`` hides it and the state is in the URL."""
    import json

    on = client.get("/map?commodity=copper&lang=en").text
    off = client.get("/map?commodity=copper&hotspots=0&lang=en").text

    def traces(html: str) -> list[str]:
        fig = json.loads(html.split('id="fig-map-data">', 1)[1].split("</script>", 1)[0].replace("<\\/", "</"))
        return [d.get("name") for d in fig["data"]]

    assert "ASGM hotspots (imagery)" in traces(on)
    assert "ASGM hotspots (imagery)" not in traces(off)
    r = client.get("/map?commodity=copper&download=hotspots")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    img = [x for x in rows if x["source"] == "imagery_s2"]
    assert len(img) >= 1 and all(x["country"] == "VEN" for x in img)
    assert all(abs(float(x["lat"]) - 6.3) < 0.1 and abs(float(x["lon"]) + 61.9) < 0.1 for x in img)


def test_sites_are_private_to_the_organisation(client: Any) -> None:
    client.cookies.clear()
    anon = client.get("/sites?lang=en")
    assert anon.status_code == 200
    assert 'id="sites-login"' in anon.text and "demo-tsf" not in anon.text
    assert client.get("/sites?download=sensors").status_code == 422   # no table for anonymous callers
    _login_client(client)
    page = client.get("/sites?sensor=as-downstream&lang=ja")
    assert page.status_code == 200 and "demo-tsf" in page.text and 'id="fig-series"' in page.text
    assert 'id="fig-heatmap"' in page.text
    sens = list(csv.DictReader(io.StringIO(client.get("/sites?download=sensors").content.decode("utf-8-sig"))))
    assert [r["sensor_id"] for r in sens] == ["as-upstream", "as-pond", "as-downstream", "as-river", "pz-dam"]
    # simulated breakthrough and spill exceed the WHO arsenic value (0.01 mg/L); background does not
    exc = list(csv.DictReader(io.StringIO(client.get("/sites?download=exceedances").content.decode("utf-8-sig"))))
    assert {r["sensor_id"] for r in exc} == {"as-downstream", "as-river"}
    assert all(float(r["peak"]) > 0.01 and float(r["limit"]) == 0.01 for r in exc)
    trig = list(csv.DictReader(io.StringIO(client.get("/sites?download=triggers").content.decode("utf-8-sig"))))
    assert {r["sensor_id"] for r in trig} == {"pz-dam"} and {r["level"] for r in trig} <= {"amber", "red"}
    rd = list(csv.DictReader(io.StringIO(client.get("/sites?sensor=as-pond&download=readings").content.decode("utf-8-sig"))))
    assert len(rd) == 42 * 144 and any(r["qc"] for r in rd)   # the simulated fault is flagged
    client.cookies.clear()


def test_scenarios_view(client: Any) -> None:
    page = client.get("/scenarios?lang=en")
    assert page.status_code == 200 and 'id="fig-demand"' in page.text
    # the starter warehouse has no trade: the page says what to ingest
    assert 'id="trade-missing"' in page.text and "reslog scenario load" in page.text
    comp = list(csv.DictReader(io.StringIO(client.get("/scenarios?download=comparison").content.decode("utf-8-sig"))))
    assert len(comp) >= 5 and all(float(r["demand_2050_t"]) >= 0 for r in comp)
    bal = list(csv.DictReader(io.StringIO(client.get("/scenarios?download=balance").content.decode("utf-8-sig"))))
    assert max(float(r["max_relative_residual"]) for r in bal) < 1e-9
    ja = client.get("/scenarios?lang=ja").text
    assert "2050年までの金属需要" in ja
