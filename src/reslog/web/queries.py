"""What each dashboard view shows, fetched through the library (no analysis here).

Every function takes the request's read-only warehouse (``reslog.api.deps.get_reader``) and the
view's parameters, calls the same library functions the API routers and the CLI call
(``reslog.model.*``, the orchestration helpers of ``reslog.cli.risk`` / ``reslog.cli.trade``),
and returns a :class:`ViewData`: named tables (each downloadable as CSV), notes for the user, and
the ledger ids of the warehouse rows behind the figures (provenance).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reslog.errors import ReslogError
from reslog.store.warehouse import Warehouse

MAP_INDICATORS = ("share", "hhi_contribution", "governance", "disruption", "combined")
RISK_TYPES = ("governance", "disruption", "combined")


@dataclass
class ViewData:
    """Tables of one view (name → DataFrame), notes, ledger ids, and the resolved parameters."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    ledger_ids: set[int] = field(default_factory=set)
    params: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def _ledger_ids(*frames: pd.DataFrame) -> set[int]:
    out: set[int] = set()
    for f in frames:
        if f is not None and "ledger_id" in f.columns:
            out |= {int(x) for x in f["ledger_id"].dropna().unique()}
    return out


def _to_tonnes_factor(unit: str) -> float | None:
    return {"t": 1.0, "kt": 1e3, "Mt": 1e6, "kg": 1e-3}.get(str(unit).split()[0])


# ----------------------------------------------------------------------------- world map


def production_options(wh: Warehouse) -> pd.DataFrame:
    """Commodity × stage pairs with reported production (for the selectors)."""
    return wh.query("SELECT commodity, stage, max(year) AS year FROM production "
                    "WHERE quantity IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2")


def world_map_data(wh: Warehouse, commodity: str, stage: str | None, indicator: str) -> ViewData:
    """Production shares and country risk weights of ``commodity``'s producers; mines and events.

    Shares: :func:`reslog.model.concentration.calc_shares` (latest reported year);
    governance: WGI on the EU 0–10 scale (:func:`reslog.model.concentration.calc_wgi_eu`);
    disruption / combined: :func:`reslog.model.riskmap.country_risk_weights` (events of the
    commodity, 10-year window), all in [0, 1] except governance (0–10, 10 = worst).
    """
    from reslog.model.concentration import calc_shares, calc_wgi_eu
    from reslog.model.riskmap import country_risk_weights

    prod = wh.production(reported_only=True)
    stages = sorted(set(prod.loc[prod["commodity"] == commodity, "stage"]), key=lambda s: (s != "mine", s))
    if stage not in stages and stages:
        stage = stages[0]
    vd = ViewData(params={"commodity": commodity, "stage": stage, "indicator": indicator, "stages": stages})
    p = prod[(prod["commodity"] == commodity) & (prod["stage"] == stage)]
    if p.empty:
        vd.error = f"no reported {stage} production of {commodity} in the warehouse"
        return vd
    year = int(p["year"].max())
    p = p[p["year"] == year]
    shares = calc_shares(p[["country", "quantity"]])
    gov = wh.query("SELECT * FROM governance")
    events = wh.query("SELECT * FROM risk_events")
    ev_year = year
    countries = [c for c in shares.index if c not in ("ROW", "WLD")]
    w = country_risk_weights(gov, events, ev_year, commodity=commodity, countries=countries)
    wgi = calc_wgi_eu(gov, year)["wgi_eu"] if len(gov) else pd.Series(dtype=float)
    unit = str(p["unit"].iloc[0])
    qty = p.set_index("country")["quantity"]
    t = pd.DataFrame({"country": countries})
    t["quantity"] = t["country"].map(qty)
    t["unit"] = unit
    t["share_pct"] = t["country"].map(shares)
    t["hhi_contribution"] = t["share_pct"] ** 2
    t["wgi_eu"] = t["country"].map(wgi)
    t["disruption"] = t["country"].map(w["disruption"])
    t["combined"] = t["country"].map(w["combined"])
    t["year"] = year
    src = p.set_index("country")["source"]
    t["source"] = t["country"].map(src)
    vd.tables["countries"] = t.sort_values("share_pct", ascending=False).reset_index(drop=True)
    col = {"share": "share_pct", "hhi_contribution": "hhi_contribution", "governance": "wgi_eu",
           "disruption": "disruption", "combined": "combined"}[indicator]
    vd.params.update(year=year, unit=unit, value_column=col,
                     hhi=float((shares.drop(labels=["ROW"], errors="ignore") ** 2).sum()))
    mines = wh.query("SELECT mine_id, name, lat, lon, country, commodities, type, status, operator, "
                     "source, ledger_id FROM mine_sites")
    mines = mines[mines["commodities"].fillna("").str.split(";").map(lambda cs: commodity in cs)]
    ev = events[events["commodity"] == commodity].dropna(subset=["lat", "lon"])
    ev = ev.sort_values("start_time", ascending=False)
    vd.tables["mines"] = mines.reset_index(drop=True)
    vd.tables["events"] = ev[["event_id", "event_type", "start_time", "country", "mine_id", "commodity",
                              "severity", "title", "lat", "lon", "source_urls", "ledger_id"]].reset_index(drop=True)
    vd.ledger_ids = _ledger_ids(p, gov, mines, ev)
    vd.notes.append(f"{commodity} {stage} production {year} ({unit}); HHI {vd.params['hhi']:,.0f}.")
    if len(w.attrs):
        vd.notes.append("Risk weights: events of the commodity over a 10-year window to "
                        f"{ev_year}; governance = WGI on the EU scale (0 best – 10 worst).")
    return vd


