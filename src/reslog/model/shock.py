"""Supply-shock analysis: a mine or country stops producing for N months — who loses what.

Three pure steps, then one orchestrator (:func:`analyse_shock`):

1. **Supply cut** (:func:`calc_supply_cut`): lost tonnes ``ΔQ = Q_year · N/12`` (annual
   output Q of the mine or country, N months of stoppage), and its share of world and
   country production over the same period.
2. **Trade propagation** (:func:`allocate_to_consumers`): the lost tonnes are allocated to
   the users of the origin's output in proportion to what each received in the base year:
   ``ΔQ_d = ΔQ · q_o→d / Σ_d' q_o→d'``, where ``q_o→o`` (domestic use) is production minus
   exports (:func:`calc_destinations`). Inputs are physical trade flows (BACI ``q``) or,
   better, origin shares from trade tracing (Kastner et al. 2011), which follow the metal
   through re-exports.
3. **IO propagation** (:func:`propagate_ghosh_mixed`): the value of the lost output
   ``ΔX_m = ΔQ · p`` (p = unit value of the origin's exports, ``v/q`` in BACI) is the
   *exogenous* output loss of the origin's mining sector m over the table's year. The mixed
   supply-driven model (Miller & Blair 2009, §12.2; Oosterhaven 1988) fixes that loss and
   lets every other sector follow the Ghosh allocation relation
   ``q_N = A_NNᵀ q_N + A_mNᵀ q_m`` with ``q = Δx / x`` (relative loss, the supply-side
   inoperability). So the shocked sector loses exactly the stated value, and its buyers lose
   in proportion to the share of their inputs it supplied, directly and through the chain.
   Feeding ΔX_m in as a primary-input loss Δv instead (:func:`propagate_ghosh`, the plain
   Ghosh model) would make the mine's own output fall by ``Δv·G_mm ≥ Δv``: more than was
   lost, whenever the mine buys from itself or from its own customers.

   Both are linear, fixed-allocation, no-substitution models. They are **not** a bound in
   either direction: substitution and stocks make real losses smaller, while shortages of
   inputs that cannot be substituted (a missing reagent stops a whole plant) make them
   larger (Oosterhaven 1988; Dietzenbacher 1997). Read the sector losses as an allocation of
   the supply loss along sales shares that ranks exposure, not as a forecast of output.

References
----------
Kastner, T., Kastner, M. & Nonhebel, S. (2011) Tracing distant environmental impacts of
agricultural products from a consumer perspective. Ecol. Econ. 70, 1032–1040.
Miller, R. E. & Blair, P. D. (2009) Input–Output Analysis, 2nd ed., ch. 12.
Oosterhaven, J. (1988) On the plausibility of the supply-driven input-output model.
J. Regional Science 28, 203–217.
Dietzenbacher, E. (1997) In vindication of the Ghosh model: a reinterpretation as a price
model. J. Regional Science 37, 629–651.
Santos, J. R. & Haimes, Y. Y. (2004) Modeling the demand reduction input-output (I-O)
inoperability due to terrorism of interconnected infrastructures. Risk Analysis 24, 1437–1451.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError


@dataclass(frozen=True)
class SupplyCut:
    """The direct size of a shock.

    Attributes
    ----------
    origin : ISO3 of the producing country.
    commodity : canonical commodity.
    months : duration of the stoppage.
    tonnes : lost production over the period (same unit as the inputs, usually t).
    share_world : lost tonnes / world production over the same period (0–1).
    share_country : lost tonnes / the origin country's production over the period (0–1).
    """

    origin: str
    commodity: str
    months: float
    tonnes: float
    share_world: float
    share_country: float


_CAP_RE = re.compile(r"([\d.,]+)\s*(kt|mt|t|tonnes|tons|million tonnes|million t)\b", re.I)
_CAP_MULT = {"t": 1.0, "tonnes": 1.0, "tons": 1.0, "kt": 1e3, "mt": 1e6, "million tonnes": 1e6,
             "million t": 1e6}


def parse_capacity(text: object) -> float | None:
    """Annual capacity in tonnes from a text such as ``"30 Mt/y iron ore"`` (None if absent).

    Recognises t, kt, Mt (and "million tonnes"); the first match counts.
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    m = _CAP_RE.search(str(text))
    if not m:
        return None
    return float(m.group(1).replace(",", "")) * _CAP_MULT[m.group(2).lower()]


