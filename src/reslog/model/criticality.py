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
                             *, q_max: float) -> float:
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
    q_max : float
        Scaling value added: the value added of the **largest manufacturing sector of the scope
        economy** (NACE C10–C33), in the unit of ``Q_s``. Required: the largest sector among
        those the caller passes is not the scaling of the EU method (a material used in small
        sectors only would get EI = 10·SI_EI). :func:`calc_q_max` derives it from the scope's
        full sector table.

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
    qmax = float(q_max)
    if not np.isfinite(qmax) or qmax <= 0:
        raise ModelInputError(f"economic importance: q_max must be > 0, got {qmax}")
    if float(q.reindex(a.index[a > 0]).max()) > qmax * (1 + 1e-9):
        raise ModelInputError(
            f"economic importance: a sector's value added ({float(q.max()):g}) exceeds q_max "
            f"({qmax:g}); q_max must be the largest manufacturing sector of the scope economy "
            "(see calc_q_max)")
    return float(10.0 * (a * q.reindex(a.index)).sum() * si / qmax)


def calc_q_max(sector_value_added: pd.Series | Mapping[str, float]) -> float:
    """``Q_max`` of the EU EI formula: the largest manufacturing sector's value added.

    Parameters
    ----------
    sector_value_added : Series or mapping
        Value added of **all** sectors of the scope economy, indexed by NACE Rev.2 codes
        (``"C10"`` … ``"C33"`` for manufacturing, 2-digit; other sections are ignored).

    Returns
    -------
    float
        max over manufacturing sectors C10–C33.

    Raises
    ------
    ModelInputError
        No manufacturing sector in the table.
    """
    q = pd.Series(sector_value_added, dtype=float)
    codes = q.index.astype(str).str.upper().str.replace(".", "", regex=False)
    num = pd.to_numeric(codes.str.extract(r"^C(\d{2})$")[0], errors="coerce")
    manuf = q[(num >= 10).to_numpy() & (num <= 33).to_numpy()]
    if manuf.empty or manuf.isna().all():
        raise ModelInputError(
            "q_max: no manufacturing sector (NACE C10–C33) in the sector table; pass the scope "
            f"economy's full table (got {list(q.index)[:8]}…)")
    return float(manuf.max())


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


# --------------------------------------------------------------------------- EU 2023 method per scope

# Production series that match an EU material × stage when the commodity name alone does not
# (EU 2023 merged bauxite into "Aluminium"; "Iron ore" is the mine stage of iron).
STAGE_OF = {"extraction": "mine", "processing": "refined"}
PRODUCTION_KEY: dict[tuple[str, str], tuple[str, str] | None] = {
    ("Aluminium", "extraction"): ("bauxite", "mine"),
    ("Iron ore", "extraction"): ("iron", "mine"),
    ("Iron ore", "processing"): None,          # EU: pellets/sinter, not pig iron
    ("Titanium", "processing"): None,          # EU: TiO2 pigment route; USGS table is sponge metal
    ("Titanium metal", "extraction"): None,
}


def production_key(material: str, commodity: str, stage: str) -> tuple[str, str] | None:
    """The (commodity, production stage) series that matches an EU material at an EU stage.

    Matching is at the same stage only (extraction ↔ mine, processing ↔ refined); ``None``
    when no production series corresponds.
    """
    if (material, stage) in PRODUCTION_KEY:
        return PRODUCTION_KEY[(material, stage)]
    if not commodity:
        return None
    return commodity, STAGE_OF[stage]


@dataclass(frozen=True)
class ScopeSupply:
    """What a scope's trade says about one commodity × production stage.

    ``shares``: percent shares of the scope's sourcing (own production + imports by origin);
    ``import_reliance``: IR in [0, 1] or NaN; ``basis``: where the numbers come from (e.g.
    "BACI 2021, HS 260500, metal content").
    """

    shares: pd.Series | None
    import_reliance: float
    basis: str


def _fmt_years(years: list[int]) -> str:
    if not years:
        return ""
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]} (mean of {len(years)})"


