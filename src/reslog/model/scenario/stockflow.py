r"""Dynamic stock-flow model of low-carbon technologies (inflow-driven), with named dimensions
and mass-balance checks in the flodym design: every array carries its dimension letters
(``t`` time, ``r`` region, ``g`` technology, ``e`` element/material) and every process is
checked to balance each year.

**Products.** Inflow :math:`I_{t,r,g}` (capacity added: GW, or GWh for batteries) enters use;
a cohort installed in year :math:`c` survives to age :math:`a` with probability
:math:`S_g(a)` from the technology's lifetime distribution (normal, Weibull or lognormal),

.. math:: S_g(a) = \frac{1 - F_g(a)}{1 - F_g(0)},\qquad S_g(0) = 1,

(the renormalisation removes the mass a normal distribution puts below age 0). Stock and outflow:

.. math::
   s_{t,r,g} = \sum_{c \le t} I_{c,r,g}\,S_g(t-c),\qquad
   O_{t,r,g} = \sum_{c < t} I_{c,r,g}\,\bigl(S_g(t-1-c) - S_g(t-c)\bigr)

so that :math:`s_t - s_{t-1} = I_t - O_t` holds exactly for every year (the mass balance that
:func:`check_balance` verifies to 1e-9 relative). Stock present before the first model year is
not modelled: start the deployment series early enough (the shipped one starts in 2010).

**Materials.** With intensity :math:`m_{g,e}` (kg per unit):
demand :math:`D_{t,r,e} = \sum_g I_{t,r,g} m_{g,e}`; end-of-life material
:math:`W_{t,r,e} = \sum_g O_{t,r,g} m_{g,e}` (cohort intensity assumed constant over time);
secondary supply :math:`R = W\,\rho_{g,e}` with :math:`\rho` = collection × recovery;
primary (mined) demand :math:`D - R` floored at 0 (surplus scrap is reported, not exported).
Balances checked each year: :math:`D = P + R - X` (X the surplus) and :math:`W = R + L`
(L losses).

References
----------
Lauinger, D., Dürrschmidt, S., Pauliuk, S. et al. flodym — Flexible Open Dynamic Material
Systems Model (PIK, github.com/pik-piam/flodym): named-dimension arrays and stock types
this module follows.
Müller, D. B. (2006) Stock dynamics for forecasting material flows. Ecological Economics 59.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from reslog.errors import ModelInputError

DISTRIBUTIONS = ("normal", "weibull", "lognormal")


@dataclass(frozen=True)
class Lifetime:
    """A lifetime distribution in years: ``normal(mean, sd)``, ``weibull(shape, scale)`` or
    ``lognormal(mean, sd)`` (mean and sd of the lifetime itself, not of its log)."""

    kind: str
    a: float
    b: float

    def __post_init__(self) -> None:
        if self.kind not in DISTRIBUTIONS:
            raise ModelInputError(f"lifetime: kind '{self.kind}' unknown; use {DISTRIBUTIONS}")
        if not (self.a > 0 and self.b > 0):
            raise ModelInputError(f"lifetime {self.kind}: parameters must be > 0, got {self.a}, {self.b}")

    def cdf(self, age: np.ndarray) -> np.ndarray:
        """:math:`F(a)`."""
        if self.kind == "normal":
            return stats.norm.cdf(age, self.a, self.b)
        if self.kind == "weibull":
            return stats.weibull_min.cdf(age, self.a, scale=self.b)
        s2 = np.log(1 + (self.b / self.a) ** 2)
        return stats.lognorm.cdf(np.maximum(age, 1e-12), np.sqrt(s2), scale=self.a / np.sqrt(1 + (self.b / self.a) ** 2))

    def survival(self, n: int) -> np.ndarray:
        """:math:`S(0..n-1)` renormalised so that :math:`S(0) = 1`."""
        age = np.arange(n, dtype=float)
        f0 = float(self.cdf(np.array([0.0]))[0])
        return (1 - self.cdf(age)) / (1 - f0)


@dataclass
class StockFlowResult:
    """Arrays with named dimensions (``dims`` strings) and their coordinates."""

    years: np.ndarray
    regions: list[str]
    techs: list[str]
    elements: list[str]
    inflow: np.ndarray      # t,r,g
    stock: np.ndarray       # t,r,g
    outflow: np.ndarray     # t,r,g
    demand: np.ndarray      # t,r,e
    eol: np.ndarray         # t,r,e
    secondary: np.ndarray   # t,r,e
    primary: np.ndarray     # t,r,e
    surplus: np.ndarray     # t,r,e
    dims = {"inflow": "trg", "stock": "trg", "outflow": "trg", "demand": "tre", "eol": "tre",
            "secondary": "tre", "primary": "tre", "surplus": "tre"}

    def to_frame(self, name: str) -> pd.DataFrame:
        """One array as a long table with its named dimensions as columns."""
        arr = getattr(self, name)
        coords = {"t": self.years, "r": self.regions, "g": self.techs, "e": self.elements}
        d = self.dims[name]
        idx = pd.MultiIndex.from_product([coords[x] for x in d], names=[
            {"t": "year", "r": "region", "g": "technology", "e": "element"}[x] for x in d])
        return pd.DataFrame({name: arr.reshape(-1)}, index=idx).reset_index()


def calc_cohort_stock(inflow: np.ndarray, surv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stock and outflow of an inflow series ``(T, ...)`` with survival ``S(0..T-1)``."""
    T = inflow.shape[0]
    stock = np.zeros_like(inflow, dtype=float)
    out = np.zeros_like(inflow, dtype=float)
    for t in range(T):
        ages = t - np.arange(t + 1)
        w = surv[ages].reshape((-1,) + (1,) * (inflow.ndim - 1))
        stock[t] = (inflow[: t + 1] * w).sum(axis=0)
        if t > 0:
            d = (surv[ages[:-1] - 1] - surv[ages[:-1]]).reshape((-1,) + (1,) * (inflow.ndim - 1))
            out[t] = (inflow[:t] * d).sum(axis=0)
    return stock, out


