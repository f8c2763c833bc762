"""Risk information in input–output format.

Turns country risk profiles (:mod:`reslog.model.profiles`: WGI + event history) into numbers the
IO engine and the trade model consume directly:

(a) :func:`region_sector_weights` — weights per MRIO ``(region, sector)`` × risk type, the format
    of :func:`reslog.model.io.footprint.calc_risk_footprint` (``MRIO.risk_footprint``): a
    DataFrame indexed by a ``(region, sector)`` MultiIndex, one column per risk type, finite ≥ 0;
(b) :func:`trade_weights` — weights per exporter country × HS code × risk type (long table)
    for origin tracing and risk-weighted trade.

Risk types (columns)
--------------------
``governance``
    ``G_c = WGI_EU,c / 10`` ∈ [0, 1] (0 best, 1 worst governance).
``<event_type>`` (e.g. ``tailings_failure``)
    Expected fraction of output disrupted per year by events of that type:
    ``d_c,e = 1 − exp(−λ_c,e · D_e / 12)`` with ``λ_c,e`` the severity·confidence-weighted event
    rate (per year, :func:`reslog.model.profiles.calc_event_rates`) and ``D_e`` the months of
    full stoppage caused by one full-severity event (parameter ``outage_months``; default 12,
    i.e. a full-severity event stops the affected output for a year). The exponential keeps
    the fraction below 1 when events overlap (Poisson arrivals).
``disruption``
    All event types together: ``1 − Π_e (1 − d_c,e)``.
``combined``
    ``w_G · G_c + (1 − w_G) · disruption`` (``w_G`` = 0.5 by default, as in the profiles).

Aggregation to MRIO regions: an MRIO region *r* covering countries ``c ∈ r`` gets the
production-weighted mean ``w_r = Σ_c q_c w_c / Σ_c q_c`` (``q_c`` = mine production of the
commodity, or any activity weight; equal weights when none is given). Only the listed
(mining) sectors carry the weight; other sectors get 0 — risk at the origin is attached to
the extraction activity, and the Leontief footprint carries it downstream.

A region with no country data for a risk type (no mapped country, or none with WGI) is **not**
given 0, which would read as "no risk" and bias risk footprints down. It gets an explicit fill
(``fill="world_mean"``, the default: the activity-weighted mean over every country that has
the value), and the filled (region, risk type) pairs are listed in ``out.attrs["filled"]``;
``fill="error"`` refuses instead, and ``fill="zero"`` keeps the old behaviour, still flagged.

Trade: the weight of exporter *i* for HS code *k* is the exporter's country weight; when the
events table names commodities, the event rates are restricted to events of the commodity
mapped from the HS code (``hs_commodity``), so a tailings failure at a copper mine weighs on
HS 2603 and not on HS 2601.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.concentration import calc_wgi_eu
from reslog.model.profiles import calc_event_rates

BASE_TYPES = ("governance", "disruption", "combined")


def calc_disruption_fraction(rate: pd.Series | float, outage_months: float = 12.0) -> pd.Series | float:
    """Expected fraction of annual output disrupted: ``1 − exp(−λ·D/12)`` (see module docstring)."""
    if not 0 < outage_months <= 120:
        raise ModelInputError(f"riskmap: outage_months must be in (0, 120], got {outage_months}")
    r = pd.Series(rate, dtype=float) if not np.isscalar(rate) else float(rate)
    if (np.asarray(r) < 0).any():
        raise ModelInputError("riskmap: event rates must be ≥ 0")
    res = 1.0 - np.exp(-np.asarray(r, dtype=float) * outage_months / 12.0)
    return pd.Series(res, index=r.index) if isinstance(r, pd.Series) else float(res)


def country_risk_weights(governance: pd.DataFrame, events: pd.DataFrame, year: int, *, window: int = 10,
                         outage_months: float | Mapping[str, float] = 12.0, w_governance: float = 0.5,
                         commodity: str | None = None, countries: list[str] | None = None) -> pd.DataFrame:
    """Risk weights per country (rows) and risk type (columns), all in [0, 1].

    Parameters
    ----------
    governance, events : DataFrame
        Canonical ``governance`` and ``risk_events`` tables.
    outage_months : float or mapping event_type → months
        Months of full stoppage per full-severity event.
    commodity : str, optional
        Keep only events whose ``commodity`` is this one (events without commodity are dropped).
    countries : list, optional
        Rows to return (missing WGI → NaN governance/combined; no events → 0 disruption).
    """
    if not 0 <= w_governance <= 1:
        raise ModelInputError(f"riskmap: w_governance must be in [0, 1], got {w_governance}")
    ev = events
    if commodity is not None and "commodity" in events.columns:
        ev = events[events["commodity"] == commodity]
    rates = calc_event_rates(ev, year, window) if len(ev) else pd.DataFrame(
        columns=["country", "event_type", "rate"])
    R = rates.pivot_table(index="country", columns="event_type", values="rate", aggfunc="sum",
                          fill_value=0.0) if len(rates) else pd.DataFrame()
    wgi = calc_wgi_eu(governance, year)
    idx = sorted(set(wgi.index) | set(R.index)) if countries is None else list(countries)
    out = pd.DataFrame(index=pd.Index(idx, name="country"))
    out["governance"] = (wgi["wgi_eu"] / 10.0).reindex(out.index)
    keep = np.ones(len(out))
    for et in R.columns:
        months = outage_months.get(et, 12.0) if isinstance(outage_months, Mapping) else outage_months
        d = calc_disruption_fraction(R[et].reindex(out.index).fillna(0.0), months)
        out[et] = d
        keep = keep * (1.0 - d.to_numpy())
    out["disruption"] = 1.0 - keep
    out["combined"] = w_governance * out["governance"] + (1 - w_governance) * out["disruption"]
    out.attrs.update({"year": year, "window": window, "commodity": commodity})
    return out


def region_sector_weights(country_weights: pd.DataFrame, region_of: Mapping[str, str],
                          labels: pd.MultiIndex, sectors: list[str] | None = None,
                          activity: pd.Series | None = None,
                          fill: str = "world_mean") -> pd.DataFrame:
    """(a) MRIO weights: DataFrame indexed like ``labels`` (region, sector), columns = risk types.

    Parameters
    ----------
    country_weights : DataFrame
        :func:`country_risk_weights` output.
    region_of : mapping ISO3 → MRIO region code (countries not mapped are ignored).
    labels : MultiIndex
        The MRIO's (region, sector) labels (``MRIO.labels``).
    sectors : list, optional
        Sectors that carry the weight (e.g. the mining sector); default: all sectors.
    activity : Series, optional
        Weights q_c (e.g. mine production) for the regional mean; default equal weights.
    fill : {"world_mean", "error", "zero"}
        What a region without data for a risk type gets: the activity-weighted mean over all
        countries with data (default), an error naming the regions, or 0. Every filled
        (region, risk type) is listed in ``attrs["filled"]`` with the value used.

    Returns
    -------
    DataFrame
        Finite, ≥ 0; 0 only where the sector is not listed (or ``fill="zero"``).
        ``attrs["filled"]``: list of ``{"region", "risk_type", "value", "rule"}``.
    """
    if fill not in ("world_mean", "error", "zero"):
        raise ModelInputError(f"riskmap: fill must be 'world_mean', 'error' or 'zero', got {fill!r}")
    if not isinstance(labels, pd.MultiIndex) or labels.nlevels != 2:
        raise ModelInputError("riskmap: labels must be a (region, sector) MultiIndex")
    regions = labels.get_level_values(0)
    known_sectors = set(labels.get_level_values(1))
    if sectors is not None:
        unknown = [s for s in sectors if s not in known_sectors]
        if unknown:
            raise ModelInputError(f"riskmap: sectors not in the MRIO labels: {unknown}")
    cw = country_weights.copy()
    cw["_region"] = [region_of.get(c) for c in cw.index]
    cw = cw.dropna(subset=["_region"])
    q = (pd.Series(1.0, index=cw.index) if activity is None
         else pd.Series(activity, dtype=float).reindex(cw.index).fillna(0.0))
    cols = [c for c in country_weights.columns]

    def wmean(v: pd.Series, qq: pd.Series) -> float:
        ok = v.notna() & (qq > 0)
        return float((v[ok] * qq[ok]).sum() / qq[ok].sum()) if ok.any() else float("nan")

    reg_w = {r: {c: wmean(g[c], q.reindex(g.index)) for c in cols} for r, g in cw.groupby("_region")}
    RW = pd.DataFrame.from_dict(reg_w, orient="index", columns=cols).reindex(pd.unique(regions))
    q_all = (pd.Series(1.0, index=country_weights.index) if activity is None
             else pd.Series(activity, dtype=float).reindex(country_weights.index).fillna(0.0))
    filled: list[dict[str, object]] = []
    for c in cols:
        missing = RW.index[RW[c].isna()].tolist()
        if not missing:
            continue
        if fill == "error":
            raise ModelInputError(
                f"riskmap: no country data for risk type '{c}' in region(s) {missing[:10]}; map "
                "countries with data to them (region_of), or pass fill='world_mean'")
        value = 0.0 if fill == "zero" else wmean(country_weights[c], q_all)
        if not np.isfinite(value):
            raise ModelInputError(f"riskmap: no country has a value for risk type '{c}'; nothing to fill with")
        RW.loc[missing, c] = value
        filled += [{"region": r, "risk_type": c, "value": value, "rule": fill} for r in missing]
    out = RW.reindex(regions)
    out.index = labels
    if sectors is not None:
        mask = ~labels.get_level_values(1).isin(sectors)
        out.loc[mask, :] = 0.0
    out = out.astype(float)
    out.attrs["filled"] = filled
    return out


def trade_weights(trade: pd.DataFrame, governance: pd.DataFrame, events: pd.DataFrame, year: int, *,
                  hs_commodity: Mapping[str, str] | None = None, window: int = 10,
                  outage_months: float = 12.0) -> pd.DataFrame:
    """(b) Weights per exporter × HS code × risk type (long).

    Parameters
    ----------
    trade : DataFrame
        Columns ``exporter`` (ISO3) and ``hs`` (code as text), e.g. the distinct pairs of BACI.
    hs_commodity : mapping HS prefix → commodity, optional
        When given, event rates are commodity-specific for codes starting with a mapped prefix
        (longest prefix wins); other codes use all events of the exporter.

    Returns
    -------
    DataFrame
        ``exporter, hs, commodity, risk_type, weight`` (weight NaN when the exporter lacks WGI for
        governance/combined — never silently 0).
    """
    for c in ("exporter", "hs"):
        if c not in trade.columns:
            raise ModelInputError(f"riskmap: trade lacks column '{c}'")
    pairs = trade[["exporter", "hs"]].drop_duplicates().astype(str)
    hs_commodity = dict(hs_commodity or {})

    def commodity_of(code: str) -> str | None:
        best = None
        for pre, com in hs_commodity.items():
            if code.startswith(str(pre)) and (best is None or len(str(pre)) > len(best[0])):
                best = (str(pre), com)
        return best[1] if best else None

    pairs["commodity"] = [commodity_of(h) for h in pairs["hs"]]
    exporters = sorted(pairs["exporter"].unique())
    cache: dict[str | None, pd.DataFrame] = {}
    rows = []
    for com, g in pairs.groupby(pairs["commodity"].fillna("*"), sort=False):
        key = None if com == "*" else com
        if key not in cache:
            cache[key] = country_risk_weights(governance, events, year, window=window,
                                              outage_months=outage_months, commodity=key,
                                              countries=exporters)
        W = cache[key]
        for t in W.columns:
            w = W[t].reindex(g["exporter"]).to_numpy()
            rows.append(pd.DataFrame({"exporter": g["exporter"].to_numpy(), "hs": g["hs"].to_numpy(),
                                      "commodity": key, "risk_type": t, "weight": w}))
    if not rows:
        return pd.DataFrame(columns=["exporter", "hs", "commodity", "risk_type", "weight"])
    return pd.concat(rows, ignore_index=True)