# ----------------------------------------------------------------------------- flows


def flows_data(wh: Warehouse, metal: str, year: int | None, top: int = 10) -> ViewData:
    """Sankey links mine → refining → consumption from trade origin tracing
    (:func:`reslog.services.trade.sankey`, as ``GET /api/trade/sankey``)."""
    from reslog.services import trade

    years = trade.trade_years(wh)
    yr = year if year is not None else (years[-1] if years else None)
    vd = ViewData(params={"metal": metal, "year": yr, "top": top, "years": years})
    if yr is None:
        vd.error = ("the warehouse has no bilateral trade, so flows cannot be traced; ingest a BACI "
                    "release (reslog ingest baci FOLDER) and mine production of the same year "
                    "(reslog ingest usgs FILE)")
        return vd
    try:
        out, prov = trade.sankey(wh, metal, yr, top=top)
    except ReslogError as e:
        vd.error = str(e)
        return vd
    vd.tables["links"] = out["links"]
    vd.notes.extend(out["notes"] + prov.notes)
    vd.ledger_ids = {int(e["ledger_id"]) for e in prov.ledger}
    return vd


# ----------------------------------------------------------------------------- exposure


def product_options() -> pd.DataFrame:
    """Products with a packaged inventory (``reslog.sources.products.read_products``)."""
    from reslog.sources.products import read_products

    return read_products().reset_index()[["product", "label"]]


def exposure_data(wh: Warehouse, product: str, basis: str = "kg_metal") -> ViewData:
    """Origin breakdown of one unit of ``product`` by country and metal
    (:func:`reslog.services.products.footprint`) and its risk exposure by origin country and
    risk type (:func:`reslog.services.products.exposure`)."""
    from reslog.model.product import calc_risk_exposure  # noqa: F401 - documented path of the numbers
    from reslog.services import products

    vd = ViewData(params={"product": product, "basis": basis})
    gov_years = wh.query("SELECT max(year) AS y FROM governance")["y"]
    year = int(gov_years.iloc[0]) if len(gov_years) and pd.notna(gov_years.iloc[0]) else pd.Timestamp.now().year
    try:
        fp, prov = products.footprint(wh, product)
        ex, prov2 = products.exposure(wh, product, year=year)
    except ReslogError as e:
        vd.error = str(e)
        return vd
    vd.tables["origins"] = fp["flows"]
    risk = ex["exposure"]
    if basis == "kg_tmr":  # the same weights applied to the TMR instead of the metal mass
        tmr = fp["flows"].groupby("country")["kg_tmr"].sum()
        risk = risk.assign(quantity=risk["country"].map(tmr))
        risk = risk.assign(exposure=risk["quantity"] * risk["weight"])
    vd.tables["risk"] = risk
    vd.notes.extend(list(dict.fromkeys(prov.notes + prov2.notes)))
    vd.notes.append(f"Risk weights {year}: governance = WGI_EU/10, disruption = expected fraction of "
                    "output disrupted per year by recorded events (10-year window), combined = mean.")
    vd.ledger_ids = {int(e["ledger_id"]) for e in prov.ledger + prov2.ledger}
    return vd


def mrio_options(wh: Warehouse) -> dict[str, Any]:
    """MRIOs in the warehouse and, for the first, regions, sectors and extensions."""
    from reslog.services import mrio

    names = mrio.list_mrios(wh)["mrio"].tolist()
    return {"mrios": names}


