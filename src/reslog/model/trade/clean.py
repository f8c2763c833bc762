r"""Anomaly cleaning of bilateral trade quantities (the seeds' method), vectorised.

For every exporter–importer–product series (``i, j, k``) over the years ``t``:

1. **Missing quantities.** Where ``q`` is missing (BACI ``NA``), it is estimated from the value
   with the product's median unit value,

   .. math:: \hat q_{ijkt} = v_{ijkt} / \tilde u_{kt},\qquad
             \tilde u_{kt} = \operatorname{median}_{(i,j):\,q>0,\,v>0} (v_{ijkt}/q_{ijkt}),

   falling back to the median over all years of the product when no row of that product and
   year has both ``v > 0`` and ``q > 0``. If the product has no usable row at all the quantity
   stays missing (``q_clean`` NaN, ``q_estimated`` False). Unit values use the *raw* rows.

2. **Moving average.** A centred moving average over calendar years,
   :math:`MA_t = \operatorname{mean}\{q_s : |s - t| \le h, q_s \text{ observed}\}` with
   ``h = (window - 1) / 2`` (default window 5 → ±2 years). Years in which the series has no
   row are not zeros: they are simply absent from the mean. At the ends of a series the window
   is truncated (no padding, no extrapolation), so the first year's MA uses the first ``h + 1``
   years. ``centred=False`` gives a trailing window :math:`[t - w + 1, t]` instead.

3. **Residuals and the 2σ rule.** :math:`r_t = q_t - MA_t`. A year is an **outlier** when
   :math:`|r_t| > n_\sigma \sigma_t` (default :math:`n_\sigma = 2`), where the scale
   :math:`\sigma_t` is chosen by ``scale``:

   * ``"loo"`` (default): the standard deviation (``ddof`` 1) of the series' *other*
     residuals, :math:`\sigma_{-t}`. The published rule (``"sd"``) uses the standard deviation
     of all residuals, the tested point included; then one point can never lie more than
     :math:`(n-1)/\sqrt{n}` standard deviations from the mean of n points (Samuelson's
     inequality): 1.79σ for n = 5 and 2.04σ for n = 6, so with the default window and
     ``min_years`` of 5 the 2σ rule cannot fire on a short series at all —
     ``[1, 1, 1, 1, 100]`` and ``[1, 1, 100, 1, 1]`` flag nothing. Leaving the tested point
     out removes that cap.
   * ``"sd"``: the seeds' published method, kept for reproduction (a single σ per series).
   * ``"mad"``: a robust rule, :math:`|r_t - \tilde r| > n_\sigma \cdot 1.4826\cdot
     \operatorname{median}|r - \tilde r|` with :math:`\tilde r` the series' median residual
     (the MAD is consistent with σ for normal residuals; slower, it sorts per series). When
     over half the residuals are equal the MAD is 0; then 1.2533 × the mean absolute deviation
     from the median replaces it (Iglewicz & Hoaglin 1993).

   Series with fewer than ``min_years`` observed years are not tested (a 2σ rule on two or
   three points is noise). A point whose residual is within :math:`\mathrm{rtol}\cdot\overline{|q|}`
   (floating-point noise of the MA on a constant or almost constant series) is never flagged;
   with ``"sd"`` a series with :math:`\sigma \le \mathrm{rtol}\cdot\overline{|q|}` flags nothing.

4. **Replacement.** An outlier's quantity is replaced by linear interpolation in time between
   the nearest earlier and later *valid* (observed, not flagged) years of the same series. An
   outlier at an end of the series (no valid neighbour on one side) takes the value of the
   nearest valid year (constant, no extrapolation).

The raw ``q`` is kept; ``q_clean``, ``q_estimated`` and ``outlier`` are added beside it.
The implementation sorts once by (series, year) and then works on flat numpy arrays: window
sums are ``window`` shifted adds (exact, not cumulative sums, so small series next to large
ones lose no precision), per-series statistics are ``np.bincount`` reductions, and neighbours
for the interpolation come from running maxima/minima of indices. Cost: one ``argsort`` plus
``O(window · n)``.

References
----------
The seeds' trade-linked MFA (cleaning of BACI quantities by moving-average residuals).
Gaulier, G. & Zignago, S. (2010) BACI: International Trade Database at the Product-Level.
CEPII Working Paper 2010-23 (unit values and quantity reconciliation in BACI).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError

KEY_COLUMNS = ("i", "j", "k")
REQUIRED = ("t", "i", "j", "k", "v", "q")


@dataclass(frozen=True)
class CleaningParams:
    """Parameters of :func:`clean_trade` (see the module docstring for their meaning).

    Attributes
    ----------
    window : int
        Moving-average window in years (odd when centred). Default 5.
    n_sigma : float
        Outlier threshold in standard deviations of the series' residuals. Default 2.
    min_years : int
        Series with fewer observed years are not tested. Default 5 (= the window).
    ddof : int
        Delta degrees of freedom of σ. Default 1 (sample standard deviation, as pandas).
    centred : bool
        Centred (default) or trailing window.
    sigma_rtol : float
        σ below ``sigma_rtol`` × mean |q| of the series counts as zero (nothing flagged).
    scale : {"loo", "sd", "mad"}
        Scale of the residuals the threshold multiplies: leave-one-out σ (default), the
        published single σ per series, or the MAD (see the module docstring).
    """

    window: int = 5
    n_sigma: float = 2.0
    min_years: int = 5
    ddof: int = 1
    centred: bool = True
    sigma_rtol: float = 1e-9
    scale: Literal["loo", "sd", "mad"] = "loo"

    def __post_init__(self) -> None:
        if self.scale not in ("loo", "sd", "mad"):
            raise ModelInputError(f"cleaning: scale must be 'loo', 'sd' or 'mad', got {self.scale!r}")
        if self.window < 1:
            raise ModelInputError(f"cleaning: window must be ≥ 1 year, got {self.window}")
        if self.centred and self.window % 2 == 0:
            raise ModelInputError(f"cleaning: a centred window must be odd, got {self.window}")
        if self.n_sigma <= 0:
            raise ModelInputError(f"cleaning: n_sigma must be > 0, got {self.n_sigma}")
        if self.min_years < 2:
            raise ModelInputError(f"cleaning: min_years must be ≥ 2, got {self.min_years}")

    def describe(self) -> str:
        """Short text recorded beside cleaned rows (``window=5;n_sigma=2;...``)."""
        return (f"window={self.window};centred={self.centred};n_sigma={self.n_sigma:g};"
                f"min_years={self.min_years};ddof={self.ddof};scale={self.scale}")


# ---------------------------------------------------------------------------- validation
def _validate(trade: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED if c not in trade.columns]
    if missing:
        raise ModelInputError(f"trade frame lacks column(s) {missing}; has {list(trade.columns)}")
    v = trade["v"].to_numpy(dtype=float, na_value=np.nan)
    q = trade["q"].to_numpy(dtype=float, na_value=np.nan)
    for name, arr, allow_nan in (("v", v, False), ("q", q, True)):
        bad = (arr < 0) | (~np.isfinite(arr) & ~(allow_nan & np.isnan(arr)))
        if bad.any():
            r = trade.iloc[int(np.flatnonzero(bad)[0])]
            raise ModelInputError(
                f"trade block: {'negative' if arr[bad][0] < 0 else 'missing/non-finite'} "
                f"{name}={arr[bad][0]!r} at t={r['t']}, i={r['i']}, j={r['j']}, k={r['k']} "
                f"({int(bad.sum())} such row(s)); fix or drop them before cleaning")


def _series_ids(trade: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, sid_sorted, t_sorted): stable sort by (series, year) and series ids."""
    t = trade["t"].to_numpy(dtype=np.int64)
    ints = all(pd.api.types.is_integer_dtype(trade[c]) for c in KEY_COLUMNS)
    if ints:
        i = trade["i"].to_numpy(dtype=np.int64)
        j = trade["j"].to_numpy(dtype=np.int64)
        k = trade["k"].to_numpy(dtype=np.int64)
        ok = (i.min(initial=0) >= 0 and j.min(initial=0) >= 0 and k.min(initial=0) >= 0
              and i.max(initial=0) < 10_000 and j.max(initial=0) < 10_000
              and k.max(initial=0) < 10_000_000)
    else:
        ok = False
    if ok:
        series = (i * 10_000 + j) * 10_000_000 + k  # < 1e15
    else:
        series = trade.groupby(list(KEY_COLUMNS), sort=False).ngroup().to_numpy(dtype=np.int64)
    t0 = int(t.min()) if len(t) else 0
    span = int(t.max()) - t0 + 1 if len(t) else 1
    if series.max(initial=0) < (np.iinfo(np.int64).max // max(span, 1)) - 1:
        order = np.argsort(series * span + (t - t0), kind="stable")
    else:  # pragma: no cover - only with astronomically many series
        order = np.lexsort((t, series))
    s_sorted = series[order]
    t_sorted = t[order]
    if len(order) > 1:
        same = (s_sorted[1:] == s_sorted[:-1]) & (t_sorted[1:] == t_sorted[:-1])
        if same.any():
            r = trade.iloc[int(order[int(np.flatnonzero(same)[0])])]
            raise ModelInputError(
                f"trade block: duplicate key t={r['t']}, i={r['i']}, j={r['j']}, k={r['k']} "
                f"({int(same.sum())} duplicate row(s)); one row per exporter, importer, product "
                "and year is required")
    new = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        new[1:] = s_sorted[1:] != s_sorted[:-1]
    sid = np.cumsum(new) - 1
    return order, sid, t_sorted


# ---------------------------------------------------------------------------- pieces
def calc_unit_values(trade: pd.DataFrame) -> pd.DataFrame:
    """Median unit value ``v/q`` per product and year, with the all-years product median.

    Parameters
    ----------
    trade : DataFrame with ``t, k, v, q`` (``v`` thousand USD, ``q`` tonnes in BACI).

    Returns
    -------
    DataFrame
        ``k, t, unit_value, unit_value_all_years`` (``v`` units per ``q`` unit). Only rows with
        ``v > 0`` and ``q > 0`` count.
    """
    v = trade["v"].to_numpy(dtype=float, na_value=np.nan)
    q = trade["q"].to_numpy(dtype=float, na_value=np.nan)
    ok = (v > 0) & (q > 0)
    uv = pd.DataFrame({"k": trade["k"].to_numpy()[ok], "t": trade["t"].to_numpy()[ok],
                       "uv": v[ok] / q[ok]})
    per_year = uv.groupby(["k", "t"], sort=False)["uv"].median().rename("unit_value")
    all_years = uv.groupby("k", sort=False)["uv"].median().rename("unit_value_all_years")
    return per_year.reset_index().merge(all_years.reset_index(), on="k", how="left")


def estimate_missing_quantity(trade: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Fill missing ``q`` with ``v`` / (median unit value of the product).

    Returns
    -------
    (q_filled, estimated) : float array and bool array aligned with ``trade`` rows. Rows whose
        product has no usable unit value keep NaN and ``estimated`` False.
    """
    q = trade["q"].to_numpy(dtype=float, na_value=np.nan)
    miss = np.isnan(q)
    if not miss.any():
        return q.copy(), np.zeros(len(q), dtype=bool)
    uv = calc_unit_values(trade)
    sub = trade.loc[miss, ["k", "t", "v"]]
    m = sub.merge(uv, on=["k", "t"], how="left")
    per_year = m["unit_value"].to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(per_year).any():
        allk = uv.drop_duplicates("k").set_index("k")["unit_value_all_years"]
        fallback = sub["k"].map(allk).to_numpy(dtype=float, na_value=np.nan)
        per_year = np.where(np.isnan(per_year), fallback, per_year)
    est = sub["v"].to_numpy(dtype=float) / per_year
    out = q.copy()
    out[miss] = est
    estimated = np.zeros(len(q), dtype=bool)
    estimated[miss] = np.isfinite(est)
    return out, estimated


def calc_moving_average(sid: np.ndarray, t: np.ndarray, q: np.ndarray, window: int = 5,
                        centred: bool = True) -> np.ndarray:
    """Moving average over calendar years for rows sorted by (series id, year).

    Parameters
    ----------
    sid, t : int arrays, sorted by ``(sid, t)``, one row per (series, year).
    q : float array; NaN marks a row that is not observed (left out of the mean).
    window : window length in years; ``centred`` picks ``[t-h, t+h]`` or ``[t-w+1, t]``.

    Returns
    -------
    ndarray
        MA per row (NaN where the window holds no observed value).
    """
    n = len(q)
    valid = ~np.isnan(q)
    qz = np.where(valid, q, 0.0)
    total = qz.copy()
    count = valid.astype(np.int64)
    if centred:
        h = (window - 1) // 2
        offsets = [d for d in range(-h, h + 1) if d != 0]
        lo, hi = -h, h
    else:
        offsets = list(range(-(window - 1), 0))
        lo, hi = -(window - 1), 0
    for d in offsets:
        if abs(d) >= n:
            continue
        if d > 0:
            src, dst = slice(d, n), slice(0, n - d)
        else:
            src, dst = slice(0, n + d), slice(-d, n)
        dt = t[src] - t[dst]
        ok = (sid[src] == sid[dst]) & (dt >= lo) & (dt <= hi) & valid[src]
        total[dst] += np.where(ok, qz[src], 0.0)
        count[dst] += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def flag_outliers(sid: np.ndarray, q: np.ndarray, ma: np.ndarray,
                  params: CleaningParams = CleaningParams()) -> np.ndarray:
    """Boolean outlier flags by the ``|q − MA| > n_sigma · σ_t`` rule (rows sorted by series).

    σ_t is the leave-one-out, the whole-series or the MAD scale (``params.scale``).
    """
    valid = ~np.isnan(q) & ~np.isnan(ma)
    r = np.where(valid, q - ma, 0.0)
    nser = int(sid[-1]) + 1 if len(sid) else 0
    n = np.bincount(sid, weights=valid, minlength=nser)
    with np.errstate(invalid="ignore", divide="ignore"):
        S = np.bincount(sid, weights=r, minlength=nser)
        mean_r = S / n
        dev = np.where(valid, r - mean_r[sid], 0.0)
        ss = np.bincount(sid, weights=dev * dev, minlength=nser)
        scale = np.bincount(sid, weights=np.where(valid, np.abs(q), 0.0), minlength=nser) / n
        floor = params.sigma_rtol * scale
        if params.scale == "sd":
            sigma = np.sqrt(ss / (n - params.ddof))
            testable = (n >= params.min_years) & (n > params.ddof) & (sigma > floor)
            return valid & testable[sid] & (np.abs(r) > params.n_sigma * np.nan_to_num(sigma)[sid])
        if params.scale == "loo":
            # the other points' sum of squared deviations: ss − n/(n−1)·(r_t − mean)²
            n_t = n[sid] - 1.0
            ss_t = ss[sid] - (n[sid] / n_t) * (r - mean_r[sid]) ** 2
            # the subtraction cancels when the other points are (nearly) equal: below its
            # rounding error the other points' spread is 0
            ss_t = np.where(ss_t <= 64 * np.finfo(float).eps * ss[sid], 0.0, ss_t)
            sig_t = np.sqrt(np.maximum(ss_t, 0.0) / (n_t - params.ddof))
            dist = np.abs(r)
        else:  # mad: distance from the series' median residual
            med, mad = _median_mad(sid, r, valid, nser)
            sig_t = mad[sid]
            dist = np.abs(r - np.nan_to_num(med)[sid])
    testable = (n >= params.min_years) & (n - 1 > params.ddof)
    thr = np.maximum(params.n_sigma * np.nan_to_num(sig_t), floor[sid])
    return valid & testable[sid] & (dist > thr)


def _median_mad(sid: np.ndarray, r: np.ndarray, valid: np.ndarray, nser: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-series median residual and 1.4826 · median |r − median r| over valid rows (NaN if none)."""
    df = pd.DataFrame({"sid": sid[valid], "r": r[valid]})
    med_s = df.groupby("sid")["r"].median()
    absdev = (df["r"] - med_s.reindex(df["sid"]).to_numpy()).abs().groupby(df["sid"])
    mad = absdev.median() * 1.482602218505602
    # MAD = 0 when over half the residuals are equal: use 1.2533 · mean |r − median| instead
    # (Iglewicz & Hoaglin 1993), so the other residuals are not all "outliers"
    mad = mad.where(mad > 0, absdev.mean() * 1.2533141373155)
    out_med, out_mad = np.full(nser, np.nan), np.full(nser, np.nan)
    out_med[med_s.index.to_numpy()] = med_s.to_numpy()
    out_mad[mad.index.to_numpy()] = mad.to_numpy()
    return out_med, out_mad


def interpolate_flagged(sid: np.ndarray, t: np.ndarray, q: np.ndarray,
                        flagged: np.ndarray) -> np.ndarray:
    """Replace flagged rows by linear interpolation between the series' neighbouring valid years.

    Rows sorted by (sid, t). Valid = observed and not flagged. End outliers take the nearest
    valid value; a flagged row with no valid year in its series (impossible under the 2σ rule)
    keeps its raw value.
    """
    n = len(q)
    out = q.copy()
    if not flagged.any():
        return out
    good = ~np.isnan(q) & ~flagged
    idx = np.arange(n)
    prev = np.maximum.accumulate(np.where(good, idx, -1))
    nxt = np.minimum.accumulate(np.where(good, idx, n)[::-1])[::-1]
    f = np.flatnonzero(flagged)
    p, x = prev[f], nxt[f]
    has_p = (p >= 0) & (sid[np.clip(p, 0, n - 1)] == sid[f])
    has_x = (x < n) & (sid[np.clip(x, 0, n - 1)] == sid[f])
    pc, xc = np.clip(p, 0, n - 1), np.clip(x, 0, n - 1)
    qp, qx = q[pc], q[xc]
    tp, tx, tf = t[pc].astype(float), t[xc].astype(float), t[f].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        interp = qp + (qx - qp) * (tf - tp) / (tx - tp)
    val = np.where(has_p & has_x, interp, np.where(has_p, qp, np.where(has_x, qx, q[f])))
    out[f] = val
    return out


# ---------------------------------------------------------------------------- orchestrator
def clean_trade(trade: pd.DataFrame, params: CleaningParams | None = None) -> pd.DataFrame:
    """Clean trade quantities series by series (see the module docstring).

    Parameters
    ----------
    trade : DataFrame
        Long bilateral trade with at least ``t, i, j, k, v, q`` (BACI layout: ``v`` thousand
        USD, ``q`` tonnes, ``q`` NaN when missing). One row per ``(t, i, j, k)``. Other columns
        (e.g. ``hs_revision``) are carried through. Mixing HS revisions in one call is the
        caller's business: clean one revision at a time.
    params : CleaningParams, optional

    Returns
    -------
    DataFrame
        The input rows in their input order, plus ``q_clean`` (tonnes), ``q_estimated``
        (bool: ``q`` was missing and estimated from ``v``) and ``outlier`` (bool).

    Raises
    ------
    ModelInputError
        Missing columns, negative or non-finite values, duplicate keys.
    """
    params = params or CleaningParams()
    _validate(trade)
    out = trade.copy()
    if len(trade) == 0:
        out["q_clean"] = pd.Series(dtype=float)
        out["q_estimated"] = pd.Series(dtype=bool)
        out["outlier"] = pd.Series(dtype=bool)
        return out
    q_filled, estimated = estimate_missing_quantity(trade)
    order, sid, t_sorted = _series_ids(trade)
    qs = q_filled[order]
    ma = calc_moving_average(sid, t_sorted, qs, params.window, params.centred)
    flags = flag_outliers(sid, qs, ma, params)
    cleaned = interpolate_flagged(sid, t_sorted, qs, flags)
    q_clean = np.empty_like(cleaned)
    q_clean[order] = cleaned
    outlier = np.empty_like(flags)
    outlier[order] = flags
    out["q_clean"] = q_clean
    out["q_estimated"] = estimated
    out["outlier"] = outlier
    return out


def partition_by_product(trade: pd.DataFrame, digits: int = 2) -> dict[int, pd.DataFrame]:
    """Split a trade frame by HS chapter (or heading) for chunked or parallel cleaning.

    Cleaning is independent across products (series and unit values are per product), so the
    union of :func:`clean_trade` over these parts equals cleaning the whole frame. ``digits``
    2 → chapters, 4 → headings. Product codes are integers with the leading zero dropped.
    """
    key = trade["k"].to_numpy(dtype=np.int64) // 10 ** (6 - digits)
    return {int(g): part for g, part in trade.groupby(key, sort=True)}
