"""Supply concentration: production shares, HHI and governance-weighted HHI (EU scale).

Pure functions on pandas objects (no file or database access).

Conventions
-----------
* **Shares are in percent** (0–100) everywhere in this module, so that
  :func:`calc_hhi` returns the usual 0–10,000 Herfindahl–Hirschman index
  (US DoJ/FTC convention: > 2,500 highly concentrated).
* :func:`calc_hhi_wgi` converts the percentages to fractions, so that the
  governance-weighted concentration lies on the EU 0–10 scale used in the
  EU criticality methodology (Blengini et al. 2017; European Commission 2023):

  .. math:: HHI_{WGI} = \\sum_i \\left(\\frac{s_i}{100}\\right)^2 \\, WGI_i \\, t_i

  with :math:`WGI_i` the scaled governance score of country *i* (0 best – 10 worst,
  :func:`scale_wgi_eu`) and :math:`t_i` the optional trade (export-restriction)
  adjustment (1 when no restriction applies).

Aggregate rows (how "Other countries" and withheld data are treated)
--------------------------------------------------------------------
USGS tables list named producers, an "Other countries" row (code ``ROW``), a
"World total" row (code ``WLD``), and sometimes withheld values (``W``, read
as ``NaN``). :func:`calc_shares` treats them as follows:

1. The world total is ``world_total`` if given, else the ``WLD`` row, else the
   sum of the reported rows (named countries + ``ROW``). When a world total is
   known and the reported rows add up to more (USGS rounds world totals), the
   larger sum is used so that shares never add up to more than 100 %.
2. Named countries with a withheld (``NaN``) quantity get no share; their
   tonnage, if included in the world total, ends up in the residual.
3. ``ROW`` receives the residual ``world − Σ named`` (which contains the
   "Other countries" row, withheld volumes and rounding). It **stays in the
   denominator** but is **excluded from the sum of squares** in
   :func:`calc_hhi` and :func:`calc_hhi_wgi`, because it is an aggregate of
   many small producers whose individual shares are unknown. The HHI reported
   is therefore a **lower bound**; the gap to the upper bound is at most
   ``s_ROW²`` (if the residual were one single country).

References
----------
Blengini, G. A. et al. (2017) *Assessment of the Methodology for Establishing
the EU List of Critical Raw Materials — Background report*. JRC106997,
Publications Office of the EU. doi:10.2760/73303.

European Commission (2023) *Study on the critical raw materials for the EU 2023
— Final report* (Grohol, M. & Veeh, C.). doi:10.2873/725585.

Kaufmann, D., Kraay, A. and Mastruzzi, M. (2010) *The Worldwide Governance
Indicators: Methodology and Analytical Issues*. World Bank Policy Research
Working Paper 5430.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError

ROW = "ROW"
WLD = "WLD"
WGI_INDICATORS: tuple[str, ...] = ("va", "pv", "ge", "rq", "rl", "cc")
_TOL = 1e-6


# --------------------------------------------------------------------------- shares / HHI


def calc_shares(production: pd.DataFrame, *, world_total: float | None = None) -> pd.Series:
    """Country shares of production, in percent, with the residual as ``ROW``.

    Parameters
    ----------
    production : DataFrame
        Columns ``country`` (ISO3, or the pseudo-codes ``WLD`` world total and
        ``ROW`` other countries) and ``quantity`` (any unit, the same for all
        rows; ``NaN`` = withheld / not available). One row per country.
    world_total : float, optional
        World production in the same unit. Overrides a ``WLD`` row.

    Returns
    -------
    Series
        Shares in percent (0–100), indexed by country, named ``share_pct``,
        sorted by decreasing share, with ``ROW`` (the residual, see the module
        docstring) last when it is positive. Shares sum to 100 (± rounding).

    Raises
    ------
    ModelInputError
        Missing columns, duplicate countries, negative quantities, or nothing
        produced.
    """
    for col in ("country", "quantity"):
        if col not in production.columns:
            raise ModelInputError(
                f"production: missing column '{col}'; found {list(production.columns)}")
    df = production[["country", "quantity"]].copy()
    df["country"] = df["country"].astype(str)
    df["quantity"] = pd.to_numeric(df["quantity"], errors="coerce").astype(float)
    dup = df.loc[df["country"].duplicated() & (df["country"] != ROW), "country"].unique().tolist()
    if dup:
        raise ModelInputError(f"production: duplicate country rows {dup}; aggregate them first")
    neg = df.loc[df["quantity"] < 0, "country"].tolist()
    if neg:
        raise ModelInputError(f"production: negative quantity for {neg}")
    if world_total is None:
        wld = df.loc[df["country"] == WLD, "quantity"].dropna()
        world_total = float(wld.iloc[0]) if len(wld) else None
    elif not np.isfinite(world_total) or world_total < 0:
        raise ModelInputError(f"production: world_total must be a finite number ≥ 0, got {world_total}")
    named = df[~df["country"].isin([WLD, ROW])].dropna(subset=["quantity"])
    named = named.set_index("country")["quantity"]
    row_reported = float(df.loc[df["country"] == ROW, "quantity"].fillna(0.0).sum())
    reported = float(named.sum()) + row_reported
    denom = reported if world_total is None else max(float(world_total), reported)
    if denom <= 0:
        raise ModelInputError(
            "production: total production is zero or unknown (all rows withheld?); "
            f"countries {df['country'].tolist()}")
    shares = (100.0 * named / denom).sort_values(ascending=False, kind="stable")
    residual = 100.0 * (denom - float(named.sum())) / denom
    if residual > _TOL:
        shares = pd.concat([shares, pd.Series({ROW: residual})])
    shares.name = "share_pct"
    shares.index.name = "country"
    return shares


def _check_shares(shares: pd.Series) -> pd.Series:
    s = pd.to_numeric(pd.Series(shares), errors="coerce").astype(float)
    bad = s.index[s.isna() | (s < -_TOL) | (s > 100 + _TOL)].tolist()
    if bad:
        raise ModelInputError(f"shares: values must be percentages in [0, 100]; offending {bad}")
    if s.sum() > 100 + 1e-3:
        raise ModelInputError(f"shares: sum to {s.sum():.4f} % (> 100); pass percent shares of one total")
    if s.index.duplicated().any():
        raise ModelInputError(f"shares: duplicate labels {s.index[s.index.duplicated()].tolist()}")
    return s.clip(lower=0.0)


def calc_hhi(shares: pd.Series) -> float:
    """Herfindahl–Hirschman index of shares in percent: ``Σ sᵢ²`` (0–10,000).

    The ``ROW`` entry (residual of unnamed producers) is excluded from the sum
    of squares, so the result is a lower bound (see the module docstring).

    Parameters
    ----------
    shares : Series
        Percent shares indexed by country (as returned by :func:`calc_shares`).

    Returns
    -------
    float
        HHI in [0, 10,000]; 10,000 = a single producer.
    """
    s = _check_shares(shares)
    s = s[s.index != ROW]
    return float((s**2).sum())


def scale_wgi_eu(estimate: float | np.ndarray | pd.Series) -> float | np.ndarray | pd.Series:
    """Rescale a WGI estimate from [−2.5, 2.5] to the EU scale [10, 0].

    .. math:: WGI_{EU} = 10 \\cdot \\frac{2.5 - e}{5} = 5 - 2e

    where *e* is the average of the six WGI dimensions (or a single
    dimension). 0 = best governance, 10 = worst, as in the EU CRM
    methodology (Blengini et al. 2017, section 4.1; European Commission 2023).
    The few estimates outside [−2.5, 2.5] are clipped to the interval ends.

    Parameters
    ----------
    estimate : float, array or Series
        WGI estimate(s) in standard normal units.

    Returns
    -------
    Same type as input, values in [0, 10].
    """
    if isinstance(estimate, pd.Series):
        return (5.0 - 2.0 * estimate.astype(float)).clip(0.0, 10.0)
    arr = np.clip(5.0 - 2.0 * np.asarray(estimate, dtype=float), 0.0, 10.0)
    return float(arr) if arr.ndim == 0 else arr


def calc_wgi_eu(governance: pd.DataFrame, year: int) -> pd.DataFrame:
    """EU-scaled WGI per country for ``year`` (latest WGI year ≤ ``year`` per country).

    The six dimensions (va, pv, ge, rq, rl, cc) are averaged (the mean of
    the dimensions available that year; WGI covers all six for nearly every
    economy) and rescaled with :func:`scale_wgi_eu`.

    Parameters
    ----------
    governance : DataFrame
        Long table with columns ``country``, ``year``, ``indicator``, ``estimate``
        (the canonical ``governance`` table).
    year : int
        Reference year; WGI is published with a lag, so a production year
        without WGI uses the most recent earlier WGI year.

    Returns
    -------
    DataFrame
        Indexed by country: ``wgi_year``, ``n_dims``, ``wgi_mean`` (raw mean
        estimate) and ``wgi_eu`` (0–10).
    """
    for col in ("country", "year", "indicator", "estimate"):
        if col not in governance.columns:
            raise ModelInputError(f"governance: missing column '{col}'; found {list(governance.columns)}")
    g = governance[["country", "year", "indicator", "estimate"]].copy()
    g["estimate"] = pd.to_numeric(g["estimate"], errors="coerce")
    g["year"] = pd.to_numeric(g["year"], errors="coerce")
    g = g[g["indicator"].isin(WGI_INDICATORS) & g["estimate"].notna() & (g["year"] <= year)]
    if g.empty:
        return pd.DataFrame(columns=["wgi_year", "n_dims", "wgi_mean", "wgi_eu"],
                            index=pd.Index([], name="country"))
    latest = g.groupby("country")["year"].transform("max")
    g = g[g["year"] == latest]
    out = g.groupby("country").agg(wgi_year=("year", "max"), n_dims=("estimate", "size"),
                                   wgi_mean=("estimate", "mean"))
    out["wgi_year"] = out["wgi_year"].astype(int)
    out["wgi_eu"] = scale_wgi_eu(out["wgi_mean"])
    return out


def calc_hhi_wgi(
    shares: pd.Series,
    wgi_scaled: pd.Series | Mapping[str, float],
    *,
    trade_factor: pd.Series | Mapping[str, float] | None = None,
    missing: str = "raise",
) -> float:
    """Governance-weighted concentration ``Σ (sᵢ/100)² · WGIᵢ · tᵢ`` on the EU 0–10 scale.

    Parameters
    ----------
    shares : Series
        Percent shares indexed by country (as from :func:`calc_shares`); ``ROW``
        is excluded from the sum (lower bound, see the module docstring).
    wgi_scaled : Series or mapping
        EU-scaled WGI (0 best – 10 worst) per country (:func:`scale_wgi_eu`).
    trade_factor : Series or mapping, optional
        Trade-related parameter ``tᵢ`` per country (EU 2023: 1.1–1.5 for export taxes,
        quotas or bans; 0.8 for countries with an EU trade agreement); 1 where absent.
    missing : {"raise", "exclude"}
        What to do with a named country that has a share but no WGI value:
        raise :class:`ModelInputError` (default) or leave it out of the sum
        (a lower bound; callers should report the coverage).

    Returns
    -------
    float
        HHI_WGI in [0, 10] (×max tᵢ).
    """
    if missing not in ("raise", "exclude"):
        raise ModelInputError(f"calc_hhi_wgi: missing must be 'raise' or 'exclude', got {missing!r}")
    s = _check_shares(shares)
    s = s[(s.index != ROW) & (s > 0)]
    w = pd.Series(wgi_scaled, dtype=float).reindex(s.index)
    lacking = w.index[w.isna()].tolist()
    if lacking and missing == "raise":
        raise ModelInputError(f"calc_hhi_wgi: no WGI value for producing countries {lacking}")
    bad = w.index[(w < 0) | (w > 10)].tolist()
    if bad:
        raise ModelInputError(f"calc_hhi_wgi: WGI must be on the EU 0–10 scale; offending {bad}")
    t = _trade_factors(trade_factor, s.index)
    keep = w.notna()
    return float(((s[keep] / 100.0) ** 2 * w[keep] * t[keep]).sum())


def _trade_factors(trade_factor: pd.Series | Mapping[str, float] | None, index: pd.Index) -> pd.Series:
    if trade_factor is None:
        return pd.Series(1.0, index=index)
    tf = pd.Series(trade_factor, dtype=float)
    bad = tf.index[~np.isfinite(tf) | (tf <= 0) | (tf > 2)].tolist()
    if bad:
        raise ModelInputError(
            f"trade factors must lie in (0, 2] (EU 2023: 0.8 with a trade agreement, 1.1–1.5 with "
            f"export restrictions); offending {bad}: {tf[bad].tolist()}")
    return tf.reindex(index).fillna(1.0)


def calc_hhi_wgi_gap(
    shares: pd.Series,
    wgi_scaled: pd.Series | Mapping[str, float],
    *,
    trade_factor: pd.Series | Mapping[str, float] | None = None,
) -> float:
    """Largest amount by which :func:`calc_hhi_wgi` (``missing="exclude"``) can understate HHI_WGI,t.

    Two parts are left out of the sum and bounded here, on the EU 0–10 scale:

    * the residual ``ROW`` share (unknown producers), at most one producer with the worst
      governance (WGI_EU = 10) and the largest trade factor present (≥ 1):
      ``(s_ROW/100)²·10·t_max``;
    * named producers without a WGI value, each at WGI_EU = 10: ``Σ (sᵢ/100)²·10·tᵢ``.

    So the true value lies in ``[hhi_wgi, hhi_wgi + gap]``; ``gap = 0`` means the value is exact
    (every producer named and governance-scored).

    Parameters
    ----------
    shares : Series
        Percent shares indexed by country, ``ROW`` allowed (:func:`calc_shares`).
    wgi_scaled : Series or mapping
        EU-scaled WGI per country.
    trade_factor : Series or mapping, optional
        tᵢ by country (1 where absent).

    Returns
    -------
    float
        The gap (≥ 0).
    """
    s = _check_shares(shares)
    s = s[s > 0]
    w = pd.Series(wgi_scaled, dtype=float).reindex(s.index)
    t = _trade_factors(trade_factor, s.index)
    tf_all = pd.Series(trade_factor, dtype=float) if trade_factor is not None else pd.Series(dtype=float)
    t_max = max(1.0, float(tf_all.max()) if len(tf_all) else 1.0)
    row = float(s.get(ROW, 0.0))
    named = s[s.index != ROW]
    lacking = w.reindex(named.index).isna()
    gap = (row / 100.0) ** 2 * 10.0 * t_max
    gap += float(((named[lacking] / 100.0) ** 2 * 10.0 * t[named.index][lacking]).sum())
    return float(gap)


def calc_window_production(production_long: pd.DataFrame, commodity: str, stage: str,
                           years: tuple[int, int] | None = None) -> tuple[pd.DataFrame, list[int], str]:
    """Production of one commodity × stage summed over a window of years, per country.

    The EU assessment uses the average production of a five-year window (2016–2020 for the
    2023 list, European Commission 2023, section 2; the CritMAT re-implementation uses
    ``timeframe=[2016, …, 2020]``); shares of the sum equal shares of the average.

    Parameters
    ----------
    production_long : DataFrame
        Canonical production table (``country``, ``commodity``, ``stage``, ``year``,
        ``quantity``, ``unit``).
    commodity, stage : str
        The series to take.
    years : (first, last), optional
        Inclusive window. ``None`` = the latest year with data only.

    Returns
    -------
    (DataFrame, list of int, str)
        ``country``/``quantity`` summed over the years present in the window, the years
        actually present (the caller states them), and the unit.

    Raises
    ------
    ModelInputError
        No data in the window, or several units.
    """
    p = production_long[(production_long["commodity"] == commodity) & (production_long["stage"] == stage)]
    p = p.assign(year=pd.to_numeric(p["year"], errors="coerce")).dropna(subset=["year"])
    if years is None:
        have = p.dropna(subset=["quantity"])
        if have.empty:
            raise ModelInputError(f"production: no data for {commodity}/{stage}")
        p = p[p["year"] == have["year"].max()]
    else:
        lo, hi = years
        if lo > hi:
            raise ModelInputError(f"years: first {lo} is after last {hi}")
        p = p[(p["year"] >= lo) & (p["year"] <= hi)]
    if p.dropna(subset=["quantity"]).empty:
        raise ModelInputError(f"production: no data for {commodity}/{stage} in years {years}")
    units = p["unit"].dropna().unique().tolist()
    if len(units) != 1:
        raise ModelInputError(f"production {commodity}/{stage}: expected one unit, found {units}")
    yrs = sorted(int(y) for y in p.dropna(subset=["quantity"])["year"].unique())
    agg = p.groupby("country", as_index=False)["quantity"].sum(min_count=1)
    return agg, yrs, str(units[0])


def calc_wgi_eu_window(governance: pd.DataFrame, years: list[int]) -> pd.Series:
    """EU-scaled WGI per country averaged over ``years`` (each year: latest WGI ≤ year).

    As in the EU 2023 practice (WGI averaged over the production window).
    """
    frames = [calc_wgi_eu(governance, y)["wgi_eu"] for y in years]
    if not frames:
        return pd.Series(dtype=float)
    return pd.concat(frames, axis=1).mean(axis=1)


# --------------------------------------------------------------------------- table


def _fmt_top(shares: pd.Series, n: int, *, names: bool = False) -> str:
    top = shares[shares.index != ROW].head(n)
    if names:
        from reslog.schema import country_name

        return "; ".join(f"{country_name(c)} {v:.1f}%" for c, v in top.items())
    return "; ".join(f"{c} {v:.1f}%" for c, v in top.items())


def concentration_table(
    production_long: pd.DataFrame,
    governance_long: pd.DataFrame,
    year: int | None = None,
    *,
    top_n: int = 3,
) -> pd.DataFrame:
    """HHI and HHI_WGI for every commodity × stage produced in ``year`` (default: latest year).

    Parameters
    ----------
    production_long : DataFrame
        The canonical ``production`` table (columns ``country``, ``commodity``,
        ``year``, ``stage``, ``quantity``, ``unit``, ``source``; ``WLD``/``ROW``
        pseudo-countries allowed).
    governance_long : DataFrame
        The canonical ``governance`` table (WGI long format).
    year : int, optional
        Production year. ``None`` = the latest year with data, per commodity × stage.
        WGI of the latest year ≤ that year is used per country.
    top_n : int
        Number of leading producers listed.

    Returns
    -------
    DataFrame
        One row per commodity × stage: ``commodity``, ``stage``, ``year``,
        ``n_countries`` (named producers with a reported quantity > 0),
        ``top_producers`` ("China 68.5%; …", English names), ``top_countries``
        (same with ISO3 codes), ``top1``, ``top1_share_pct``,
        ``row_share_pct`` (residual ``ROW`` share, the HHI gap bound),
        ``hhi`` (0–10,000, lower bound; gap ≤ ``row_share_pct``²), ``hhi_wgi`` (0–10, lower
        bound; NaN when no producer has a WGI value), ``hhi_wgi_gap`` (its largest
        understatement, :func:`calc_hhi_wgi_gap`),
        ``wgi_year``, ``wgi_coverage_pct`` (share of world production whose
        producers have a WGI value), ``world_total``, ``unit``, ``sources``.

    Raises
    ------
    ModelInputError
        Missing columns, or several units for one commodity × stage.
    """
    need = ("country", "commodity", "year", "stage", "quantity", "unit")
    for col in need:
        if col not in production_long.columns:
            raise ModelInputError(f"production: missing column '{col}'; found {list(production_long.columns)}")
    p = production_long.copy()
    p["year"] = pd.to_numeric(p["year"], errors="coerce")
    if year is not None:
        p = p[p["year"] == year]
    else:
        latest = p.dropna(subset=["quantity"]).groupby(["commodity", "stage"])["year"].max()
        p = p.merge(latest.rename("_latest"), left_on=["commodity", "stage"], right_index=True)
        p = p[p["year"] == p["_latest"]]
    wgi_cache: dict[int, pd.DataFrame] = {}
    rows = []
    for (commodity, stage), grp in p.groupby(["commodity", "stage"], sort=True):
        yr = int(grp["year"].iloc[0])
        if yr not in wgi_cache:
            wgi_cache[yr] = calc_wgi_eu(governance_long, yr)
        wgi = wgi_cache[yr]
        units = grp["unit"].dropna().unique().tolist()
        if len(units) != 1:
            raise ModelInputError(
                f"production {commodity}/{stage}/{year}: expected one unit, found {units}")
        agg = grp.groupby("country", as_index=False)["quantity"].sum(min_count=1)
        try:
            shares = calc_shares(agg)
        except ModelInputError:
            continue  # nothing produced or all withheld: no concentration to report
        named = shares[shares.index != ROW]
        named_pos = named[named > 0]
        covered = named_pos.index.intersection(wgi.index)
        hhi_wgi = calc_hhi_wgi(shares, wgi["wgi_eu"], missing="exclude")
        wld = agg.loc[agg["country"] == WLD, "quantity"].dropna()
        reported = float(agg.loc[~agg["country"].isin([WLD]), "quantity"].sum())
        world_total = max(float(wld.iloc[0]), reported) if len(wld) else reported
        srcs = sorted(set(grp["source"].dropna().astype(str))) if "source" in grp else []
        rows.append({
            "commodity": commodity, "stage": stage, "year": yr,
            "n_countries": int(len(named_pos)),
            "top_producers": _fmt_top(shares, top_n, names=True),
            "top_countries": _fmt_top(shares, top_n),
            "top1": named.index[0] if len(named) else None,
            "top1_share_pct": float(named.iloc[0]) if len(named) else np.nan,
            "row_share_pct": float(shares.get(ROW, 0.0)),
            "hhi": calc_hhi(shares),
            "hhi_wgi": hhi_wgi if len(covered) else np.nan,
            "hhi_wgi_gap": calc_hhi_wgi_gap(shares, wgi["wgi_eu"]) if len(covered) else np.nan,
            "wgi_year": int(wgi.loc[covered, "wgi_year"].max()) if len(covered) else None,
            "wgi_coverage_pct": float(named_pos[covered].sum()),
            "world_total": world_total,
            "unit": units[0],
            "sources": "|".join(srcs),
        })
    cols = ["commodity", "stage", "year", "n_countries", "top_producers", "top_countries", "top1", "top1_share_pct",
            "row_share_pct", "hhi", "hhi_wgi", "hhi_wgi_gap", "wgi_year", "wgi_coverage_pct", "world_total",
            "unit", "sources"]
    return pd.DataFrame(rows, columns=cols)


def select_reported(production: pd.DataFrame) -> pd.DataFrame:
    """Leave out estimated years (USGS "e") where a series has a reported year; keep a series that
    has estimates only (e.g. copper mine production "2023e" transcribed from MCS 2024), so that no
    commodity × stage disappears. Rows kept keep their ``estimated`` flag for display.
    """
    if "estimated" not in production.columns or production.empty:
        return production
    est = production["estimated"].fillna(False).astype(bool)
    has_rep = (~est).groupby([production["commodity"], production["stage"]]).transform("any")
    return production[~est | ~has_rep]