def mrio_exposure_data(wh: Warehouse, name: str | None, region: str | None, sector: str | None,
                       extension: str | None) -> ViewData:
    """Footprint of a region's final demand (or one unit of a sector's output) by origin region
    and sector (:func:`reslog.services.mrio.footprint_by_origin`, as ``GET /api/mrio/...``)."""
    from reslog.services import mrio

    names = mrio.list_mrios(wh)["mrio"].tolist()
    vd = ViewData(params={"mrios": names})
    if not names:
        vd.error = ("the warehouse holds no multi-regional input-output table; ingest one "
                    "(reslog ingest mrio PATH: WIOD, EXIOBASE, a pymrio folder) to see country and "
                    "sector exposure")
        return vd
    name = name if name in names else names[0]
    try:
        m, prov = mrio.load(wh, name)
        d = mrio.describe(m)
        region = region if region in d["regions"] else d["regions"][0]
        sector = sector if sector in d["sectors"] else None
        exts = list(d["extensions"])
        extension = extension if extension in exts else next((e for e in exts if e != "factor_inputs"), exts[0])
        out = mrio.footprint_by_origin(m, region, extension, sector=sector)
    except ReslogError as e:
        vd.error = str(e)
        return vd
    vd.params.update(mrio=name, region=region, sector=sector, extension=extension, regions=d["regions"],
                     sectors=d["sectors"], extensions=exts, unit=d.get("unit"))
    vd.tables["by_origin_sector"] = out["by_origin_sector"]
    vd.tables["by_origin_region"] = pd.DataFrame(out["by_origin_region"])
    vd.tables["totals"] = pd.DataFrame(out["totals"])
    vd.notes.append("Footprint f = S·L·y by origin: D_o[k, i] = S_ki (L y)_i (docs/io.md).")
    vd.ledger_ids = {int(e["ledger_id"]) for e in prov.ledger}
    return vd


# ----------------------------------------------------------------------------- criticality


def criticality_data(wh: Warehouse) -> ViewData:
    """EU-method criticality and the matrix points (:func:`reslog.services.criticality.criticality`:
    computed SR/EI where every input is cited, else published EU values)."""
    from reslog.services.criticality import criticality

    vd = ViewData()
    try:
        crit, points, prov = criticality(wh)
    except ReslogError as e:
        vd.error = str(e)
        return vd
    vd.tables["matrix"] = points
    if "sr_upper" not in crit.columns and {"sr_computed", "sr_gap"} <= set(crit.columns):
        # the criticality table now gives SR with its gap (ROW / producers without WGI left out):
        # the true SR lies in [sr_computed, sr_computed + sr_gap]; the bar shows the upper end
        crit = crit.assign(sr_upper=crit["sr_computed"] + crit["sr_gap"].fillna(0.0))
    if "hhi_wgi" not in crit.columns and "hhi_wgi_gs" in crit.columns:  # global-supply HHI-WGI
        crit = crit.assign(hhi_wgi=crit["hhi_wgi_gs"])
    if "year" not in crit.columns and "years" in crit.columns:
        crit = crit.assign(year=crit["years"])
    cols = ["commodity", "stage", "year", "hhi", "hhi_wgi", "hhi_wgi_gs", "import_reliance", "sr",
            "sr_computed", "sr_gap", "sr_upper", "ei",
            "sr_published_latest", "sr_published_assessment"]
    vd.tables["criticality"] = crit[[c for c in cols if c in crit.columns]]
    vd.notes.extend(prov.notes + [f"{f['file']}: {f['cites']}" for f in prov.packaged])
    vd.ledger_ids = {int(e["ledger_id"]) for e in prov.ledger}
    return vd


# ----------------------------------------------------------------------------- events


def event_options(wh: Warehouse) -> dict[str, list[str]]:
    """Distinct event types, commodities and countries of the warehouse events."""
    q = wh.query("SELECT DISTINCT event_type, commodity, country FROM risk_events")
    return {k: sorted(str(x) for x in q[k].dropna().unique()) for k in ("event_type", "commodity", "country")}