def calc_supply_cut(annual_output: float, months: float, *, world_production: float,
                    country_production: float, origin: str, commodity: str) -> SupplyCut:
    """Lost tonnes ``ΔQ = Q · N/12`` and its shares of world and country production.

    Parameters
    ----------
    annual_output : float
        Annual output of the stopped mine (or country), tonnes per year.
    months : float
        Duration of the stoppage, 0 < N ≤ 120.
    world_production, country_production : float
        Annual production, same unit; ``annual_output ≤ country_production ≤ world_production``.
    """
    if not 0 < months <= 120:
        raise ModelInputError(f"shock: months must be in (0, 120], got {months}")
    for n, v in (("annual_output", annual_output), ("world_production", world_production),
                 ("country_production", country_production)):
        if v is None or not np.isfinite(v) or v <= 0:
            raise ModelInputError(f"shock: {n} must be a positive number, got {v}")
    if annual_output > country_production * (1 + 1e-9):
        raise ModelInputError(
            f"shock: the mine's annual output {annual_output:,.0f} exceeds {origin}'s production "
            f"{country_production:,.0f} of {commodity}; check units")
    if country_production > world_production * (1 + 1e-9):
        raise ModelInputError(
            f"shock: {origin}'s production {country_production:,.0f} exceeds world production "
            f"{world_production:,.0f}; check units")
    lost = annual_output * months / 12.0
    return SupplyCut(origin, commodity, float(months), lost, annual_output / world_production,
                     annual_output / country_production)


def calc_destinations(production: float, exports_by_destination: pd.Series, origin: str) -> pd.Series:
    """Where the origin's output goes: exports by destination + domestic use (tonnes).

    Domestic use = production − Σ exports, floored at 0 (exports can exceed production when
    stocks or re-exports are involved; then everything is attributed to the destinations).
    """
    ex = pd.Series(exports_by_destination, dtype=float)
    bad = ex.index[ex.isna() | (ex < 0)].tolist()
    if bad:
        raise ModelInputError(f"shock: exports missing or negative for destinations {bad}")
    ex = ex.drop(labels=[origin], errors="ignore")
    dom = max(float(production) - float(ex.sum()), 0.0)
    out = pd.concat([ex, pd.Series({origin: dom})]).groupby(level=0).sum()
    out.name = "tonnes"
    return out


def allocate_to_consumers(lost_tonnes: float, destinations: pd.Series) -> pd.DataFrame:
    """Allocate lost tonnes to consuming countries in proportion to base-year deliveries.

    Returns
    -------
    DataFrame
        Indexed by country, sorted by loss: ``base_tonnes`` (what it received per year),
        ``share`` (of the origin's deliveries), ``lost_tonnes``.
    """
    d = pd.Series(destinations, dtype=float)
    if d.isna().any() or (d < 0).any() or d.sum() <= 0:
        raise ModelInputError("shock: destination flows must be ≥ 0 with a positive total")
    share = d / d.sum()
    out = pd.DataFrame({"base_tonnes": d, "share": share, "lost_tonnes": lost_tonnes * share})
    out.index.name = "country"
    return out.sort_values("lost_tonnes", ascending=False)


def _check_io(Z: pd.DataFrame, x: pd.Series, shocked: pd.Series, what: str) -> None:
    if not Z.index.equals(Z.columns):
        raise ModelInputError("Z: row and column labels differ; the Ghosh model needs a square Z")
    if not Z.index.equals(x.index):
        raise ModelInputError("x: labels differ from Z's")
    unknown = [lab for lab in shocked.index if lab not in Z.index]
    if unknown:
        raise ModelInputError(f"{what}: labels not in Z: {unknown[:5]}")