def assess_scope(eu: pd.DataFrame, production: pd.DataFrame, governance: pd.DataFrame, *,
                 scope: str = "EU", trade_factors: pd.DataFrame | None = None,
                 years: tuple[int, int] | None = None,
                 supply: Mapping[tuple[str, str], ScopeSupply] | None = None) -> pd.DataFrame:
    """SR and EI per material × assessed stage for one scope, computed where the inputs exist.

    For every EU 2023 material and stage (``eu``, :func:`reslog.sources.crm.read_eu_crm_2023`):

    * ``HHI_WGI,t(GS)`` from world production of the matching series (same stage only,
      :func:`production_key`) summed over ``years``, WGI averaged over the same years, the EU
      trade parameters t (scope "world"); ``hhi_wgi_gs_gap`` bounds its understatement
      (:func:`reslog.model.concentration.calc_hhi_wgi_gap`).
    * **EU scope**: the assessment's own supply basis is followed. ``GSonly`` →
      ``SR = HHI_GS·(1 − EoL_RIR)·SI_SR`` (every input cited: production, WGI, t, EoL-RIR,
      SI_SR); ``GS+EU``/``EUonly`` need the EU sourcing shares (``supply``); IR is the EU's
      published IR unless trade gives one. Where an input is missing, ``sr`` shows the
      published EU 2023 value with ``sr_basis = "published EU 2023"``.
    * **Other scopes** (ISO3): ``SR = HHI_GS·IR/2 + HHI_scope·(1 − IR/2)`` with the scope's
      sourcing and IR from ``supply``; EoL-RIR and SI_SR are the EU 2023 values, used as a
      labelled proxy (``proxies``); there is no published value to fall back on.
    * ``ei``: the published EU value (EU scope); A_s and Q_s are not available for any scope,
      so EI is never recomputed here and ``missing_inputs`` says so.

    Parameters
    ----------
    eu : DataFrame
        Material × stage rows (``material, commodity, stage, used_stage, supply_basis,
        sr_stage, ir, sr, ei, si_sr, eol_rir, source``).
    production, governance : DataFrame
        Canonical ``production`` and ``governance`` tables.
    scope : str
        ``"EU"`` or ISO3.
    trade_factors : DataFrame, optional
        ``material, country, stage, scope, t`` (EU 2023 trade parameters).
    years : (first, last), optional
        Production window (inclusive). ``None`` = each series' latest year. The EU 2023 list
        used 2016–2020.
    supply : mapping, optional
        ``(commodity, production stage) → ScopeSupply`` for the scope, from trade data.

    Returns
    -------
    DataFrame
        One row per material × stage with ``material, commodity, stage, used_stage, years,
        hhi_wgi_gs, hhi_wgi_gs_gap, hhi_wgi_sourcing, sourcing_basis, import_reliance,
        ir_basis, eol_rir, si_sr, sr_computed, sr_gap, sr_lower_bound, sr_published,
        sr_rel_diff, sr, sr_basis, ei, ei_basis, missing_inputs, proxies, source``.
        ``sr_lower_bound`` is True when ROW or producers without WGI were left out; the true
        SR then lies in ``[sr_computed, sr_computed + sr_gap]``.
    """
    from reslog.model.concentration import (calc_hhi_wgi, calc_hhi_wgi_gap, calc_shares,
                                            calc_window_production, calc_wgi_eu_window)

    members = scope_members(scope)
    is_eu = members == EU27
    scope = "EU" if is_eu else scope.strip().upper()
    supply = supply or {}
    tf = trade_factors if trade_factors is not None else pd.DataFrame(
        columns=["material", "country", "stage", "scope", "t"])
    cache: dict[tuple[str, str], tuple[pd.Series, list[int], str] | str] = {}

    def gs_shares(key: tuple[str, str]) -> tuple[pd.Series, list[int], str] | str:
        if key not in cache:
            try:
                agg, yrs, unit = calc_window_production(production, key[0], key[1], years)
                cache[key] = (calc_shares(agg), yrs, unit)
            except ModelInputError as e:
                cache[key] = str(e)
        return cache[key]

    def factors(material: str, stage: str, which: str) -> pd.Series:
        f = tf[(tf["material"] == material) & (tf["stage"] == stage) & (tf["scope"] == which)]
        return f.groupby("country")["t"].mean()

    rows = []
    for r in eu.itertuples(index=False):
        key = production_key(r.material, r.commodity, r.stage)
        missing: list[str] = []
        proxies: list[str] = []
        gs = gs_gap = np.nan
        yrs: list[int] = []
        wgi = pd.Series(dtype=float)
        if key is None:
            missing.append(f"world production of {r.material} at the {r.stage} stage (no matching series)")
        else:
            got = gs_shares(key)
            if isinstance(got, str):
                missing.append(f"world production {key[0]}/{key[1]}"
                               + (f" in {years[0]}–{years[1]}" if years else ""))
            else:
                shares, yrs, _unit = got
                wgi = calc_wgi_eu_window(governance, yrs)
                t_w = factors(r.material, r.stage, "world")
                if shares.drop(labels=["ROW"], errors="ignore").index.intersection(wgi.index).empty:
                    missing.append("WGI of the producing countries")
                else:
                    gs = calc_hhi_wgi(shares, wgi, trade_factor=t_w, missing="exclude")
                    gs_gap = calc_hhi_wgi_gap(shares, wgi, trade_factor=t_w)
        rir = float(r.eol_rir) if pd.notna(r.eol_rir) else np.nan
        si = float(r.si_sr) if pd.notna(r.si_sr) else np.nan
        if np.isnan(rir):
            missing.append("EoL-RIR")
        if np.isnan(si):
            missing.append("SI_SR")
        sup = supply.get(key) if key is not None else None
        src = src_gap = np.nan
        basis = ""
        ir = np.nan
        ir_basis = ""
        if sup is not None and sup.shares is not None and len(sup.shares) and len(wgi):
            t_s = factors(r.material, r.stage, "eu") if is_eu else None
            src = calc_hhi_wgi(sup.shares, wgi, trade_factor=t_s, missing="exclude")
            src_gap = calc_hhi_wgi_gap(sup.shares, wgi, trade_factor=t_s)
            basis = f"{scope} sourcing ({sup.basis})"
        if sup is not None and np.isfinite(sup.import_reliance):
            ir, ir_basis = float(sup.import_reliance), sup.basis
        elif is_eu and pd.notna(r.ir):
            ir, ir_basis = float(r.ir), "published EU 2023"
        sr_c = sr_gap = np.nan
        if is_eu:
            proxies_ok = True
            if r.supply_basis == "GSonly":
                src, src_gap, basis = gs, gs_gap, "global supply only (EU 2023 choice for this stage)"
                ir_for = 0.0
            else:
                if np.isnan(src):
                    missing.append("EU sourcing shares (EU production + extra-EU imports by origin)")
                if r.supply_basis == "EUonly":
                    ir_for = 0.0
                else:
                    ir_for = ir
                    if np.isnan(ir):
                        missing.append("EU import reliance")
        else:
            proxies_ok = not (np.isnan(rir) or np.isnan(si))
            if proxies_ok:
                proxies.append("EoL-RIR and SI_SR: EU 2023 values")
            if np.isnan(src):
                missing.append(f"{scope} sourcing (imports by origin + own production) from trade")
            if np.isnan(ir):
                missing.append(f"{scope} import reliance from trade")
            ir_for = ir
            missing.append(f"end-use shares A_s and sector value added Q_s of {scope} (for EI)")
        if is_eu and r.supply_basis == "EUonly":
            inputs = (src, src, 0.0)
            gaps = (src_gap, src_gap)
        else:
            inputs = (gs, src, ir_for)
            gaps = (gs_gap, src_gap)
        if not any(np.isnan(v) for v in (*inputs, rir, si)) and proxies_ok:
            sr_c = calc_supply_risk(inputs[0], inputs[1], inputs[2], rir, si)
            irf = inputs[2]
            sr_gap = float((gaps[0] * irf / 2 + gaps[1] * (1 - irf / 2)) * (1 - rir) * si)
        sr_pub = float(r.sr_stage) if is_eu and pd.notna(r.sr_stage) else np.nan
        if is_eu and np.isnan(sr_pub) and r.used_stage and pd.notna(r.sr):
            sr_pub = float(r.sr)  # stage SR not transcribed; the material's SR is that stage's
        if not np.isnan(sr_c):
            sr, sr_basis = sr_c, "computed" + (" (EU EoL-RIR/SI_SR as proxy)" if proxies else "")
        elif not np.isnan(sr_pub):
            sr, sr_basis = sr_pub, "published EU 2023"
        else:
            sr, sr_basis = np.nan, ""
        ei = float(r.ei) if is_eu and pd.notna(r.ei) else np.nan
        rows.append({
            "material": r.material, "commodity": r.commodity, "stage": r.stage,
            "used_stage": bool(r.used_stage), "production_series": "/".join(key) if key else "",
            "years": _fmt_years(yrs),
            "hhi_wgi_gs": gs, "hhi_wgi_gs_gap": gs_gap, "hhi_wgi_sourcing": src,
            "sourcing_basis": basis, "import_reliance": ir, "ir_basis": ir_basis,
            "eol_rir": rir, "si_sr": si, "sr_computed": sr_c, "sr_gap": sr_gap,
            "sr_lower_bound": bool(np.isfinite(sr_gap) and sr_gap > 0),
            "sr_published": sr_pub,
            "sr_rel_diff": sr_c / sr_pub - 1.0 if sr_pub and np.isfinite(sr_c) and sr_pub > 0 else np.nan,
            "sr": sr, "sr_basis": sr_basis, "ei": ei,
            "ei_basis": "published EU 2023" if np.isfinite(ei) else "",
            "missing_inputs": "; ".join(dict.fromkeys(missing)) if (np.isnan(sr_c) or not is_eu) else "",
            "proxies": "; ".join(proxies), "source": r.source,
        })
    return pd.DataFrame(rows)


def material_table(stages: pd.DataFrame) -> pd.DataFrame:
    """One row per material from :func:`assess_scope`.

    EU scope: the stage the EU 2023 assessment used for SR (its bottleneck stage), computed or
    published. Other scopes: the stage with the higher computed SR (the bottleneck), else the
    EU's stage.
    """
    d = stages.copy()
    d["_used"] = np.where(d["used_stage"], 0, 1)
    d["_sr"] = -d["sr_computed"].fillna(-np.inf)
    eu_scope = d["sr_published"].notna().any()
    order = ["material", "_used", "_sr"] if eu_scope else ["material", "_sr", "_used"]
    d = d.sort_values(order).drop_duplicates("material")
    return d.drop(columns=["_sr", "_used"]).sort_values(
        ["sr", "material"], ascending=[False, True], na_position="last").reset_index(drop=True)