def events_data(wh: Warehouse, *, event_type: str | None = None, commodity: str | None = None,
                country: str | None = None, date_from: str | None = None, date_to: str | None = None,
                extra: pd.DataFrame | None = None) -> ViewData:
    """Warehouse risk events (plus ``extra`` rows, e.g. the organisation's own events visible to
    the caller) filtered by type, commodity, country and date; newest first."""
    vd = ViewData(params={"type": event_type, "commodity": commodity, "country": country,
                          "from": date_from, "to": date_to})
    ev = wh.query("SELECT * FROM risk_events")
    ev["visibility"] = "public"
    if extra is not None and len(extra):
        ev = pd.concat([ev, extra], ignore_index=True)
    ev["start_time"] = pd.to_datetime(ev["start_time"], errors="coerce")
    m = pd.Series(True, index=ev.index)
    if event_type:
        m &= ev["event_type"] == event_type
    if commodity:
        m &= ev["commodity"] == commodity
    if country:
        m &= ev["country"] == country
    if date_from:
        m &= ev["start_time"] >= pd.Timestamp(date_from)
    if date_to:
        m &= ev["start_time"] <= pd.Timestamp(date_to) + pd.Timedelta(days=1)
    out = ev[m].sort_values("start_time", ascending=False).reset_index(drop=True)
    vd.tables["events"] = out
    vd.ledger_ids = _ledger_ids(out)
    return vd


# ----------------------------------------------------------------------------- shock


def shock_mines(wh: Warehouse) -> pd.DataFrame:
    """Mines a shock can be run for (the warehouse ``mine_sites`` table)."""
    return wh.query("SELECT mine_id, name, country, commodities FROM mine_sites ORDER BY country, name")


def shock_country_options(wh: Warehouse) -> pd.DataFrame:
    """Country × commodity pairs with reported mine production (for the country shock)."""
    return wh.query("SELECT DISTINCT country, commodity FROM production WHERE stage = 'mine' AND quantity IS NOT NULL "
                    "AND NOT coalesce(estimated, false) AND country NOT IN ('WLD', 'ROW') ORDER BY 2, 1")


def shock_data(wh: Warehouse, months: float, *, mine_id: str | None = None, country: str | None = None,
               commodity: str | None = None, fraction: float = 1.0) -> ViewData:
    """A mine stops, or ``fraction`` of a country's mine output of ``commodity`` is lost, for
    ``months``: the cut and the loss of each consuming country
    (:func:`reslog.services.shock.mine_shock` / :func:`reslog.services.shock.country_shock`)."""
    from reslog.services import shock

    vd = ViewData(params={"mine": mine_id, "country": country, "commodity": commodity,
                          "months": months, "fraction": fraction})
    try:
        if mine_id:
            out, prov = shock.mine_shock(wh, mine_id, months)
        else:
            out, prov = shock.country_shock(wh, str(country), str(commodity), months, fraction=fraction)
    except ReslogError as e:
        vd.error = str(e)
        return vd
    vd.tables["consumers"] = out["consumers"]
    vd.tables["cut"] = pd.DataFrame([{
        "mine_id": mine_id, "origin": out["origin"], "commodity": out["commodity"], "months": out["months"],
        "fraction": fraction if not mine_id else None, "lost_tonnes": out["lost_tonnes"],
        "share_world_pct": 100 * out["share_world"], "share_country_pct": 100 * out["share_country"]}])
    if out.get("sectors") is not None:
        vd.tables["sectors"] = out["sectors"]
    vd.notes.extend(out["notes"] + [f"{f['file']}: {f['cites']}" for f in prov.packaged])
    vd.ledger_ids = {int(e["ledger_id"]) for e in prov.ledger}
    return vd


# ----------------------------------------------------------------------------- provenance


def provenance_data(wh: Warehouse, ids: list[int] | None = None) -> ViewData:
    """The warehouse ledger (every ingest: source, version, licence, sha256, rows), optionally
    only the entries ``ids``, with the tables each entry wrote."""
    from reslog.store.tables import all_tables

    led = wh.ledger()
    counts = []
    for name in all_tables():
        if name == "ledger":
            continue
        try:
            q = wh.query(f'SELECT ledger_id, count(*) AS n FROM "{name}" GROUP BY 1')
        except Exception:  # noqa: BLE001 - a table without ledger_id (reference tables)
            continue
        q["table"] = name
        counts.append(q)
    tabs = pd.concat(counts, ignore_index=True) if counts else pd.DataFrame(columns=["ledger_id", "n", "table"])
    per = tabs.dropna(subset=["ledger_id"]).groupby("ledger_id").apply(
        lambda g: ", ".join(f"{t} {n:,}" for t, n in zip(g["table"], g["n"])), include_groups=False)
    led["tables"] = led["ledger_id"].map(per)
    if ids:
        led = led[led["ledger_id"].isin(ids)]
    vd = ViewData(params={"ids": ids or []})
    vd.tables["ledger"] = led.reset_index(drop=True)
    vd.ledger_ids = {int(i) for i in led["ledger_id"]}
    return vd