def propagate_ghosh(Z: pd.DataFrame, x: pd.Series, delta_v: pd.Series) -> pd.DataFrame:
    """Plain Ghosh output loss from a primary-input loss: ``Δxᵀ = Δvᵀ (I − B)⁻¹``, ``B = x̂⁻¹ Z``.

    Use this when the shock is a loss of primary supply (labour, capital, an import) of value
    Δv. For "sector m lost ΔX_m of its output" use :func:`propagate_ghosh_mixed`: here the
    shocked sector's own loss is ``Δv·G_mm ≥ Δv``.

    Parameters
    ----------
    Z : DataFrame
        Intermediate flows, rows = supplying (region, sector), columns = using (region,
        sector), identical labels (money per year).
    x : Series
        Gross output with the same labels.
    delta_v : Series
        Lost primary supply (value) by (region, sector) label; labels must exist in Z.

    Returns
    -------
    DataFrame
        Indexed like Z: ``x``, ``delta_x`` (loss, same money unit) and ``rel_loss`` = Δx/x
        (0 where x = 0).
    """
    from reslog.model.io.core import calc_B

    _check_io(Z, x, delta_v, "delta_v")
    xv = x.to_numpy(dtype=float)
    B = calc_B(Z.to_numpy(dtype=float), xv)
    dv = delta_v.reindex(Z.index).fillna(0.0).to_numpy(dtype=float)
    n = len(xv)
    dx = np.linalg.solve((np.eye(n) - B).T, dv)
    rel = np.divide(dx, xv, out=np.zeros_like(dx), where=xv != 0)
    return pd.DataFrame({"x": xv, "delta_x": dx, "rel_loss": rel}, index=Z.index)


def propagate_ghosh_mixed(Z: pd.DataFrame, x: pd.Series, output_loss: pd.Series) -> pd.DataFrame:
    """Mixed supply-driven model: the shocked sectors lose exactly ``output_loss``; the rest follow.

    With ``q = Δx / x`` and ``A = Z x̂⁻¹``, the shocked set E has ``q_E = ΔX_E / x_E`` fixed and
    every other sector j obeys the Ghosh allocation relation ``q_j = Σ_i q_i A_ij`` (each buyer
    loses output in proportion to the share of its inputs that the lost sales were). Solved as
    ``(I − Ã)ᵀ q = c``, Ã = A without the columns E, ``c = (q_E, 0)``, by
    :func:`reslog.model.io.shock.calc_ghosh_mixed` (Miller & Blair 2009, §12.2).

    Parameters
    ----------
    Z : DataFrame
        Intermediate flows (money per year), square, same labels on rows and columns.
    x : Series
        Gross output (money per year), labels of Z.
    output_loss : Series
        Exogenous loss of output ΔX (same money unit per year) of the shocked labels; each
        must satisfy ``0 ≤ ΔX ≤ x``.

    Returns
    -------
    DataFrame
        Indexed like Z: ``x``, ``delta_x`` (loss, money) and ``rel_loss`` = Δx/x. For a shocked
        label, ``delta_x`` equals the stated loss.
    """
    from reslog.model.io.core import calc_A, calc_I_minus_A
    from reslog.model.io.shock import calc_ghosh_mixed
    from reslog.model.io.solve import LeontiefSolver

    _check_io(Z, x, output_loss, "output_loss")
    loss = pd.Series(output_loss, dtype=float)
    if loss.index.has_duplicates:
        raise ModelInputError(f"output_loss: labels listed twice: {loss.index[loss.index.duplicated()].tolist()[:5]}")
    xv = x.to_numpy(dtype=float)
    E = Z.index.get_indexer(loss.index)
    xE = xv[E]
    bad = [(lab, v, xe) for lab, v, xe in zip(loss.index, loss.to_numpy(), xE)
           if not np.isfinite(v) or v < 0 or xe <= 0 or v > xe * (1 + 1e-12)]
    if bad:
        lab, v, xe = bad[0]
        raise ModelInputError(
            f"shock: the output loss of {lab} must lie in [0, x] = [0, {xe:,.6g}], got {v:,.6g}; "
            "check the unit value (money per tonne in the table's unit) and the months")
    Zm = Z.to_numpy(dtype=float)
    solver = LeontiefSolver(calc_I_minus_A(Zm, xv), method="lu", own=True)
    A_cols = calc_A(Zm, xv)[:, E]
    q = calc_ghosh_mixed(solver, A_cols, E, loss.to_numpy() / xE)
    dx = q * xv
    dx[E] = loss.to_numpy()
    return pd.DataFrame({"x": xv, "delta_x": dx, "rel_loss": q}, index=Z.index)


