"""Country risk profiles: governance (WGI) + event history (frequency × severity by type).

Pure functions on the canonical ``governance`` and ``risk_events`` tables.

Combination rule (documented in ``docs/riskmap.md``)
----------------------------------------------------
For country *c*, reference year *Y* and a window of *W* years (``Y − W + 1 … Y``):

* governance hazard ``G_c = WGI_EU,c / 10`` ∈ [0, 1] (EU scale, 10 = worst;
  :func:`reslog.model.concentration.calc_wgi_eu`);
* event intensity per type *e*: ``λ_c,e = Σ_events severity · confidence / W``
  (severity-weighted events per year; severity and confidence in [0, 1]);
* event hazard ``E_c = 1 − exp(−Σ_e λ_c,e)`` ∈ [0, 1): the probability of at least one
  full-severity-equivalent event in a year if events arrive as a Poisson process;
* combined ``R_c = w_G · G_c + (1 − w_G) · E_c`` with ``w_G = 0.5`` by default.

A country without WGI gets ``G_c = NaN`` and ``R_c = E_c`` is *not* substituted silently:
``R_c`` is NaN and ``missing`` names what is missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.concentration import WGI_INDICATORS, calc_wgi_eu


def calc_event_rates(events: pd.DataFrame, year: int, window: int = 10) -> pd.DataFrame:
    """Event counts and severity-weighted rates per country × event type.

    Parameters
    ----------
    events : DataFrame
        Canonical ``risk_events`` rows: ``country``, ``event_type``, ``start_time``,
        ``severity`` (0–1), ``confidence`` (0–1).
    year : int
        Last year of the window.
    window : int
        Number of years (≥ 1).

    Returns
    -------
    DataFrame
        Columns ``country``, ``event_type``, ``n_events``, ``events_per_year``,
        ``mean_severity``, ``rate`` (λ = Σ severity·confidence / window, per year).
    """
    if window < 1:
        raise ModelInputError(f"profiles: window must be ≥ 1 year, got {window}")
    for c in ("country", "event_type", "start_time", "severity", "confidence"):
        if c not in events.columns:
            raise ModelInputError(f"risk_events: missing column '{c}'; found {list(events.columns)}")
    e = events.copy()
    e["_year"] = pd.to_datetime(e["start_time"], errors="coerce").dt.year
    e = e[e["_year"].between(year - window + 1, year) & e["country"].notna()]
    for c in ("severity", "confidence"):
        v = pd.to_numeric(e[c], errors="coerce")
        bad = e.loc[v.isna() | (v < 0) | (v > 1), "event_type"]
        if len(bad):
            raise ModelInputError(f"risk_events: {c} must lie in [0, 1]; {len(bad)} rows violate it")
        e[c] = v
    e["_w"] = e["severity"] * e["confidence"]
    g = e.groupby(["country", "event_type"]).agg(
        n_events=("_w", "size"), mean_severity=("severity", "mean"), _sum=("_w", "sum")).reset_index()
    g["events_per_year"] = g["n_events"] / window
    g["rate"] = g["_sum"] / window
    return g[["country", "event_type", "n_events", "events_per_year", "mean_severity", "rate"]]


def country_profiles(governance: pd.DataFrame, events: pd.DataFrame, year: int, *,
                     window: int = 10, w_governance: float = 0.5,
                     countries: list[str] | None = None) -> pd.DataFrame:
    """Country risk profiles (one row per country) by the rule in the module docstring.

    Returns
    -------
    DataFrame
        Indexed by country: the six WGI estimates (``wgi_va`` … ``wgi_cc``), ``wgi_year``,
        ``wgi_eu`` (0–10), ``G``; per event type ``rate_<type>`` and ``n_<type>``;
        ``n_events``, ``event_rate`` (Σλ), ``E``, ``risk`` (R) and ``missing``.
    """
    if not 0 <= w_governance <= 1:
        raise ModelInputError(f"profiles: w_governance must be in [0, 1], got {w_governance}")
    wgi = calc_wgi_eu(governance, year)
    g = governance.copy()
    g["year"] = pd.to_numeric(g["year"], errors="coerce")
    g = g[g["indicator"].isin(WGI_INDICATORS)]
    g = g.merge(wgi[["wgi_year"]], left_on="country", right_index=True)
    g = g[g["year"] == g["wgi_year"]]
    dims = g.pivot_table(index="country", columns="indicator", values="estimate", aggfunc="first")
    dims = dims.reindex(columns=list(WGI_INDICATORS)).add_prefix("wgi_")
    rates = calc_event_rates(events, year, window)
    r_w = rates.pivot_table(index="country", columns="event_type", values="rate", aggfunc="sum",
                            fill_value=0.0).add_prefix("rate_")
    n_w = rates.pivot_table(index="country", columns="event_type", values="n_events", aggfunc="sum",
                            fill_value=0).add_prefix("n_")
    idx = sorted(set(wgi.index) | set(r_w.index)) if countries is None else list(countries)
    out = pd.DataFrame(index=pd.Index(idx, name="country"))
    out = out.join(dims).join(wgi[["wgi_year", "wgi_eu"]]).join(r_w).join(n_w)
    rate_cols = [c for c in out.columns if c.startswith("rate_")]
    n_cols = [c for c in out.columns if c.startswith("n_")]
    out[rate_cols] = out[rate_cols].fillna(0.0)
    out[n_cols] = out[n_cols].fillna(0).astype(int)
    out["n_events"] = out[n_cols].sum(axis=1) if n_cols else 0
    out["event_rate"] = out[rate_cols].sum(axis=1) if rate_cols else 0.0
    out["G"] = out["wgi_eu"] / 10.0
    out["E"] = 1.0 - np.exp(-out["event_rate"])
    out["risk"] = w_governance * out["G"] + (1 - w_governance) * out["E"]
    out["missing"] = np.where(out["wgi_eu"].isna(), "WGI", "")
    out.attrs.update({"year": year, "window": window, "w_governance": w_governance})
    return out