# ----------------------------------------------------------------------------- imagery hotspots


def hotspot_points(wh: Warehouse) -> pd.DataFrame:
    """ASGM hotspots detected in imagery (``asgm`` risk events with a location, as written by
    ``reslog imagery detect --ingest`` / :func:`reslog.intel.imagery.service.ingest_hotspots`)."""
    return wh.query("SELECT event_id, start_time, country, mine_id, commodity, severity, confidence, "
                    "title, lat, lon, source, ledger_id FROM risk_events WHERE event_type = 'asgm' "
                    "AND lat IS NOT NULL AND lon IS NOT NULL ORDER BY start_time DESC")


# ----------------------------------------------------------------------------- sites


def org_sites(wh: Warehouse, org_id: int | None) -> pd.DataFrame:
    """Monitoring sites owned by ``org_id`` (none for anonymous callers: sites are private)."""
    if org_id is None:
        return pd.DataFrame(columns=["site_id", "name", "org_id", "mine_id", "lat", "lon", "country"])
    s = wh.query("SELECT * FROM monitoring_sites")
    s = s[s["org_id"].notna()]
    return s[s["org_id"].astype(int) == int(org_id)].sort_values("site_id").reset_index(drop=True)


def site_data(wh: Warehouse, store: Any, org_id: int | None, site: str | None, sensor: str | None,
              parameter: str | None, date: str | None) -> ViewData:
    """One site of the caller's organisation: per-sensor status (readings, QC flags, GISTM
    level, early-warning state), the chosen sensor's series with its guideline limits, the
    exceedance and trigger episodes, and the heat map of one parameter on one day — through
    :mod:`reslog.intel.monitoring.analysis` / :mod:`reslog.intel.monitoring.heatmap` (as
    ``reslog sites status|warn|heatmap``)."""
    from reslog.intel.monitoring.analysis import (early_warning, evaluate_triggers, find_exceedances,
                                                  guideline_table)
    from reslog.intel.monitoring.heatmap import heatmap_for_site
    from reslog.intel.monitoring.registry import Registry
    from reslog.model.monitoring.qc import BAD, describe_flags

    sites = org_sites(wh, org_id)
    vd = ViewData(params={"sites": sites})
    if org_id is None:
        vd.error = "login"
        return vd
    if sites.empty:
        vd.error = ("your organisation has no monitored site; register one with `reslog sites register "
                    "--sites SITES.csv --sensors SENSORS.csv` (org_id = your organisation) and ingest readings")
        return vd
    site = site if site in set(sites["site_id"]) else str(sites["site_id"].iloc[0])
    reg = Registry.from_warehouse(wh)
    sens = reg.sensors_of(site)
    sensor = sensor if sensor in sens.index else (str(sens.index[0]) if len(sens) else None)
    vd.params.update(site=site, sensor=sensor, site_row=reg.site(site).to_dict(),
                     sensors=list(sens.index))
    df = store.query(site)
    last = df.groupby("sensor_id")["time"].max() if len(df) else pd.Series(dtype="datetime64[ns]")
    cur, eps = evaluate_triggers(store, reg, site)
    lev = dict(zip(cur["sensor_id"], cur["level"])) if len(cur) else {}
    ew = early_warning(store, reg, site)
    ews = dict(zip(ew["sensor_id"], ew["state"])) if len(ew) else {}
    n = df.groupby("sensor_id").size() if len(df) else pd.Series(dtype=int)
    bad = df[(df["qc_flags"] & BAD) != 0].groupby("sensor_id").size() if len(df) else pd.Series(dtype=int)
    vd.tables["sensors"] = pd.DataFrame({
        "sensor_id": sens.index, "parameter": sens["parameter"].to_numpy(), "unit": sens["unit"].to_numpy(),
        "readings": [int(n.get(s, 0)) for s in sens.index],
        "flagged": [int(bad.get(s, 0)) for s in sens.index],
        "last_reading": [last.get(s) for s in sens.index],
        "gistm_level": [lev.get(s) for s in sens.index],
        "warning_state": [ews.get(s) for s in sens.index],
        "guideline_sets": sens["guideline_sets"].to_numpy()})
    exc = find_exceedances(store, reg, site)
    vd.tables["exceedances"] = exc
    vd.tables["triggers"] = eps
    vd.tables["warning"] = ew
    if sensor is not None:
        s = sens.loc[sensor]
        r = df[df["sensor_id"] == sensor][["time", "value", "qc_flags"]].reset_index(drop=True)
        r["qc"] = [", ".join(describe_flags(int(f))) for f in r["qc_flags"]]
        vd.tables["readings"] = r
        sets = [x.strip() for x in str(s["guideline_sets"] or "").split(";") if x.strip()]
        g = guideline_table(reg)
        vd.tables["limits"] = g[g["set_id"].isin(sets) & (g["parameter"] == s["parameter"])].reset_index(drop=True)
        vd.params.update(parameter_of_sensor=s["parameter"],
                         unit_of_sensor=PARAMETER_UNITS.get(str(s["parameter"]), str(s["unit"])),
                         amber=s.get("trigger_amber"), red=s.get("trigger_red"), basis=s.get("trigger_basis"))
    located = sens[sens["lat"].notna()]
    counts = located.groupby("parameter").size()
    params = sorted(counts[counts >= 2].index)
    parameter = parameter if parameter in params else (params[0] if params else None)
    days = sorted({str(d) for d in pd.to_datetime(df["time"]).dt.strftime("%Y-%m-%d")}) if len(df) else []
    date = date if date in days else (days[-1] if days else None)
    vd.params.update(heat_parameters=params, parameter=parameter, days=days, date=date)
    if parameter and date:
        try:
            hm = heatmap_for_site(store, reg, site, parameter, date, resolution=80)
        except ReslogError as e:
            vd.notes.append(f"heat map: {e}")
        else:
            vd.params["heatmap"] = hm
            vd.tables["heatmap_points"] = hm.points.assign(parameter=parameter, unit=hm.unit, date=date,
                                                           method=hm.surface.method)
    vd.ledger_ids = _ledger_ids(sites[sites["site_id"] == site], reg.sensors_of(site))
    vd.notes.append("QC flags, exceedances, GISTM levels and early warning as `reslog sites qc|warn|status` "
                    "compute them (docs/monitoring.md); flagged readings are shown but never used.")
    src = str(vd.params["site_row"].get("source") or "")
    if "simulated" in src:
        vd.notes.append(f"This site's readings are {src}.")
    return vd


