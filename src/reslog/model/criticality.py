"""EU-method criticality: import reliance, supply risk (SR) and economic importance (EI).

Pure functions; the sourcing economy is a parameter (``scope``), so the same formulas
serve the EU, Japan, the USA or a single country.

Supply risk (Blengini et al. 2017, eq. 2; European Commission 2023, section 2)::

    SR = [ HHI_WGI,t(GS) · IR/2 + HHI_WGI,t(scope sourcing) · (1 − IR/2) ] · (1 − EoL_RIR) · SI_SR

* ``HHI_WGI,t(GS)``: governance-weighted concentration of *global supply* (world production
  shares), :func:`reslog.model.concentration.calc_hhi_wgi`, EU 0–10 scale.
* ``HHI_WGI,t(scope sourcing)``: the same over the *actual sourcing* of the scope economy:
  its own production plus its imports by origin country (for the EU: member states'
  production plus extra-EU imports).
* ``IR`` import reliance, :func:`calc_import_reliance`, in [0, 1].
* ``EoL_RIR`` end-of-life recycling input rate in [0, 1]; ``SI_SR`` substitution index for
  supply risk in [0, 1] (1 = no substitute).

Economic importance (Blengini et al. 2017, eq. 1)::

    EI = Σ_s (A_s · Q_s) · SI_EI  /  Q_max · 10

``A_s`` share of the material's end uses in manufacturing sector ``s`` (NACE Rev.2 2-digit),
``Q_s`` the sector's value added in the scope economy, ``SI_EI`` the substitution index for
EI, and ``Q_max`` the value added of the largest manufacturing sector (the EU scaling step
that puts EI on a 0–10 scale). Thresholds for criticality: SR ≥ 1 and EI ≥ 2.8.

References
----------
Blengini, G. A. et al. (2017) *Assessment of the Methodology for Establishing the EU List of
Critical Raw Materials — Background report*. JRC106997. doi:10.2760/73303.

European Commission (2017) *Methodology for establishing the EU list of critical raw
materials — Guidelines*. doi:10.2873/769526.

European Commission (2023) *Study on the critical raw materials for the EU 2023 — Final
report* (Grohol, M. & Veeh, C.). doi:10.2873/725585.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.concentration import calc_hhi_wgi

SR_THRESHOLD = 1.0
EI_THRESHOLD = 2.8

# EU-27 member states (sourcing scope "EU"): intra-EU flows are not imports.
EU27: frozenset[str] = frozenset({
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
})


def scope_members(scope: str) -> frozenset[str]:
    """ISO3 members of a sourcing scope: ``"EU"`` (EU-27) or one ISO3 country code."""
    s = scope.strip().upper()
    if s in ("EU", "EU27", "EU-27"):
        return EU27
    if len(s) == 3 and s.isalpha():
        return frozenset({s})
    raise ModelInputError(f"scope: expected 'EU' or an ISO3 country code, got {scope!r}")


def _unit(name: str, v: float) -> float:
    if v is None or not np.isfinite(v) or v < -1e-12 or v > 1 + 1e-12:
        raise ModelInputError(f"{name} must be a fraction in [0, 1], got {v}")
    return float(min(max(v, 0.0), 1.0))


def calc_import_reliance(imports: float, exports: float, domestic_production: float) -> float:
    """Net import reliance ``IR = (I − E) / (P + I − E)``, bounded to [0, 1].

    Parameters
    ----------
    imports, exports, domestic_production : float
        Flows of the scope economy in one physical unit (e.g. t of contained metal per year);
        for the EU, extra-EU trade only.

    Returns
    -------
    float
        0 for a net exporter, 1 when nothing is produced domestically.

    Raises
    ------
    ModelInputError
        Negative flows, or apparent consumption ``P + I − E`` ≤ 0 with positive net imports.
    """
    for n, v in (("imports", imports), ("exports", exports), ("domestic_production", domestic_production)):
        if v is None or not np.isfinite(v) or v < 0:
            raise ModelInputError(f"import reliance: {n} must be a finite number ≥ 0, got {v}")
    net = imports - exports
    if net <= 0:
        return 0.0
    apparent = domestic_production + net
    return float(min(net / apparent, 1.0))


def calc_sourcing_shares(domestic_production: pd.Series, imports_by_origin: pd.Series,
                         scope: str) -> pd.Series:
    """Percent shares of the scope economy's actual sourcing by supplying country.

    Sourcing = domestic production of each member + imports from each non-member origin
    (imports from members are intra-scope and ignored, as in the EU method).

    Parameters
    ----------
    domestic_production : Series
        Production by ISO3 country (only members of ``scope`` are used).
    imports_by_origin : Series
        Imports into the scope by ISO3 origin (same unit).
    scope : str
        ``"EU"`` or an ISO3 code.

    Returns
    -------
    Series
        Shares in percent indexed by supplying country, summing to 100.
    """
    members = scope_members(scope)
    dom = pd.Series(domestic_production, dtype=float)
    imp = pd.Series(imports_by_origin, dtype=float)
    for name, s in (("domestic_production", dom), ("imports_by_origin", imp)):
        bad = s.index[s.isna() | (s < 0)].tolist()
        if bad:
            raise ModelInputError(f"sourcing: {name} has missing or negative values for {bad}")
    dom = dom[dom.index.isin(members)]
    imp = imp[~imp.index.isin(members)]
    total = pd.concat([dom, imp]).groupby(level=0).sum()
    if total.sum() <= 0:
        raise ModelInputError(f"sourcing: scope {scope} has neither production nor imports")
    out = (100.0 * total / total.sum()).sort_values(ascending=False)
    out.name = "share_pct"
    return out


def calc_supply_risk(hhi_wgi_gs: float, hhi_wgi_sourcing: float, import_reliance: float,
                     eol_rir: float, si_sr: float) -> float:
    """EU supply risk ``SR = [HHI_GS·IR/2 + HHI_scope·(1 − IR/2)]·(1 − EoL_RIR)·SI_SR``.

    Parameters
    ----------
    hhi_wgi_gs, hhi_wgi_sourcing : float
        Governance-weighted concentrations (EU 0–10 scale, trade factor included).
    import_reliance, eol_rir, si_sr : float
        Fractions in [0, 1].

    Returns
    -------
    float
        SR (dimensionless, ≥ 0; ≥ 1 is the EU criticality threshold).
    """
    for n, v in (("hhi_wgi_gs", hhi_wgi_gs), ("hhi_wgi_sourcing", hhi_wgi_sourcing)):
        if v is None or not np.isfinite(v) or v < 0:
            raise ModelInputError(f"supply risk: {n} must be a finite number ≥ 0, got {v}")
    ir = _unit("import_reliance", import_reliance)
    rir = _unit("eol_rir", eol_rir)
    si = _unit("si_sr", si_sr)
    return float((hhi_wgi_gs * ir / 2 + hhi_wgi_sourcing * (1 - ir / 2)) * (1 - rir) * si)


def calc_economic_importance(end_use_shares: pd.Series | Mapping[str, float],
                             value_added: pd.Series | Mapping[str, float], si_ei: float,
                             q_max: float | None = None) -> float:
    """EU economic importance ``EI = 10 · Σ_s(A_s·Q_s) · SI_EI / Q_max``.

    Parameters
    ----------
    end_use_shares : Series or mapping
        ``A_s``: share of the material's end uses allocated to sector ``s`` (fractions summing
        to ≤ 1).
    value_added : Series or mapping
        ``Q_s``: value added of each sector in the scope economy (any currency unit).
    si_ei : float
        Substitution index for EI, in [0, 1].
    q_max : float, optional
        Scaling value added (the largest manufacturing sector of the scope economy); defaults
        to the largest ``Q_s`` given.

    Returns
    -------
    float
        EI on the 0–10 scale (≥ 2.8 is the EU criticality threshold).
    """
    a = pd.Series(end_use_shares, dtype=float)
    q = pd.Series(value_added, dtype=float)
    missing = sorted(set(a.index[a > 0]) - set(q.index))
    if missing:
        raise ModelInputError(f"economic importance: no value added for sectors {missing}")
    if (a < 0).any() or a.sum() > 1 + 1e-6:
        raise ModelInputError(
            f"economic importance: end-use shares must be ≥ 0 and sum to ≤ 1 (sum {a.sum():.4f})")
    if (q < 0).any() or q.isna().any():
        raise ModelInputError(
            f"economic importance: value added missing or negative for {q.index[(q < 0) | q.isna()].tolist()}")
    si = _unit("si_ei", si_ei)
    qmax = float(q.max()) if q_max is None else float(q_max)
    if not np.isfinite(qmax) or qmax <= 0:
        raise ModelInputError(f"economic importance: q_max must be > 0, got {qmax}")
    return float(10.0 * (a * q.reindex(a.index)).sum() * si / qmax)


@dataclass(frozen=True)
class CriticalityResult:
    """SR/EI of one material for one scope, with the intermediate numbers."""

    commodity: str
    scope: str
    hhi_wgi_gs: float
    hhi_wgi_sourcing: float
    import_reliance: float
    eol_rir: float
    si_sr: float
    sr: float
    ei: float | None

    @property
    def critical(self) -> bool:
        """SR ≥ 1 and EI ≥ 2.8 (EU thresholds)."""
        return self.ei is not None and self.sr >= SR_THRESHOLD and self.ei >= EI_THRESHOLD


def assess_material(commodity: str, scope: str, global_shares: pd.Series,
                    sourcing_shares: pd.Series, wgi_eu: pd.Series, *, import_reliance: float,
                    eol_rir: float, si_sr: float, ei: float | None = None,
                    trade_factor: pd.Series | Mapping[str, float] | None = None) -> CriticalityResult:
    """Supply risk of one material from production and sourcing shares (the SR orchestrator).

    Parameters
    ----------
    global_shares, sourcing_shares : Series
        Percent shares (``calc_shares`` / :func:`calc_sourcing_shares`); ``ROW`` ignored.
    wgi_eu : Series
        EU-scaled WGI per country (0–10). Countries without WGI are left out (lower bound).
    import_reliance, eol_rir, si_sr : float
        Fractions in [0, 1].
    ei : float, optional
        Economic importance (computed elsewhere or published).
    trade_factor : optional
        Export-restriction factors tᵢ ≥ 1 by country.
    """
    gs = calc_hhi_wgi(global_shares, wgi_eu, trade_factor=trade_factor, missing="exclude")
    src = calc_hhi_wgi(sourcing_shares, wgi_eu, trade_factor=trade_factor, missing="exclude")
    sr = calc_supply_risk(gs, src, import_reliance, eol_rir, si_sr)
    return CriticalityResult(commodity, scope, gs, src, float(import_reliance), float(eol_rir),
                             float(si_sr), sr, ei)


def compare_published(computed: pd.DataFrame, published: pd.DataFrame,
                      tolerance: float = 0.10) -> pd.DataFrame:
    """Computed vs published SR (and EI) per commodity, with relative difference.

    Parameters
    ----------
    computed : DataFrame
        Columns ``commodity``, ``sr`` (and optionally ``ei``).
    published : DataFrame
        Columns ``commodity``, ``sr_published`` (and optionally ``ei_published``), ``source``.
    tolerance : float
        Relative tolerance for the ``within_tolerance`` flag.

    Returns
    -------
    DataFrame
        ``commodity``, ``sr``, ``sr_published``, ``sr_rel_diff`` = sr/sr_published − 1,
        ``within_tolerance`` and the published ``source``.
    """
    m = computed.merge(published, on="commodity", how="outer")
    m["sr_rel_diff"] = m["sr"] / m["sr_published"] - 1.0
    m["within_tolerance"] = m["sr_rel_diff"].abs() <= tolerance
    return m


def criticality_table(concentration: pd.DataFrame, params: pd.DataFrame | None = None, *,
                      scope: str = "EU", wgi_eu: pd.Series | None = None,
                      sourcing: pd.DataFrame | None = None,
                      import_reliance: pd.Series | None = None) -> pd.DataFrame:
    """SR / EI table for one scope from concentration, sourcing and the EU parameters.

    Parameters
    ----------
    concentration : DataFrame
        Output of :func:`reslog.model.concentration.concentration_table` (``commodity``,
        ``stage``, ``year``, ``hhi``, ``hhi_wgi`` …). Where a commodity has several stages,
        the stage with the highest ``hhi_wgi`` is kept (the EU reports the bottleneck stage).
    params : DataFrame, optional
        One row per commodity with columns among ``eol_rir``, ``si_sr``, ``ir``, ``ei``,
        ``sr`` (published SR, for comparison) and ``source`` (e.g.
        :func:`reslog.sources.crm.crm_parameters_wide`). Missing values stay missing.
    scope : str
        The sourcing economy (``"EU"`` or ISO3); recorded in the output.
    wgi_eu : Series, optional
        EU-scaled WGI by country, needed when ``sourcing`` is given.
    sourcing : DataFrame, optional
        ``commodity``, ``country``, ``share_pct``: the scope's actual sourcing (own production
        + imports by origin, :func:`calc_sourcing_shares`). Absent → the scope is assumed to
        source in proportion to world production (``sourcing_basis`` says so), which makes SR
        independent of IR.
    import_reliance : Series, optional
        IR by commodity computed from trade (:func:`calc_import_reliance`); overrides ``params.ir``.

    Returns
    -------
    DataFrame
        ``commodity, stage, year, scope, hhi, hhi_wgi, hhi_wgi_sourcing, sourcing_basis,
        import_reliance, eol_rir, si_sr, sr, sr_upper, ei, sr_published, critical, sources``.
        ``sr`` is NaN unless EoL_RIR, SI_SR (and IR when the sourcing is specific) are known;
        ``sr_upper`` is the worst case EoL_RIR = 0, SI_SR = 1 (and IR maximising SR when unknown).
    """
    need = ("commodity", "stage", "year", "hhi", "hhi_wgi")
    for c in need:
        if c not in concentration.columns:
            raise ModelInputError(f"criticality: concentration table lacks column '{c}'")
    conc = concentration.dropna(subset=["hhi_wgi"]).sort_values("hhi_wgi", ascending=False)
    conc = conc.drop_duplicates("commodity").sort_values("commodity")
    prm = (params.set_index("commodity") if params is not None and len(params)
           else pd.DataFrame(index=pd.Index([], name="commodity")))
    if sourcing is not None and wgi_eu is None:
        raise ModelInputError("criticality: wgi_eu is required when sourcing shares are given")

    def get(com: str, col: str) -> float:
        if com in prm.index and col in prm.columns:
            v = prm.at[com, col]
            return float(v) if pd.notna(v) else float("nan")
        return float("nan")

    rows = []
    for r in conc.itertuples(index=False):
        com = r.commodity
        gs = float(r.hhi_wgi)
        basis = "global production mix (assumed)"
        src = gs
        if sourcing is not None:
            sh = sourcing[sourcing["commodity"] == com]
            if len(sh):
                src = calc_hhi_wgi(sh.set_index("country")["share_pct"], wgi_eu, missing="exclude")
                basis = f"{scope} sourcing (production + imports by origin)"
        ir = float(import_reliance.get(com, np.nan)) if import_reliance is not None else np.nan
        if np.isnan(ir):
            ir = get(com, "ir")
        rir, si = get(com, "eol_rir"), get(com, "si_sr")
        ir_for_sr = ir if not np.isnan(ir) else (0.0 if src == gs else np.nan)
        if np.isnan(rir) or np.isnan(si) or np.isnan(ir_for_sr):
            sr = np.nan
        else:
            sr = calc_supply_risk(gs, src, ir_for_sr, rir, si)
        if np.isnan(ir):
            sr_upper = max(calc_supply_risk(gs, src, 0.0, 0.0, 1.0), calc_supply_risk(gs, src, 1.0, 0.0, 1.0))
        else:
            sr_upper = calc_supply_risk(gs, src, ir, 0.0, 1.0)
        ei = get(com, "ei")
        rows.append({
            "commodity": com, "stage": r.stage, "year": int(r.year), "scope": scope,
            "hhi": float(r.hhi), "hhi_wgi": gs, "hhi_wgi_sourcing": src, "sourcing_basis": basis,
            "import_reliance": ir, "eol_rir": rir, "si_sr": si, "sr": sr, "sr_upper": sr_upper,
            "ei": ei, "sr_published": get(com, "sr"),
            "critical": bool(not np.isnan(sr) and not np.isnan(ei) and sr >= SR_THRESHOLD
                             and ei >= EI_THRESHOLD),
            "sources": (str(prm.at[com, "source"]) if com in prm.index and "source" in prm.columns
                        else ""),
        })
    return pd.DataFrame(rows)
