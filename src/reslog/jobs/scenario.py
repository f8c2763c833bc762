"""Runs of the scenario area (warehouse → model), shared by the CLI, the API and the report.

* :func:`load_shared_inputs` ingests the real inputs from ``../shared/data`` (each through its
  reader, one ledger entry per file; re-ingesting is a no-op).
* :func:`build_paths` builds the scenario driver paths (docs/scenario.md).
* :func:`run_trade` cleans trade, fits ridge per product, projects to 2050 and scores skill.
* :func:`run_demand` runs the stock-flow demand model against supply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from reslog.errors import ReslogError
from reslog.paths import PACKAGE_DATA
from reslog.store.warehouse import IngestResult, Warehouse

SCENARIO_DATA = PACKAGE_DATA / "scenario"
SEED_PRODUCTS = (847191, 847330, 854219, 852990, 853400, 847989, 270900, 854430, 271111, 847120)
PAIRING = {"below2C": "SSP1", "high": "SSP5"}
SCENARIO_LABELS = {"below2C": "2 °C-type (AR6 C3 on SSP1)", "high": "high emission (1.3 %/yr on SSP5)"}

# (ingest kind, path under shared/data) — every real input of the area.
SHARED_INPUTS: tuple[tuple[str, str], ...] = (
    ("owid-co2", "emissions/owid-co2-data_2020-12-09.csv"),
    ("cait", "emissions/CAIT2021__GHG Emissions by Country and Sector (CAIT, 2021).csv"),  # after OWID: newer, to 2018
    ("wb-series", "socioeconomic/gdp_current_usd_worldbank_datasets.csv"),
    ("wb-series", "socioeconomic/population_worldbank_datasets.csv"),
    ("owid-energy", "energy/PrimaryenergyconsumptionBPEIA2022__Primary energy consumption BP & EIA (2022).csv"),
    ("ssp", "scenarios/ssp_v9_population_iiasa_wic.csv"),
    ("ssp", "scenarios/ssp_v9_gdp_ppp_per_capita_growth.csv"),
    ("wgi", "governance/wgi_2024_update_1996_2023_long.csv"),
    ("metal-history", "production/multi_year/Metal production - Clio Infra & USGS.csv"),
    ("baci", "trade/baci_HS92_2021_V202301_exports_ZAF_AFG.csv"),
    *(("usgs", f"production/mcs2026_world_production/{n}.csv") for n in (
        "cobalt", "lithium", "nickel", "rare_earths", "graphite_natural", "manganese",
        "copper_refinery_inferred", "gallium_low_purity", "tungsten")),
    ("refcomp", "geochem/reference_compositions_pyrolite/CH_McDonoughSun1995.csv"),
    ("refcomp", "geochem/reference_compositions_pyrolite/CH_PalmeONeill2014.csv"),
    ("porphyry", "geochem/ore_fingerprints/porphyry-rock-classification_2025-Project-Data(ESM Table 1).csv"),
    ("porphyry-auml", "geochem/ore_fingerprints/PorphyryAuML_DATA.xlsx"),
)


class ScenarioDataMissing(ReslogError):
    """The warehouse lacks an input; the message says which ``reslog`` command loads it."""


def load_shared_inputs(wh: Warehouse, shared: Path, kinds: set[str] | None = None,
                       log=print) -> list[tuple[str, str, IngestResult]]:
    """Ingest every :data:`SHARED_INPUTS` file present under ``shared`` (one ledger entry each)."""
    from reslog.sources.registry import read

    done = []
    if wh.query("SELECT count(*) AS n FROM production")["n"].iloc[0] == 0:
        starter = PACKAGE_DATA / "starter" / "production.csv"
        res = wh.ingest(read("production", starter), kind="production")
        done.append(("production", str(starter), res))
        log(f"  production     starter production.csv (USGS MCS 2026, cited rows)  ledger #{res.ledger_id}")
    for kind, rel in SHARED_INPUTS:
        if kinds and kind not in kinds:
            continue
        p = shared / rel
        if not p.exists():
            log(f"  missing, skipped: {rel}")
            continue
        res = wh.ingest(read(kind, p), kind=kind)
        done.append((kind, rel, res))
        log(f"  {kind:<14} {Path(rel).name[:60]:<60} ledger #{res.ledger_id}"
            f"{' (already there)' if res.skipped else ''}")
    return done


def _need(wh: Warehouse, sql: str, what: str, how: str) -> pd.DataFrame:
    df = wh.query(sql)
    if df.empty:
        raise ScenarioDataMissing(f"the warehouse has no {what}; {how}")
    return df


def read_ghg_factors(path: Path | None = None) -> pd.DataFrame:
    """The shipped (or a user's) GHG pathway table ``scenario, year, factor, source``."""
    from reslog.sources.validate import col_number, col_text, read_csv_table

    path = path or SCENARIO_DATA / "ghg_pathways.csv"
    df = read_csv_table(path, ["scenario", "year", "factor", "source"])
    return pd.DataFrame({"scenario": col_text(path, df, "scenario"),
                         "year": col_number(path, df, "year", integer=True).astype(int),
                         "factor": col_number(path, df, "factor"),
                         "source": col_text(path, df, "source")})


def indicators(wh: Warehouse, names: tuple[str, ...]) -> pd.DataFrame:
    """``country_indicators`` rows of the given indicators."""
    q = ", ".join(f"'{n}'" for n in names)
    return wh.query(f"SELECT country, year, indicator, value, ledger_id FROM country_indicators "
                    f"WHERE indicator IN ({q})")


def build_paths(wh: Warehouse, factors: pd.DataFrame | None = None,
                pairing: dict[str, str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Scenario driver paths (GHG, GDP, population) per country, 2019–2050."""
    from reslog.model.scenario.paths import build_driver_paths

    hint = "run `reslog scenario load` (ingests ../shared/data inputs) first"
    hist = indicators(wh, ("ghg_total", "gdp_usd", "population"))
    if hist.empty:
        raise ScenarioDataMissing(f"the warehouse has no GHG/GDP/population series; {hint}")
    ssp = _need(wh, "SELECT scenario, country, year, variable, value FROM scenario_inputs "
                "WHERE variable IN ('population_ssp', 'gdp_pc_growth')", "SSP inputs", hint)
    return build_driver_paths(hist, ssp, factors if factors is not None else read_ghg_factors(),
                              pairing or PAIRING)


def paths_from_warehouse(wh: Warehouse, scenarios: list[str] | None = None) -> pd.DataFrame:
    """Scenario paths ingested with ``reslog ingest scenario-paths`` (wide)."""
    df = wh.query("SELECT scenario, country, year, variable, value FROM scenario_inputs "
                  "WHERE variable IN ('ghg', 'gdp', 'population')")
    if scenarios:
        df = df[df["scenario"].isin(scenarios)]
    return df.pivot_table(index=["scenario", "country", "year"], columns="variable",
                          values="value").reset_index()


@dataclass
class TradeRun:
    """What :func:`run_trade` produced."""

    summary: pd.DataFrame
    projection: pd.DataFrame
    history: pd.DataFrame
    skill: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def trade_panel(wh: Warehouse, products: tuple[int, ...]) -> tuple[pd.DataFrame, list[str]]:
    """Cleaned importer volumes per product with features (see model.scenario.projection)."""
    from reslog.model.scenario.projection import aggregate_imports, attach_features, indicators_wide
    from reslog.model.trade.clean import clean_trade

    plist = ", ".join(str(int(p)) for p in products)
    trade = wh.query(f"SELECT t, i, j, k, v, q, hs_revision FROM trade WHERE k IN ({plist})")
    if trade.empty:
        raise ScenarioDataMissing(f"no trade rows for products {plist}; ingest BACI first "
                                  "(`reslog scenario load` or `reslog ingest baci FILE`)")
    notes = []
    parts = []
    for rev, g in trade.groupby("hs_revision"):
        parts.append(clean_trade(g.drop(columns="hs_revision")))
    cleaned = pd.concat(parts, ignore_index=True)
    yrs = sorted(cleaned["t"].unique().tolist())
    notes.append(f"trade years in the warehouse for these products: {yrs}; exporters: "
                 f"{sorted(cleaned['i'].unique().tolist())} (BACI codes)")
    cmap = wh.query("SELECT code, iso3 FROM trade_countries WHERE iso3 IS NOT NULL")
    iso = {int(c): i for c, i in zip(cmap["code"], cmap["iso3"])}
    vols = aggregate_imports(cleaned, iso)
    drivers = indicators_wide(indicators(wh, ("ghg_total", "gdp_usd", "population")))
    panel = attach_features(vols, drivers)
    lagged = panel[panel["feature_year"] < panel["year"]]
    if len(lagged):
        notes.append(f"{len(lagged)} of {len(panel)} rows use drivers from an earlier year "
                     f"(latest GHG year {int(panel['feature_year'].min())}–{int(panel['feature_year'].max())}; "
                     "the GHG series end before the trade year)")
    return panel, notes


def skill_panel_production(wh: Warehouse, years: tuple[int, int] = (1990, 2012)) -> pd.DataFrame:
    """Real multi-year volume panel for the skill table: mine production per metal and country
    (Clio Infra & USGS), before the 2012/13 source break, with the same drivers."""
    from reslog.model.scenario.projection import attach_features, indicators_wide

    ph = wh.query(f"SELECT country, commodity AS product, year, quantity AS volume FROM production_history "
                  f"WHERE year BETWEEN {years[0]} AND {years[1]} AND quantity > 0")
    if ph.empty:
        return pd.DataFrame()
    drivers = indicators_wide(indicators(wh, ("ghg_total", "gdp_usd", "population")))
    panel = attach_features(ph, drivers, max_lag=0)
    panel["y"] = np.log(panel["volume"])
    return panel.rename(columns={"product": "group"})


def run_trade(wh: Warehouse, products: tuple[int, ...] = SEED_PRODUCTS,
              paths: pd.DataFrame | None = None, holdout: int = 3, level: float = 0.9,
              skill: bool = True, with_gbm: bool = True) -> TradeRun:
    """Fit, project and score (see docs/scenario.md)."""
    from reslog.model.scenario.projection import fit_products, history_totals, project_products
    from reslog.model.scenario.skill import skill_table

    panel, notes = trade_panel(wh, products)
    fits, summary = fit_products(panel)
    if paths is None:
        paths, dropped = build_paths(wh)
        notes.append(f"scenario paths built for {paths['country'].nunique()} countries "
                     f"({len(dropped)} lacked an input)")
    proj = project_products(fits, paths[paths["year"] >= 2020], level) if fits else pd.DataFrame()
    hist = history_totals(panel, fits)
    sk = pd.DataFrame()
    if skill:
        sp = skill_panel_production(wh)
        if len(sp):
            sk = skill_table(sp, holdout=holdout, with_gbm=with_gbm)
            notes.append("skill table: real multi-year volumes = mine production by metal and "
                         "country 1990–2012 (Clio Infra & USGS); the BACI sample has one year, so "
                         "trade itself cannot be scored on held-out years")
    return TradeRun(summary, proj, hist, sk, notes)


@dataclass
class DemandRun:
    """What :func:`run_demand` produced."""

    result: object  # StockFlowResult
    balance: pd.DataFrame
    comparison: pd.DataFrame
    demand: pd.DataFrame
    inputs: dict[str, Path]


def world_supply(wh: Warehouse) -> pd.DataFrame:
    """Latest reported world mine production (refined where no mine stage) and reserves, tonnes."""
    from reslog.services.trade import to_tonnes

    prod = wh.production(reported_only=True)
    if prod.empty:
        return pd.DataFrame(columns=["commodity", "year", "production_t", "reserves_t"])
    prod = prod[prod["quantity"].notna()].copy()
    prod["t"] = to_tonnes(prod["quantity"], prod["unit"])
    rows = []
    for com, g in prod.groupby("commodity"):
        st = "mine" if (g["stage"] == "mine").any() else g["stage"].iloc[0]
        g = g[g["stage"] == st]
        y = int(g["year"].max())
        gy = g[g["year"] == y]
        wld = gy[gy["country"] == "WLD"]
        q = float(wld["t"].sum()) if len(wld) else float(gy[gy["country"] != "ROW"]["t"].sum() + gy[gy["country"] == "ROW"]["t"].sum())
        rows.append({"commodity": com, "year": y, "production_t": q, "stage": st})
    out = pd.DataFrame(rows)
    res = wh.query("SELECT * FROM reserves")
    if len(res):
        res = res[res["quantity"].notna()].copy()
        res["t"] = to_tonnes(res["quantity"], res["unit"])
        r = []
        for com, g in res.groupby("commodity"):
            gy = g[g["year"] == g["year"].max()]
            wld = gy[gy["country"] == "WLD"]
            r.append({"commodity": com, "reserves_t": float(wld["t"].sum()) if len(wld) else float(gy["t"].sum())})
        out = out.merge(pd.DataFrame(r), on="commodity", how="left")
    else:
        out["reserves_t"] = np.nan
    return out


def run_demand(wh: Warehouse | None, deployment: Path | None = None, years: range = range(2010, 2051),
               data: Path = SCENARIO_DATA) -> DemandRun:
    """Stock-flow demand of PV, wind and EV batteries against world supply (warehouse)."""
    from reslog.model.scenario.demand import compare_supply, run_demand as model_run
    from reslog.model.scenario.stockflow import check_balance
    from reslog.sources.demand_inputs import (interpolate_deployment, read_deployment, read_intensity,
                                              read_shares, read_tech_parameters)

    inputs = {"deployment": deployment or data / "deployment.csv",
              "split": data / "deployment_split.csv", "regions": data / "region_shares.csv",
              "intensity": data / "tech_intensity.csv", "parameters": data / "tech_parameters.csv"}
    yrs = np.arange(years.start, years.stop)
    annual = interpolate_deployment(read_deployment(inputs["deployment"]), yrs)
    res = model_run(annual, read_shares(inputs["split"], "technology", "component"),
                    read_shares(inputs["regions"], "technology", "region"),
                    read_intensity(inputs["intensity"]), read_tech_parameters(inputs["parameters"]), yrs)
    balance = check_balance(res)
    supply = world_supply(wh) if wh is not None else pd.DataFrame(
        columns=["commodity", "year", "production_t", "reserves_t"])
    comp = compare_supply(res, supply)
    dem = res.to_frame("primary").groupby(["year", "element"], as_index=False)["primary"].sum()
    dem["primary_t"] = dem.pop("primary") / 1000.0
    return DemandRun(res, balance, comp, dem, inputs)


# ----------------------------------------------------------------------------- fingerprints
def reference_values(wh: Warehouse, reference: str = "Chondrite_MS95") -> dict[str, float]:
    """Normalisation values (ppm) of a reference composition in the warehouse."""
    df = wh.query("SELECT element, value FROM reference_compositions WHERE reference = ?", [reference])
    if df.empty:
        have = wh.query("SELECT DISTINCT reference FROM reference_compositions")["reference"].tolist()
        raise ScenarioDataMissing(f"reference composition '{reference}' is not in the warehouse "
                                  f"(have {have}); `reslog scenario load` or `reslog ingest refcomp FILE`")
    return dict(zip(df["element"], df["value"].astype(float)))


def fingerprint_samples(wh: Warehouse, dataset: str) -> pd.DataFrame:
    """Wide samples (``sample_id, deposit, label`` + elements, ppm) of one dataset."""
    df = wh.query("SELECT sample_id, deposit, label, element, value FROM geochem_samples "
                  "WHERE dataset = ?", [dataset])
    if df.empty:
        have = wh.query("SELECT DISTINCT dataset FROM geochem_samples")["dataset"].tolist()
        raise ScenarioDataMissing(f"no samples of dataset '{dataset}' (have {have}); "
                                  "`reslog scenario load` or `reslog ingest porphyry FILE`")
    w = df.pivot_table(index=["sample_id", "deposit", "label"], columns="element", values="value")
    return w.reset_index()


@dataclass
class FingerprintRun:
    """Cross-validated evaluation, fitted classifier, embedding."""

    summary: pd.DataFrame
    per_sample: pd.DataFrame
    features: pd.DataFrame
    embedding: pd.DataFrame
    classifier: object
    notes: list[str] = field(default_factory=list)


def run_fingerprint(wh: Warehouse, dataset: str = "porphyry_pcd", reference: str = "Chondrite_MS95",
                    n_splits: int = 5, embed: bool = True) -> FingerprintRun:
    """Features, grouped CV by deposit, final classifier on all samples, 2-D embedding."""
    from reslog.model.fingerprint.classifier import fit_classifier
    from reslog.model.fingerprint.embed import embed_2d
    from reslog.model.fingerprint.evaluate import grouped_cv
    from reslog.model.fingerprint.features import FEATURES, calc_features, normalise

    ref = reference_values(wh, reference)
    s = fingerprint_samples(wh, dataset)
    f = calc_features(normalise(s, ref))
    ok = f[list(FEATURES)].notna().all(axis=1).to_numpy()
    notes = [f"{int((~ok).sum())} of {len(s)} samples lack enough REE for the pattern shape and are left out"]
    f = f[ok].assign(sample_id=s["sample_id"][ok].to_numpy(), deposit=s["deposit"][ok].to_numpy(),
                     label=s["label"][ok].to_numpy())
    X = f[list(FEATURES)].to_numpy(float)
    summary, per = grouped_cv(X, f["label"].to_numpy(), f["deposit"].to_numpy(), n_splits)
    per.insert(0, "deposit", f["deposit"].to_numpy())
    per.insert(0, "sample_id", f["sample_id"].to_numpy())
    clf = fit_classifier(X, f["label"].to_numpy(), f["deposit"].to_numpy(), feature_names=FEATURES)
    emb = pd.DataFrame()
    if embed:
        xy, method = embed_2d(X)
        emb = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "label": f["label"].to_numpy(),
                            "deposit": f["deposit"].to_numpy(), "method": method})
    summary.insert(0, "dataset", dataset)
    summary.insert(1, "reference", reference)
    return FingerprintRun(summary, per, f, emb, clf, notes)


# ----------------------------------------------------------------------------- panel
BASE_METALS = {"copper", "zinc", "lead", "tin", "nickel", "aluminium", "bauxite", "manganese"}


@dataclass
class PanelRun:
    """Regression table, per-metal summary, coverage."""

    results: pd.DataFrame
    summary: pd.DataFrame
    coverage: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def panel_data(wh: Warehouse, years: tuple[int, int] = (1996, 2012)) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Country-year-metal panel: DMI components, outcomes, controls. Returns (data, indicators, notes)."""
    from reslog.model.panel.dmi import build_dmi, calc_imported_content
    from reslog.model.panel.indicators import derive_indicators
    from reslog.model.trade.clean import clean_trade
    from reslog.model.trade.metal_content import content_lookup, metal_content_table

    notes = []
    mined = wh.query(f"SELECT country, commodity, year, quantity FROM production_history "
                     f"WHERE year BETWEEN {years[0]} AND {years[1]}")
    if mined.empty:
        raise ScenarioDataMissing("no multi-year production; run `reslog scenario load` first")
    imported = None
    trade = wh.query(f"SELECT t, i, j, k, v, q, hs_revision FROM trade WHERE t BETWEEN {years[0]} AND {years[1]}")
    if len(trade):
        cmap = wh.query("SELECT code, iso3 FROM trade_countries WHERE iso3 IS NOT NULL")
        iso = {int(c): i for c, i in zip(cmap["code"], cmap["iso3"])}
        parts = []
        for rev, g in trade.groupby("hs_revision"):
            cl = clean_trade(g.drop(columns="hs_revision"))
            parts.append(calc_imported_content(cl, content_lookup(metal_content_table(rev)), iso))
        imported = pd.concat(parts, ignore_index=True)
    else:
        yrs = wh.query("SELECT DISTINCT t FROM trade ORDER BY t")["t"].tolist()
        notes.append(f"imported metal: no BACI year in {years[0]}–{years[1]} (warehouse trade years: {yrs}); "
                     "the imported component cannot be estimated from the data in reach")
    notes.append("recycled metal: no country-level secondary production in reach (column kept empty)")
    dmi = build_dmi(mined, imported)
    ind = wh.query("SELECT country, year, indicator, value FROM country_indicators")
    wide = ind.pivot_table(index=["country", "year"], columns="indicator", values="value").reset_index()
    out = derive_indicators(wide)
    sdg_cols = [c for c in wide.columns if str(c).startswith("sdg:")]
    if sdg_cols:
        out = out.merge(wide[["country", "year", *sdg_cols]], on=["country", "year"], how="left")
    ctrl = wide[["country", "year"]].copy()
    ctrl["ln_gdp"] = np.log(wide["gdp_usd"].where(wide["gdp_usd"] > 0)) if "gdp_usd" in wide else np.nan
    ctrl["ln_pop"] = np.log(wide["population"].where(wide["population"] > 0)) if "population" in wide else np.nan
    ctrl["ln_energy"] = np.log(wide["primary_energy"].where(wide["primary_energy"] > 0)) if "primary_energy" in wide else np.nan
    wgi = wh.query("SELECT country, year, avg(estimate) AS wgi FROM governance GROUP BY country, year")
    ctrl = ctrl.merge(wgi, on=["country", "year"], how="left")
    data = dmi.merge(out, on=["country", "year"], how="left").merge(ctrl, on=["country", "year"], how="left")
    # With ln GDP, ln population and ln energy as controls, ln(energy/GDP) is explained exactly
    # by the controls and ln(CO2/GDP) differs from ln(CO2/population) only by controls: both
    # would repeat or void a test, so only the per-capita emission outcomes are regressed.
    indicators = ["ghg_per_capita", "co2_per_capita", *sdg_cols]
    notes.append("outcomes: GHG and CO2 per capita (co2_per_gdp and energy_intensity are not "
                 "separate tests under the GDP/population/energy controls; see docs/panel.md)")
    return data, indicators, notes


def run_panel_sdg(wh: Warehouse, years: tuple[int, int] = (1996, 2012), q: float = 0.05) -> PanelRun:
    """The metals–SDG panel (docs/panel.md)."""
    from reslog.model.panel.estimate import CONTROLS, run_panel
    from reslog.model.panel.indicators import KNOWN_DIRECTIONS

    data, indicators, notes = panel_data(wh, years)
    metals = sorted(data["metal"].unique())
    res = run_panel(data, indicators, KNOWN_DIRECTIONS, metals, q=q)
    est = res[res.get("status", pd.Series(dtype=str)) == "estimated"] if "status" in res else res.iloc[:0]
    rows = []
    for m in metals:
        for comp in ("mined_t", "imported_t"):
            e = est[(est["metal"] == m) & (est["component"] == comp)] if len(est) else est
            rows.append({"metal": m, "class": "base" if m in BASE_METALS else "precious/rare",
                         "component": comp.removesuffix("_t"), "tests": len(e),
                         "worsened": int(e["worsened"].sum()) if len(e) else 0,
                         "indicators_worsened": ", ".join(e.loc[e["worsened"], "indicator"]) if len(e) else ""})
    summary = pd.DataFrame(rows)
    cov_rows = []
    for m in metals:
        d = data[(data["metal"] == m)].dropna(subset=["mined_t", *CONTROLS, "ghg_per_capita"])
        cov_rows.append({"metal": m, "countries": d["country"].nunique(), "observations": len(d),
                         "years": f"{int(d['year'].min())}–{int(d['year'].max())}" if len(d) else "—",
                         "country_list": " ".join(sorted(d["country"].unique()))})
    notes.append(f"multiple-testing correction: Benjamini–Hochberg FDR over all {len(est)} tests, q = {q}")
    return PanelRun(res, summary, pd.DataFrame(cov_rows), notes)