def run_stock_flow(inflow: np.ndarray, years: np.ndarray, regions: list[str], techs: list[str],
                   lifetimes: dict[str, Lifetime], intensity: np.ndarray, elements: list[str],
                   recovery: np.ndarray) -> StockFlowResult:
    """Run the model (see the module docstring).

    Parameters
    ----------
    inflow : (t, r, g) capacity added per year, ≥ 0.
    lifetimes : technology → :class:`Lifetime`.
    intensity : (g, e) kg of element per unit of capacity.
    recovery : (g, e) share of end-of-life element recovered (collection × recovery), in [0, 1].
    """
    T, R, G = inflow.shape
    if (len(years), len(regions), len(techs)) != (T, R, G):
        raise ModelInputError(f"stock-flow: inflow shape {inflow.shape} ≠ (years {len(years)}, "
                              f"regions {len(regions)}, technologies {len(techs)})")
    if intensity.shape != (G, len(elements)) or recovery.shape != intensity.shape:
        raise ModelInputError(f"stock-flow: intensity {intensity.shape} / recovery {recovery.shape} "
                              f"must be (technologies {G}, elements {len(elements)})")
    if (inflow < 0).any() or not np.isfinite(inflow).all():
        raise ModelInputError("stock-flow: inflow must be finite and ≥ 0")
    if ((recovery < 0) | (recovery > 1)).any():
        raise ModelInputError("stock-flow: recovery rates must lie in [0, 1]")
    missing = [g for g in techs if g not in lifetimes]
    if missing:
        raise ModelInputError(f"stock-flow: no lifetime for technologies {missing}")
    stock = np.zeros_like(inflow, dtype=float)
    out = np.zeros_like(inflow, dtype=float)
    for k, g in enumerate(techs):
        s, o = calc_cohort_stock(inflow[:, :, k], lifetimes[g].survival(T))
        stock[:, :, k], out[:, :, k] = s, o
    demand = np.einsum("trg,ge->tre", inflow, intensity)
    eol = np.einsum("trg,ge->tre", out, intensity)
    secondary = np.einsum("trg,ge->tre", out, intensity * recovery)
    primary = np.maximum(demand - secondary, 0.0)
    surplus = primary - (demand - secondary)
    return StockFlowResult(np.asarray(years), list(regions), list(techs), list(elements), inflow,
                           stock, out, demand, eol, secondary, primary, surplus)


def check_balance(res: StockFlowResult, rtol: float = 1e-9) -> pd.DataFrame:
    """Every balance, every year: max relative residual per balance. Raises when above ``rtol``.

    * use phase: :math:`s_t - s_{t-1} - (I_t - O_t)` (with :math:`s_{-1} = 0`);
    * material supply: :math:`D - (P + R - X)`;
    * end of life: :math:`W - R - L \\ge 0`, i.e. :math:`R \\le W`.
    """
    prev = np.concatenate([np.zeros_like(res.stock[:1]), res.stock[:-1]])
    use = res.stock - prev - (res.inflow - res.outflow)
    scale_u = np.maximum.reduce([np.abs(res.stock), np.abs(res.inflow), np.abs(res.outflow),
                                 np.full_like(res.stock, 1e-300)])
    sup = res.demand - (res.primary + res.secondary - res.surplus)
    scale_s = np.maximum(np.abs(res.demand), 1e-300)
    eol_excess = np.maximum(res.secondary - res.eol, 0.0)
    rows = []
    for name, r, sc in (("use phase (stock change = inflow − outflow)", use, scale_u),
                        ("material supply (demand = primary + secondary − surplus)", sup, scale_s),
                        ("end of life (secondary ≤ end-of-life material)", eol_excess,
                         np.maximum(np.abs(res.eol), 1e-300))):
        rel = np.abs(r) / sc
        rel = np.where(np.abs(r) == 0, 0.0, rel)
        worst = np.unravel_index(int(np.argmax(rel)), rel.shape)
        rows.append({"balance": name, "max_relative_residual": float(rel.max()),
                     "worst_year": int(res.years[worst[0]])})
    out = pd.DataFrame(rows)
    bad = out[out["max_relative_residual"] > rtol]
    if len(bad):
        r = bad.iloc[0]
        raise ModelInputError(f"stock-flow mass balance broken: {r['balance']} residual "
                              f"{r['max_relative_residual']:.3g} > {rtol:g} in {r['worst_year']}")
    return out