@dataclass
class ShockReport:
    """Everything a shock analysis produced (tables sorted by loss)."""

    cut: SupplyCut
    consumers: pd.DataFrame
    sectors: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self, top: int = 5) -> str:
        """Plain-text summary naming the top consuming countries with tonnes."""
        from reslog.schema import country_name

        c = self.cut
        lines = [
            f"{c.commodity} supply cut in {country_name(c.origin)} for {c.months:g} months: "
            f"{c.tonnes:,.0f} t lost ({100 * c.share_world:.2f}% of world and "
            f"{100 * c.share_country:.1f}% of {c.origin} supply over the period).",
            "Top affected consumers (lost tonnes):",
        ]
        for iso, r in self.consumers.head(top).iterrows():
            lines.append(f"  {country_name(str(iso))} ({iso}): {r['lost_tonnes']:,.0f} t "
                         f"({100 * r['share']:.1f}% of deliveries)")
        if self.sectors is not None and len(self.sectors):
            lines.append("Top affected sectors (Ghosh, output loss):")
            for lab, r in self.sectors.head(top).iterrows():
                lines.append(f"  {lab}: {r['delta_x']:,.1f} ({100 * r['rel_loss']:.3f}% of output)")
        lines.extend(f"Note: {n}" for n in self.notes)
        return "\n".join(lines)


def analyse_shock(cut: SupplyCut, destinations: pd.Series, *, unit_value: float | None = None,
                  Z: pd.DataFrame | None = None, x: pd.Series | None = None,
                  origin_label: object | None = None, top: int = 10) -> ShockReport:
    """Orchestrate steps 2–3 for a computed :class:`SupplyCut`.

    Parameters
    ----------
    destinations : Series
        Base-year deliveries of the origin by consuming country (tonnes), e.g.
        :func:`calc_destinations` or trade-tracing origin shares × production.
    unit_value : float, optional
        Value per tonne in the IO table's money unit (e.g. million USD per t); with ``Z``,
        ``x`` and ``origin_label`` (the origin's mining sector label in Z), the mixed Ghosh step
        runs (:func:`propagate_ghosh_mixed`).
    """
    consumers = allocate_to_consumers(cut.tonnes, destinations)
    notes = [f"Lost tonnes allocated to consumers by base-year deliveries ({len(consumers)} countries)."]
    sectors = None
    if Z is not None and x is not None and origin_label is not None and unit_value is not None:
        if unit_value <= 0:
            raise ModelInputError(f"shock: unit_value must be > 0, got {unit_value}")
        lost_value = pd.Series({origin_label: cut.tonnes * unit_value})
        g = propagate_ghosh_mixed(Z, x, lost_value)
        sectors = g[g["delta_x"] > 0].sort_values("delta_x", ascending=False).head(top)
        notes.append("Sector losses: mixed supply-driven (Ghosh) model — the origin sector loses "
                     "exactly the value of the lost tonnes; fixed allocation, no substitution; "
                     "not a bound (non-substitutable inputs can make real losses larger).")
    return ShockReport(cut, consumers, sectors, notes)
