"""The dashboard as a person uses it, in Debian's chromium: log in, open every view in English
and Japanese, run a shock simulation, upload a supplier list, download a CSV — with zero requests
leaving localhost (the route guard in ``offline_page`` fails the test otherwise)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from reslog.web.browser import DEMO_ANALYST
from reslog.web.i18n import catalogue

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.xdist_group("web-browser")]  # one chromium, one demo site

# view path (with state), title key, a chart that must be drawn (None: no chart in the demo data)
VIEWS = (
    ("/map?commodity=copper&indicator=share", "map.title", "#fig-map"),
    ("/flows", "flows.title", None),
    ("/exposure?product=bev", "exposure.title", "#fig-origins"),
    ("/criticality", "crit.title", "#fig-crit"),
    ("/events", "events.title", "#fig-events"),
    ("/shock?mine=bra-corrego-do-feijao&months=12", "shock.title", "#fig-shock"),
    ("/provenance", "prov.title", None),
    ("/suppliers", "sup.title", None),
    ("/login", "login.title", None),
    ("/sites?sensor=as-downstream", "sites.title", "#fig-series"),
    ("/scenarios", "scn.title", "#fig-demand"),
    ("/map?commodity=gold&hotspots=1", "map.title", "#fig-map"),
)


def _login(page: Any, base: str, user: tuple[str, str] = DEMO_ANALYST) -> None:
    page.goto(f"{base}/login?lang=en&next=/map")
    page.fill("input[name=username]", user[0])
    page.fill("input[name=password]", user[1])
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_view_in_both_languages(live_server: Any, offline_page: tuple[Any, list[str]], lang: str) -> None:
    page, _ = offline_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, live_server.url)
    cat = catalogue(lang)
    for path, title_key, chart in VIEWS:
        sep = "&" if "?" in path else "?"
        resp = page.goto(f"{live_server.url}{path}{sep}lang={lang}")
        assert resp is not None and resp.status == 200, path
        assert page.locator("h1").first.inner_text().strip() == cat[title_key], path
        assert page.locator("html").get_attribute("lang") == lang
        # The switch offers the other language; the navigation is translated too.
        assert page.locator("#lang-switch").inner_text() == cat["lang.switch"]
        assert cat["nav.map"] in page.locator("nav.tabs").inner_text()
        if chart:
            page.wait_for_selector(f"{chart}[data-rendered='1']")
            assert page.locator(f"{chart} .main-svg").count() >= 1
    assert errors == []


def test_japanese_country_names_and_switch(live_server: Any, offline_page: tuple[Any, list[str]]) -> None:
    page, _ = offline_page
    page.goto(f"{live_server.url}/map?commodity=copper&indicator=governance&lang=en")
    table = page.locator("[data-table=countries] table")
    assert "Chile" in table.inner_text()
    page.click("#lang-switch")
    page.wait_for_load_state()
    # Same state (commodity, indicator) in Japanese: country names and labels translated.
    assert "commodity=copper" in page.url and "indicator=governance" in page.url and "lang=ja" in page.url
    text = page.locator("[data-table=countries] table").inner_text()
    assert "チリ" in text and "中国" in text and "Chile" not in text
    assert catalogue("ja")["map.ind.governance"] in page.locator("#f-indicator").inner_text()


def test_shock_simulation(live_server: Any, offline_page: tuple[Any, list[str]]) -> None:
    page, _ = offline_page
    page.goto(f"{live_server.url}/shock?lang=en")
    assert page.locator("#shock-result").count() == 0
    page.select_option("#f-mine", "bra-corrego-do-feijao")
    page.fill("#f-months", "6")
    with page.expect_navigation():
        page.click("#run-shock")
    assert "mine=bra-corrego-do-feijao" in page.url and "months=6" in page.url
    page.wait_for_selector("#fig-shock[data-rendered='1']")
    kpis = page.locator(".kpi-value").all_inner_texts()
    lost = float(kpis[0].split(" t")[0].replace(",", ""))
    # Six months of a 10.6 Mt/y mine (the packaged, cited Brumadinho case): 5.3 Mt.
    assert lost == pytest.approx(10.6e6 / 2, rel=1e-6)
    rows = page.locator("[data-table=consumers] tbody tr")
    assert rows.count() >= 5
    assert "China" in rows.first.inner_text()


def test_upload_supplier_list_and_exposure(live_server: Any, offline_page: tuple[Any, list[str]],
                                           tmp_path: Path) -> None:
    page, _ = offline_page
    _login(page, live_server.url)
    page.goto(f"{live_server.url}/suppliers?lang=en")
    bad = tmp_path / "bad.csv"
    bad.write_text("supplier,country,commodity\nGood Co,CHL,copper\nBad Co,Atlantis,copper\n", encoding="utf-8")
    page.set_input_files("#upload-form input[type=file]", str(bad))
    page.click("#upload-form button[type=submit]")
    err = page.locator("#upload-error")
    err.wait_for(state="visible")
    assert "row" in err.inner_text() and "country" in err.inner_text()
    good = tmp_path / "suppliers.csv"
    good.write_text("supplier,country,commodity,mine\nMinas Ore Trading,BRA,iron,Córrego do Feijão mine (Brumadinho)\n"
                    "Andes Cathodes,CHL,copper,\n", encoding="utf-8")
    page.set_input_files("#upload-form input[type=file]", str(good))
    with page.expect_navigation(url="**uploaded=1**"):
        page.click("#upload-form button[type=submit]")
    sup = page.locator("[data-table=suppliers]").inner_text()
    assert "Minas Ore Trading" in sup and "Andes Cathodes" in sup and "Bad Co" not in sup
    # The Brumadinho failure touches the Brazilian iron-ore supplier: an alert.
    assert "Brumadinho" in page.locator("[data-table=alerts]").inner_text()



def test_watch_list_alerts_on_the_event_feed(live_server: Any, offline_page: tuple[Any, list[str]]) -> None:
    page, _ = offline_page
    _login(page, live_server.url)
    page.goto(f"{live_server.url}/events?country=BRA&commodity=iron&lang=en")
    # All shown events are Brazilian iron events; each lists its sources.
    feed = page.locator("ol.feed li.event")
    assert feed.count() >= 3
    assert all("Brazil" in x for x in page.locator("ol.feed .ev-meta").all_inner_texts())
    assert page.locator("ol.feed .ev-sources a").count() >= feed.count()
    # Watch these filters -> an organisation watch-list -> alerts, newest severe first.
    with page.expect_navigation():
        page.click("#watch-filters")
    alerts = page.locator("#alerts .alert-list li")
    assert alerts.count() >= 3
    assert "Brumadinho" in page.locator("#alerts").inner_text()


def test_download_csv(live_server: Any, offline_page: tuple[Any, list[str]]) -> None:
    page, _ = offline_page
    page.goto(f"{live_server.url}/map?commodity=cobalt&lang=ja")
    with page.expect_download() as dl:
        page.click("[data-table=countries] a.csv")
    d = dl.value
    assert d.suggested_filename == "reslog-map-countries.csv"
    rows = list(csv.DictReader(io.StringIO(Path(d.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0]["country"] == "COD"
    assert {"share_pct", "wgi_eu", "disruption", "combined", "source"} <= set(rows[0])
    assert sum(float(r["share_pct"]) for r in rows) <= 100.0 + 1e-6


def test_hotspot_toggle_keeps_state(live_server: Any, offline_page: tuple[Any, list[str]]) -> None:
    page, _ = offline_page
    page.goto(f"{live_server.url}/map?commodity=cobalt&lang=en")
    page.wait_for_selector("#fig-map[data-rendered='1']")
    assert page.locator("#f-hotspots").is_checked()
    page.uncheck("#f-hotspots")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert "hotspots=0" in page.url and "commodity=cobalt" in page.url
    assert not page.locator("#f-hotspots").is_checked()
    page.wait_for_selector("#fig-map[data-rendered='1']")
