"""Dashboard pages: one route per view, state in the query string, ``?download=<table>`` for CSV.

Routes fetch data through :mod:`reslog.web.queries` (library calls), draw charts with
:mod:`reslog.figures` (the same functions the HTML report uses) and render Jinja templates. No
analysis here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from reslog.api.deps import get_reader, get_settings, optional_platform_db, optional_principal
from reslog.api.settings import Settings
from reslog.store.warehouse import Warehouse
from reslog.web import platform_bridge as pb
from reslog.web import queries as q
from reslog.web.context import PageContext, figure_json, request_lang
from reslog.web.format import Col, csv_bytes, html_table
from reslog.web.i18n import COOKIE, Translator

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


def _ctx(request: Request, view: str, settings: Settings, principal: Any) -> PageContext:
    lang = request_lang(request, settings.lang_default)
    return PageContext(request, view, lang, Translator(lang), principal, pb.csrf(request))


def _memo(request: Request, name: str, compute: Any, *params: Any) -> Any:
    """Public view data (or a drawn figure) computed once per warehouse version and parameters
    (the API's response cache, :class:`reslog.api.caching.ResponseCache`); pages never mutate it."""
    cache = getattr(request.app.state, "response_cache", None)
    hub = getattr(request.app.state, "hub", None)
    if cache is None or hub is None:
        return compute()
    return cache.memo(("web", name, hub.version, *params), compute)


def _render(ctx: PageContext, template: str, **extra: Any) -> Response:
    resp = TEMPLATES.TemplateResponse(ctx.request, template, {**ctx.as_dict(), **extra})
    if ctx.request.query_params.get("lang") == ctx.lang:
        resp.set_cookie(COOKIE, ctx.lang, max_age=365 * 86400, samesite="lax", httponly=False)
    return resp


def _csv(request: Request, vd: q.ViewData, view: str) -> Response | None:
    name = request.query_params.get("download")
    if not name:
        return None
    if name not in vd.tables:
        from reslog.api.problems import ProblemError

        raise ProblemError(422, "Unknown table", f"this view has the tables {sorted(vd.tables)}",
                           errors=[{"field": "download", "message": f"unknown table {name!r}"}])
    fname = f"reslog-{view}-{name}.csv"
    return Response(csv_bytes(vd.tables[name]), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{fname}"'})


@router.get("/")
def home(request: Request) -> RedirectResponse:
    qs = request.url.query
    return RedirectResponse("/map" + (f"?{qs}" if qs else ""), status_code=307)


# ----------------------------------------------------------------------------- world map


@router.get("/map")
def world_map(request: Request, commodity: str = Query("copper", max_length=40),
              stage: str | None = Query(None, max_length=20),
              indicator: str = Query("share", pattern="^(" + "|".join(q.MAP_INDICATORS) + ")$"),
              hotspots: int = Query(1, ge=0, le=1),
              wh: Warehouse = Depends(get_reader), settings: Settings = Depends(get_settings),
              principal: Any = optional_principal()) -> Response:
    from reslog.figures.geo import countries_geojson
    from reslog.figures.world_map import world_map_figure

    ctx = _ctx(request, "map", settings, principal)
    t = ctx.t
    opts = q.production_options(wh)
    vd = _memo(request, "map", lambda: q.world_map_data(wh, commodity, stage, indicator), commodity, stage, indicator)
    hs = _memo(request, "map-hotspots", lambda: q.hotspot_points(wh))
    if vd.error is None and "hotspots" not in vd.tables:
        vd.tables["hotspots"] = hs
    if (r := _csv(request, vd, "map")) is not None:
        return r
    ctx.ledger_ids = sorted(vd.ledger_ids)
    fig = table = mines = events = None
    kpis: list[tuple[str, str]] = []
    if vd.error is None:
        c = vd.tables["countries"]
        col = vd.params["value_column"]
        pts = []
        for r in vd.tables["mines"].itertuples():
            pts.append({"lat": r.lat, "lon": r.lon, "kind": "mine",
                        "label": f"{r.name} ({t.country(r.country)})<br>{r.commodities} · {r.status or ''}"})
        for r in vd.tables["events"].itertuples():
            pts.append({"lat": r.lat, "lon": r.lon, "kind": "event",
                        "label": f"{pd.Timestamp(r.start_time):%Y-%m-%d} {t.event_type(r.event_type)}<br>{r.title}"})
        if hotspots:
            for r in hs.itertuples():
                pts.append({"lat": r.lat, "lon": r.lon, "kind": "hotspot",
                            "label": f"{pd.Timestamp(r.start_time):%Y-%m-%d} {t('map.points.hotspot')} "
                                     f"({t.country(r.country) if isinstance(r.country, str) else '?'})<br>{r.title}"})
        fig = _memo(request, "map-fig", lambda: figure_json(world_map_figure(
            c.rename(columns={col: "value"})[["country", "value"]], countries_geojson(),
            points=pd.DataFrame(pts) if pts else None, value_label=t(f"map.ind.{indicator}"),
            names=t.names(c["country"]),
            point_names={"mine": t("map.points.mine"), "event": t("map.points.event"),
                         "hotspot": t("map.points.hotspot")},
            colorscale="Blues" if indicator in ("share", "hhi_contribution") else "YlOrRd",
            value_format=",.1f" if indicator in ("share", "hhi_contribution", "governance") else ".3f")),
            ctx.lang, commodity, stage, indicator, hotspots)
        qlabel = f"{t('common.quantity')} ({vd.params['unit']})"
        table = html_table(c, [Col("country", "common.country", "country"), Col("quantity", qlabel, "sig"),
                               Col("share_pct", "common.share_pct", "pct1"),
                               Col("wgi_eu", "map.col.wgi_eu", "num2"), Col("disruption", "map.col.disruption", "num3"),
                               Col("combined", "map.col.combined", "num3")],
                           t, name="countries", download_url=ctx.download_url("countries"))
        top = c.iloc[0] if len(c) else None
        kpis = [(t("map.kpi.hhi"), f"{vd.params['hhi']:,.0f}"),
                (t("map.kpi.top"), f"{t.country(top['country'])} {top['share_pct']:.1f}%" if top is not None else "—"),
                (t("map.kpi.year"), str(vd.params["year"])),
                (t("map.kpi.mines"), f"{len(vd.tables['mines'])} / {len(vd.tables['events'])}")]
        events = html_table(vd.tables["events"], [Col("start_time", "events.col.date", "date"),
                                                  Col("event_type", "events.type", "event_type"),
                                                  Col("country", "common.country", "country"),
                                                  Col("title", "events.col.title"),
                                                  Col("severity", "events.severity", "num2")],
                            t, name="events", download_url=ctx.download_url("events"), limit=8)
        mines = ctx.download_url("mines")
        kpis.append((t("map.kpi.hotspots"), f"{len(hs)}" if hotspots else t("map.hotspots.hidden")))
    commodities = sorted(set(opts["commodity"]))
    return _render(ctx, "map.html", vd=vd, fig=fig, table=table, events=events, mines_url=mines,
                   hotspots=hotspots, n_hotspots=len(hs), hotspots_url=ctx.download_url("hotspots"),
                   kpis=kpis, commodities=commodities, indicators=q.MAP_INDICATORS,
                   commodity=commodity, indicator=indicator, stages=vd.params.get("stages", []),
                   stage=vd.params.get("stage"))


# ----------------------------------------------------------------------------- flows


@router.get("/flows")
def flows(request: Request, metal: str = Query("chromium", max_length=40),
          year: int | None = Query(None, ge=1900, le=2100), top: int = Query(10, ge=2, le=30),
          wh: Warehouse = Depends(get_reader), settings: Settings = Depends(get_settings),
          principal: Any = optional_principal()) -> Response:
    from reslog.figures.flows import flows_figure

    ctx = _ctx(request, "flows", settings, principal)
    t = ctx.t
    vd = _memo(request, "flows", lambda: q.flows_data(wh, metal, year, top), metal, year, top)
    if (r := _csv(request, vd, "flows")) is not None:
        return r
    ctx.ledger_ids = sorted(vd.ledger_ids)
    fig = table = None
    if vd.error is None:
        links = vd.tables["links"]
        codes = set(links["origin"]) | set(links["via"]) | set(links["consumer"])
        fig = figure_json(flows_figure(links, names=t.names(codes)))
        table = html_table(links.sort_values("quantity_t", ascending=False),
                           [Col("origin", "flows.col.origin", "country"), Col("via", "flows.col.via", "country"),
                            Col("consumer", "flows.col.consumer", "country"),
                            Col("quantity_t", "flows.col.quantity_t", "int")],
                           t, name="links", download_url=ctx.download_url("links"), limit=30)
    metals = sorted(set(q.production_options(wh)["commodity"]))
    return _render(ctx, "flows.html", vd=vd, fig=fig, table=table, metals=metals, metal=metal,
                   years=vd.params.get("years", []), year=vd.params.get("year"), top=top)


# ----------------------------------------------------------------------------- exposure


@router.get("/exposure")
def exposure(request: Request, kind: str = Query("product", pattern="^(product|mrio)$"),
             product: str = Query("bev", max_length=40),
             basis: str = Query("kg_metal", pattern="^(kg_metal|kg_tmr)$"),
             mrio: str | None = Query(None, max_length=200), region: str | None = Query(None, max_length=80),
             sector: str | None = Query(None, max_length=200), extension: str | None = Query(None, max_length=80),
             wh: Warehouse = Depends(get_reader), settings: Settings = Depends(get_settings),
             principal: Any = optional_principal()) -> Response:
    from reslog.figures.exposure import origin_breakdown_figure

    ctx = _ctx(request, "exposure", settings, principal)
    t = ctx.t
    products = q.product_options()
    common = {"products": list(products.itertuples(index=False)), "product": product, "basis": basis, "kind": kind}
    if kind == "mrio":
        vd = _memo(request, "mrio", lambda: q.mrio_exposure_data(wh, mrio, region, sector, extension), mrio, region, sector, extension)
        if (r := _csv(request, vd, "exposure")) is not None:
            return r
        ctx.ledger_ids = sorted(vd.ledger_ids)
        fig = table = None
        kpis: list[tuple[str, str]] = []
        if vd.error is None:
            long = vd.tables["by_origin_sector"]
            stressor = long["stressor"].iloc[0] if len(long) else ""
            one = long[long["stressor"] == stressor].rename(columns={"origin_region": "country",
                                                                     "origin_sector": "risk_type"})
            fig = figure_json(origin_breakdown_figure(one, value="value", value_label=f"{vd.params['extension']} · {stressor}"))
            br = vd.tables["by_origin_region"]
            br1 = br[br["stressor"] == stressor].sort_values("value", ascending=False)
            table = html_table(br, [Col("stressor", "exposure.col.stressor"), Col("origin_region", "exposure.col.origin_region"),
                                    Col("value", "exposure.col.value", "sig"), Col("share", "common.share_pct", "frac_pct")],
                               t, name="by_origin_region", download_url=ctx.download_url("by_origin_region"))
            tot = vd.tables["totals"]
            kpis = [(f"{t('exposure.kpi.total')} ({stressor})", f"{float(tot.iloc[0]['value']):,.4g}"),
                    (t("exposure.kpi.top"), f"{br1.iloc[0]['origin_region']} {100 * br1.iloc[0]['share']:.1f}%")]
        return _render(ctx, "exposure.html", vd=vd, fig_o=fig, fig_r=None, table=table, kpis=kpis,
                       risk_url=None, **common)
    vd = _memo(request, "exposure", lambda: q.exposure_data(wh, product, basis), product, basis)
    if (r := _csv(request, vd, "exposure")) is not None:
        return r
    ctx.ledger_ids = sorted(vd.ledger_ids)
    fig_o = fig_r = table = None
    kpis = []
    if vd.error is None:
        o = vd.tables["origins"]
        risk = vd.tables["risk"]
        names = t.names(o["country"])
        metals = {m: t.commodity(m) for m in o["metal"].unique()}
        fig_o, fig_r = _memo(request, "exposure-fig", lambda: (figure_json(origin_breakdown_figure(
            o.rename(columns={"metal": "risk_type"}), value=basis, names=names, risk_names=metals,
            value_label=t(f"exposure.basis.{basis}"))), figure_json(origin_breakdown_figure(
                risk, value="exposure", names=names, risk_names={k: t(f"risk.{k}") for k in q.RISK_TYPES},
                value_label=t("exposure.col.exposure"), barmode="group"))), ctx.lang, product, basis)
        by = o.groupby("country", as_index=False)[["kg_metal", "kg_tmr"]].sum()
        by["share_pct"] = 100 * by[basis] / by[basis].sum()
        by = by.sort_values(basis, ascending=False)
        table = html_table(by, [Col("country", "common.country", "country"),
                                Col("kg_metal", "exposure.col.kg_metal", "num2"),
                                Col("kg_tmr", "exposure.col.kg_tmr", "num1"),
                                Col("share_pct", "common.share_pct", "pct1")],
                           t, name="origins", download_url=ctx.download_url("origins"), limit=25)
        kpis = [(t("exposure.kpi.total"), f"{o[basis].sum():,.1f} kg"),
                (t("exposure.kpi.countries"), str(o["country"].nunique())),
                (t("exposure.kpi.top"), f"{t.country(by.iloc[0]['country'])} {by.iloc[0]['share_pct']:.1f}%")]
    return _render(ctx, "exposure.html", vd=vd, fig_o=fig_o, fig_r=fig_r, table=table, kpis=kpis,
                   risk_url=ctx.download_url("risk"), **common)


# ----------------------------------------------------------------------------- criticality


@router.get("/criticality")
def criticality(request: Request, wh: Warehouse = Depends(get_reader),
                settings: Settings = Depends(get_settings), principal: Any = optional_principal()) -> Response:
    from reslog.figures.criticality import matrix_figure, sr_bound_figure

    ctx = _ctx(request, "criticality", settings, principal)
    t = ctx.t
    vd = _memo(request, "criticality", lambda: q.criticality_data(wh))
    if (r := _csv(request, vd, "criticality")) is not None:
        return r
    ctx.ledger_ids = sorted(vd.ledger_ids)
    fig = table = points = bounds = None
    if vd.error is None:
        m = vd.tables["matrix"]
        labels = {k: t(f"crit.{k}") for k in ("critical", "not_critical", "x", "y", "not_placed", "computed",
                                              "published")}
        fig, bounds = _memo(request, "crit-fig", lambda: (
            figure_json(matrix_figure(m, labels=labels, names={c: t.commodity(c) for c in m["commodity"]})
                        .update_layout(height=560, margin={"l": 60, "r": 20, "t": 20, "b": 90})),
            figure_json(sr_bound_figure(vd.tables["criticality"], x_label=t("crit.col.sr_upper"),
                                        stage_names={x: t.get(f"map.stage.{x}", x) for x in ("refined", "smelter", "extraction",
                                                                                       "processing")},
                                        names={c: t.commodity(c) for c in vd.tables["criticality"]["commodity"]}))),
            ctx.lang)
        points = html_table(m.dropna(subset=["sr", "ei"]).sort_values("sr", ascending=False),
                            [Col("commodity", "common.commodity", "commodity"), Col("sr", "crit.col.sr", "num2"),
                             Col("ei", "crit.col.ei", "num2"), Col("basis", "crit.col.basis")],
                            t, name="matrix", download_url=ctx.download_url("matrix"))
        table = html_table(vd.tables["criticality"].sort_values("hhi_wgi", ascending=False),
                           [Col("commodity", "common.commodity", "commodity"), Col("stage", "crit.col.stage", "stage"),
                            Col("year", "common.year"), Col("hhi", "crit.col.hhi", "int"),
                            Col("hhi_wgi", "crit.col.hhi_wgi", "num2"),
                            Col("import_reliance", "crit.col.import_reliance", "num2"),
                            Col("sr", "crit.col.sr", "num2"), Col("sr_upper", "crit.col.sr_upper", "num2"),
                            Col("ei", "crit.col.ei", "num2"),
                            Col("sr_published_latest", "crit.col.sr_published_latest", "num2")],
                           t, name="criticality", download_url=ctx.download_url("criticality"))
    return _render(ctx, "criticality.html", vd=vd, fig=fig, table=table, points=points, bounds=bounds)


# ----------------------------------------------------------------------------- events


@router.get("/events")
def events(request: Request, type: str | None = Query(None, max_length=40),  # noqa: A002 - URL name
           commodity: str | None = Query(None, max_length=40), country: str | None = Query(None, max_length=3),
           date_from: str | None = Query(None, alias="from", pattern=r"^(\d{4}-\d{2}-\d{2})?$"),
           date_to: str | None = Query(None, alias="to", pattern=r"^(\d{4}-\d{2}-\d{2})?$"),
           wh: Warehouse = Depends(get_reader), settings: Settings = Depends(get_settings),
           principal: Any = optional_principal(), db: Any = optional_platform_db()) -> Response:
    from reslog.figures.events import events_timeline_figure

    ctx = _ctx(request, "events", settings, principal)
    t = ctx.t
    org = pb.org_events(db, principal, event_type=type or None, commodity=commodity or None,
                        country=country or None)
    vd = q.events_data(wh, event_type=type or None, commodity=commodity or None, country=country or None,
                       date_from=date_from or None, date_to=date_to or None, extra=org)
    if (r := _csv(request, vd, "events")) is not None:
        return r
    ctx.ledger_ids = sorted(vd.ledger_ids)
    ev = vd.tables["events"]
    fig = figure_json(events_timeline_figure(ev, type_names={e: t.event_type(e) for e in ev["event_type"].unique()},
                                             names=t.names(ev["country"].dropna().unique()),
                                             severity_label=t("events.severity"))) if len(ev) else None
    alerts = pb.watchlist_alerts(db, wh, principal)
    opts = q.event_options(wh)
    return _render(ctx, "events.html", vd=vd, fig=fig, events=ev.head(100).to_dict(orient="records"),
                   total=len(ev), opts=opts, alerts=alerts, sel={"type": type or "", "commodity": commodity or "",
                   "country": country or "", "from": date_from or "", "to": date_to or ""},
                   watch_url=pb.WATCHLIST_URL if pb.can_edit(principal) else None,
                   download=ctx.download_url("events"), fmt_date=lambda v: "" if pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d}")


# ----------------------------------------------------------------------------- shock


@router.get("/shock")
def shock(request: Request, mine: str | None = Query(None, max_length=80),
          country: str | None = Query(None, max_length=3), commodity: str | None = Query(None, max_length=40),
          fraction: float = Query(1.0, gt=0, le=1), months: float = Query(12.0, gt=0, le=120),
          wh: Warehouse = Depends(get_reader), settings: Settings = Depends(get_settings),
          principal: Any = optional_principal()) -> Response:
    from reslog.figures.shock import shock_consumers_figure

    ctx = _ctx(request, "shock", settings, principal)
    t = ctx.t
    mines = q.shock_mines(wh)
    pairs = q.shock_country_options(wh)
    mode = "country" if (country and commodity and not mine) else "mine"
    run = bool(mine) or mode == "country"
    vd = (_memo(request, "shock", lambda: q.shock_data(wh, months, mine_id=mine or None, country=country,
                                                     commodity=commodity, fraction=fraction),
                mine, country, commodity, fraction, months)
          if run else q.ViewData(params={"months": months}))
    if (r := _csv(request, vd, "shock")) is not None:
        return r
    ctx.ledger_ids = sorted(vd.ledger_ids)
    fig = table = None
    kpis: list[tuple[str, str]] = []
    if run and vd.error is None:
        cons = vd.tables["consumers"]
        cut = vd.tables["cut"].iloc[0]
        kpis = [(t("shock.kpi.lost"), f"{cut['lost_tonnes']:,.0f} t {t.commodity(cut['commodity'])}"),
                (t("shock.kpi.world"), f"{cut['share_world_pct']:.2f}%"),
                (t("shock.kpi.country"), f"{cut['share_country_pct']:.1f}% ({t.country(cut['origin'])})")]
        if len(cons):
            fig = figure_json(shock_consumers_figure(cons, names=t.names(cons["country"]), value_label="t"))
            cons = cons.assign(share_pct=100 * cons["share"])
            table = html_table(cons, [Col("country", "common.country", "country"),
                                      Col("base_tonnes", "shock.col.base_tonnes", "int"),
                                      Col("share_pct", "shock.col.share", "pct1"),
                                      Col("lost_tonnes", "shock.col.lost_tonnes", "int")],
                               t, name="consumers", download_url=ctx.download_url("consumers"))
            top = cons.iloc[0]
            kpis.append((t("shock.kpi.top"), f"{t.country(top['country'])} {top['lost_tonnes']:,.0f} t"))
    countries = sorted(set(pairs["country"]), key=t.country)
    return _render(ctx, "shock.html", vd=vd, fig=fig, table=table, kpis=kpis, run=run, mode=mode,
                   mines=list(mines.itertuples(index=False)), mine=mine, months=months,
                   countries=countries, commodities=sorted(set(pairs["commodity"])),
                   country=country or "", commodity=commodity or "", fraction=fraction)


# ----------------------------------------------------------------------------- provenance


@router.get("/provenance")
def provenance(request: Request, ids: str | None = Query(None, max_length=400, pattern=r"^[0-9,]*$"),
               wh: Warehouse = Depends(get_reader), settings: Settings = Depends(get_settings),
               principal: Any = optional_principal()) -> Response:
    ctx = _ctx(request, "provenance", settings, principal)
    t = ctx.t
    id_list = [int(x) for x in (ids or "").split(",") if x]
    vd = q.provenance_data(wh, id_list)
    if (r := _csv(request, vd, "provenance")) is not None:
        return r
    table = html_table(vd.tables["ledger"], [
        Col("ledger_id", "prov.col.ledger_id"), Col("source", "prov.col.source"), Col("kind", "prov.col.kind"),
        Col("version", "prov.col.version"), Col("licence", "prov.col.licence"),
        Col("citation", "prov.col.citation"), Col("tables", "prov.col.tables"),
        Col("ingested_at", "prov.col.ingested_at", "date"), Col("sha256", "prov.col.sha256", "mono")],
        t, name="ledger", download_url=ctx.download_url("ledger"), limit=None)
    return _render(ctx, "provenance.html", vd=vd, table=table, ids=id_list)


# ----------------------------------------------------------------------------- accounts


@router.get("/login")
def login(request: Request, next: str = Query("/map", max_length=300),  # noqa: A002 - form name
          error: int = Query(0, ge=0, le=1), settings: Settings = Depends(get_settings),
          principal: Any = optional_principal()) -> Response:
    ctx = _ctx(request, "login", settings, principal)
    safe_next = next if next.startswith("/") and not next.startswith("//") else "/map"
    return _render(ctx, "login.html", next=safe_next, failed=bool(error), available=pb.available())


@router.get("/suppliers")
def suppliers(request: Request, wh: Warehouse = Depends(get_reader), settings: Settings = Depends(get_settings),
              principal: Any = optional_principal(), db: Any = optional_platform_db()) -> Response:
    ctx = _ctx(request, "suppliers", settings, principal)
    t = ctx.t
    data = pb.supplier_exposure(db, wh, principal)
    if (r := _csv(request, data, "suppliers")) is not None:
        return r
    ctx.ledger_ids = sorted(data.ledger_ids)
    tables = {}
    if data.error is None:
        if "suppliers" in data.tables:
            tables["suppliers"] = html_table(data.tables["suppliers"], [
                Col("supplier", "sup.col.supplier"), Col("country", "common.country", "country"),
                Col("commodity", "common.commodity", "commodity"), Col("mine", "sup.col.mine"),
                Col("share_world", "common.share_pct", "pct1"), Col("hhi", "crit.col.hhi", "int")],
                t, name="suppliers", download_url=ctx.download_url("suppliers"))
        if "alerts" in data.tables:
            tables["alerts"] = html_table(data.tables["alerts"], [
                Col("start_time", "events.col.date", "date"), Col("event_type", "events.type", "event_type"),
                Col("country", "common.country", "country"), Col("supplier", "sup.col.supplier"),
                Col("title", "events.col.title"), Col("severity", "events.severity", "num2")],
                t, name="alerts", download_url=ctx.download_url("alerts"))
        if "events" in data.tables:
            tables["events"] = html_table(data.tables["events"], [
                Col("start_time", "events.col.date", "date"), Col("event_type", "events.type", "event_type"),
                Col("country", "common.country", "country"), Col("title", "events.col.title"),
                Col("severity", "events.severity", "num2")],
                t, name="events", download_url=ctx.download_url("events"), limit=50)
    return _render(ctx, "suppliers.html", data=data, tables=tables, available=pb.available(),
                   upload_url=pb.UPLOAD_URL, uploaded=request.query_params.get("uploaded") == "1")


# ----------------------------------------------------------------------------- sites


@router.get("/sites")
def sites(request: Request, site: str | None = Query(None, max_length=80),
          sensor: str | None = Query(None, max_length=80), parameter: str | None = Query(None, max_length=40),
          date: str | None = Query(None, pattern=r"^\d{4}-\d{2}-\d{2}$"),
          wh: Warehouse = Depends(get_reader), settings: Settings = Depends(get_settings),
          principal: Any = optional_principal()) -> Response:
    """The caller's organisation's monitored sites (private: anonymous callers see none)."""
    from reslog.figures.sites import heatmap_figure, sensor_series_figure
    from reslog.model.monitoring.qc import BAD
    from reslog.store.readings import ReadingStore, default_readings_root

    ctx = _ctx(request, "sites", settings, principal)
    t = ctx.t
    org = getattr(principal, "org_id", None) if getattr(principal, "user_id", None) is not None else None
    store = ReadingStore(getattr(settings, "readings", None) or default_readings_root(settings.db))
    vd = q.site_data(wh, store, org, site, sensor, parameter, date)
    if (r := _csv(request, vd, "sites")) is not None:
        return r
    ctx.ledger_ids = sorted(vd.ledger_ids)
    figs: dict[str, str] = {}
    tables: dict[str, Any] = {}
    kpis: list[tuple[str, str]] = []
    if vd.error is None:
        p = vd.params
        st = vd.tables["sensors"]
        tables["sensors"] = html_table(st, [
            Col("sensor_id", "sites.col.sensor"), Col("parameter", "sites.col.parameter"), Col("unit", "common.unit"),
            Col("readings", "sites.col.readings", "int"), Col("flagged", "sites.col.flagged", "int"),
            Col("last_reading", "sites.col.last", "datetime"), Col("warning_state", "sites.col.warning", "state"),
            Col("gistm_level", "sites.col.gistm", "state")], t, name="sensors", download_url=ctx.download_url("sensors"))
        if "readings" in vd.tables:
            rd = vd.tables["readings"]
            trig = {"amber": p.get("amber"), "red": p.get("red")} if isinstance(p.get("basis"), str) and p["basis"] == "level" else {}
            figs["series"] = figure_json(sensor_series_figure(
                rd, vd.tables.get("limits"), unit=p.get("unit_of_sensor", ""),
                bad_mask=(rd["qc_flags"] & BAD).to_numpy() != 0,
                triggers={k: float(v) for k, v in trig.items() if v is not None and v == v},
                labels={"clean": t("sites.series.clean"), "flagged": t("sites.series.flagged"),
                        "amber": t("sites.gistm.amber"), "red": t("sites.gistm.red")}))
        exc = vd.tables["exceedances"]
        tables["exceedances"] = html_table(exc, [
            Col("sensor_id", "sites.col.sensor"), Col("parameter", "sites.col.parameter"),
            Col("set_id", "sites.col.guideline"), Col("limit", "sites.col.limit", "sig"), Col("unit", "common.unit"),
            Col("start", "sites.col.start", "datetime"), Col("end", "sites.col.end", "datetime"),
            Col("peak", "sites.col.peak", "sig"), Col("ratio", "sites.col.ratio", "num2"),
            Col("n", "sites.col.n", "int")], t, name="exceedances", download_url=ctx.download_url("exceedances"))
        tables["triggers"] = html_table(vd.tables["triggers"], [
            Col("sensor_id", "sites.col.sensor"), Col("parameter", "sites.col.parameter"),
            Col("level", "sites.col.gistm", "state"), Col("start", "sites.col.start", "datetime"), Col("end", "sites.col.end", "datetime"),
            Col("peak", "sites.col.peak", "sig"), Col("amber", "sites.gistm.amber", "sig"),
            Col("red", "sites.gistm.red", "sig")], t, name="triggers", download_url=ctx.download_url("triggers"))
        tables["warning"] = html_table(vd.tables["warning"], [
            Col("sensor_id", "sites.col.sensor"), Col("state", "sites.col.warning", "state"), Col("hour", "sites.col.last", "datetime"),
            Col("value", "sites.col.value", "sig"), Col("baseline", "sites.col.baseline", "sig"),
            Col("z", "sites.col.z", "num2"), Col("limit", "sites.col.limit", "sig"), Col("set_id", "sites.col.guideline"),
            Col("t_cross", "sites.col.t_cross", "datetime")], t, name="warning", download_url=ctx.download_url("warning"))
        hm = p.get("heatmap")
        if hm is not None:
            figs["heatmap"] = figure_json(heatmap_figure(hm.lon, hm.lat, hm.surface.z, hm.points, unit=hm.unit))
        worst = {"red": 2, "amber": 1, "green": 0}
        lv = [x for x in st["gistm_level"] if isinstance(x, str)]
        kpis = [(t("sites.kpi.sensors"), str(len(st))),
                (t("sites.kpi.readings"), f"{int(st['readings'].sum()):,}"),
                (t("sites.kpi.exceedances"), str(len(exc))),
                (t("sites.kpi.warning"), str(int((st["warning_state"] == "warning").sum() + (st["warning_state"] == "alarm").sum()))),
                (t("sites.kpi.gistm"), t.get(f"sites.state.{max(lv, key=lambda x: worst.get(x, -1))}", "—") if lv else "—")]
    return _render(ctx, "sites.html", vd=vd, figs=figs, tables=tables, kpis=kpis,
                   sites=list(vd.params.get("sites", pd.DataFrame()).itertuples(index=False)),
                   site=vd.params.get("site"), sensors=vd.params.get("sensors", []), sensor=vd.params.get("sensor"),
                   heat_parameters=vd.params.get("heat_parameters", []), parameter=vd.params.get("parameter"),
                   days=vd.params.get("days", []), date=vd.params.get("date"), available=pb.available())


# ----------------------------------------------------------------------------- scenarios


@router.get("/scenarios")
def scenarios(request: Request, wh: Warehouse = Depends(get_reader), settings: Settings = Depends(get_settings),
              principal: Any = optional_principal()) -> Response:
    """Metal demand of low-carbon technologies to 2050 against today's supply, and trade per
    product to 2050 under the two scenarios."""
    from reslog.figures.scenario import demand_figure, trade_projection_figure

    ctx = _ctx(request, "scenarios", settings, principal)
    t = ctx.t
    vd = _memo(request, "scenarios", lambda: q.scenario_data(wh))
    if (r := _csv(request, vd, "scenarios")) is not None:
        return r
    ctx.ledger_ids = sorted(vd.ledger_ids)
    figs: dict[str, str] = {}
    tables: dict[str, Any] = {}
    kpis: list[tuple[str, str]] = []
    labels = {k: t(f"scn.scenario.{k}") for k in vd.params["labels"]}
    if "comparison" in vd.tables:
        comp = vd.tables["comparison"]
        figs["demand"] = _memo(request, "scn-demand-fig", lambda: figure_json(
            demand_figure(vd.tables["demand"], comp).update_layout(
                title=None, yaxis_title=t("scn.demand.yaxis"), margin={"t": 20})), ctx.lang)
        tables["comparison"] = html_table(comp, [
            Col("commodity", "common.commodity", "commodity"), Col("elements", "scn.col.elements"),
            Col("demand_2030_t", "scn.col.d2030", "sig"), Col("demand_2050_t", "scn.col.d2050", "sig"),
            Col("production_t", "scn.col.production", "sig"), Col("production_year", "common.year", "year"),
            Col("reserves_t", "scn.col.reserves", "sig"),
            Col("demand_2050_over_production", "scn.col.ratio", "num2"),
            Col("cumulative_over_reserves", "scn.col.cum_reserves", "num2"),
            Col("year_demand_exceeds_production", "scn.col.exceeds", "year")],
            t, name="comparison", download_url=ctx.download_url("comparison"))
        over = comp[comp["demand_2050_over_production"] > 1]
        kpis = [(t("scn.kpi.metals"), str(len(comp))), (t("scn.kpi.over"), str(len(over))),
                (t("scn.kpi.balance"), f"{vd.params['max_residual']:.1e}")]
    if "projection" in vd.tables and len(vd.tables["projection"]):
        proj = vd.tables["projection"]
        figs["trade"] = _memo(request, "scn-trade-fig", lambda: figure_json(
            trade_projection_figure(proj, vd.tables["history"], labels).update_layout(title=None)), ctx.lang)
        sel = proj[proj["year"].isin([2030, 2040, 2050])]
        tables["projection"] = html_table(sel, [
            Col("product", "scn.col.product"), Col("scenario", "scn.col.scenario"), Col("year", "common.year", "year"),
            Col("world", "scn.col.world", "sig"), Col("lower", "scn.col.lower", "sig"),
            Col("upper", "scn.col.upper", "sig")], t, name="projection", download_url=ctx.download_url("projection"))
    return _render(ctx, "scenarios.html", vd=vd, figs=figs, tables=tables, kpis=kpis, labels=labels)