def _parameter_units() -> dict[str, str]:
    from reslog.intel.monitoring.parameters import PARAMETERS

    return {k: p.unit for k, p in PARAMETERS.items()}


PARAMETER_UNITS = _parameter_units()


# ----------------------------------------------------------------------------- scenarios


def scenario_data(wh: Warehouse) -> ViewData:
    """Low-carbon metal demand to 2050 against today's supply (stock-flow,
    :func:`reslog.jobs.scenario.run_demand`) and world trade per product under the two scenarios
    (:func:`reslog.jobs.scenario.run_trade`), as ``reslog scenario demand|trade``."""
    from reslog.jobs import scenario as J

    vd = ViewData(params={"labels": J.SCENARIO_LABELS})
    try:
        d = J.run_demand(wh)
    except ReslogError as e:
        vd.params["demand_error"] = (f"{e} — ingest world mine production (`reslog ingest usgs FILE`) "
                                     "or run `reslog scenario load`")
    else:
        vd.tables["comparison"] = d.comparison
        vd.tables["demand"] = d.demand
        vd.tables["balance"] = d.balance
        vd.params["max_residual"] = float(d.balance["max_relative_residual"].max())
        vd.notes.append("Deployment, intensities, lifetimes and recycling: the shipped, cited inputs "
                        f"{', '.join(sorted(str(p.name) for p in d.inputs.values()))} (docs/scenario.md).")
    try:
        t = J.run_trade(wh, with_gbm=False)
    except ReslogError as e:
        vd.params["trade_error"] = (f"{e}. Trade projections need BACI trade of the seed products and the "
                                    "GHG, GDP and population series: run `reslog scenario load` (reads "
                                    "../shared/data) or `reslog ingest baci FOLDER` and the World Bank / OWID "
                                    "series (docs/scenario.md).")
    else:
        vd.tables["projection"] = t.projection
        vd.tables["history"] = t.history
        vd.tables["skill"] = t.skill
        vd.notes.extend(t.notes)
    ledger = wh.query("SELECT ledger_id FROM production WHERE quantity IS NOT NULL")
    vd.ledger_ids = _ledger_ids(ledger) if "comparison" in vd.tables else set()
    return vd
