r"""Origin tracing of a metal from mining countries to consuming countries (Kastner et al. 2011).

Single stage
------------
For countries :math:`1..n`, production :math:`p` (mine output, tonnes of metal) and the
bilateral trade matrix :math:`T` (:math:`T_{ij}` metal shipped from :math:`i` to :math:`j`),
the supply of each country is :math:`x = p + T^\top 1` and its apparent consumption

.. math:: c = p + T^\top 1 - T 1 \qquad\text{(production + imports − exports)}.

Exports are assumed to be drawn in proportion from a country's whole supply (domestic
production and imports mixed), so re-exports carry the origin mix of the re-exporter. With
:math:`S_{oj}` the amount of origin :math:`o`'s metal in :math:`j`'s supply,
:math:`S = \hat p + S\,\hat x^{-1} T`, hence

.. math:: S = \hat p\,(I - \hat x^{-1} T)^{-1} = \hat p\,(\hat x - T)^{-1}\hat x,
          \qquad C = S\,\hat x^{-1}\hat c = \hat p\,(\hat x - T)^{-1}\hat c,

where :math:`C_{oj}` is consumption in :math:`j` originating from mines in :math:`o`. Column
sums of :math:`C` equal :math:`c` (origin shares sum to 1 per consumer) and row sums equal
:math:`p` (every tonne mined is consumed somewhere): :math:`1^\top(\hat x - T) = p^\top`.
The system is solved as :math:`(I - \hat x^{-1}T)^\top S^\top = P^\top` with one LU
factorisation for all origins.

Negative apparent consumption
-----------------------------
When a country exports more than its production plus imports (stocks drawn down, unrecorded
production, inconsistent quantities), :math:`c_j < 0`. This is **flagged** in the mass balance
with the country and the amount; for the tracing the deficit :math:`d_j = -c_j` is added as
supply of unknown origin ``UNTRACED`` in :math:`j` (so :math:`c_j = 0`), never hidden:
``UNTRACED`` appears in the results with its tonnage.

Multi-stage chains
------------------
Stages :math:`s = 1..S` (ore → refined → semi → product) each have their own trade matrix
:math:`T^{(s)}` of contained metal. Production of stage :math:`s > 1` in country :math:`j` is
made from :math:`j`'s apparent consumption of stage :math:`s-1` and inherits its origin mix.
If stage production :math:`p^{(s)}` is given (e.g. USGS refinery output):

* :math:`\min(p^{(s)}_j, c^{(s-1)}_j)` carries the origin mix of :math:`c^{(s-1)}_j`;
* the excess :math:`p^{(s)}_j - c^{(s-1)}_j > 0` (input from scrap, stocks or unrecorded ore)
  enters as ``UNTRACED``;
* the shortfall :math:`c^{(s-1)}_j - p^{(s)}_j > 0` is a documented **loss**: metal of
  stage :math:`s-1` used in :math:`j` that does not reach stage :math:`s` (processing losses,
  stock build-up, uses not covered by the next stage's HS items). Its origin mix is recorded.

Without stage production, :math:`p^{(s)} = \max(c^{(s-1)}, 0)` (pass-through: no loss). The
*origin* is the mining country; the country that produced the ``via`` stage (by default the
second stage, "refined") is tracked too, giving mine → refiner → consumer flows.

Conservation (checked in the tests): over all consumers at the last stage,
:math:`\sum C = \sum p^{(1)} + \text{UNTRACED} - \text{losses}`; per mining origin,
traced consumption = its production − its losses.

References
----------
Kastner, T., Kastner, M. & Nonhebel, S. (2011) Tracing distant environmental impacts of
agricultural products from a consumer perspective. Ecological Economics 70(6), 1032–1040.
Nansai, K. et al. (2014) Global flows of critical metals necessary for low-carbon
technologies: the case of neodymium, cobalt, and platinum. Environ. Sci. Technol. 48, 1391–1400.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError

UNTRACED = "UNTRACED"
"""Pseudo-origin of supply that cannot be traced to a mine (deficits, excess stage output)."""


@dataclass
class StageInput:
    """One stage of a chain.

    Attributes
    ----------
    name : stage name (``mine``, ``refined`` …).
    trade : long DataFrame ``exporter, importer, quantity`` (tonnes of contained metal);
        repeated pairs are summed.
    production : Series country → tonnes of metal produced at this stage. Required for the
        first stage; ``None`` later means pass-through from the previous stage.
    """

    name: str
    trade: pd.DataFrame
    production: pd.Series | None = None


@dataclass
class TraceResult:
    """Result of :func:`trace_chain`.

    Attributes
    ----------
    stages : stage names in order.
    attribution : long table ``stage, consumer, origin, via, quantity_t`` — each country's
        apparent consumption of each stage split by mining origin (``via`` = the country that
        produced the via stage, empty before it).
    balance : per ``stage, country``: ``production, imports, exports, apparent_consumption``
        (raw, may be negative), ``negative`` (flag), ``deficit`` (tonnes added as UNTRACED),
        ``untraced_input`` (stage output above previous-stage consumption), ``loss``.
    losses : ``stage, country, origin, quantity_t`` — origin mix of the losses.
    world_production : tonnes produced at the first stage.
    """

    stages: list[str]
    attribution: pd.DataFrame
    balance: pd.DataFrame
    losses: pd.DataFrame
    world_production: float
    notes: list[str] = field(default_factory=list)

    @property
    def negative(self) -> pd.DataFrame:
        """Countries and stages with negative apparent consumption, with the amount."""
        b = self.balance
        return b.loc[b["negative"], ["stage", "country", "apparent_consumption"]] \
            .reset_index(drop=True)


# ---------------------------------------------------------------------------- helpers
def _trade_long(stage: str, trade: pd.DataFrame) -> pd.DataFrame:
    need = {"exporter", "importer", "quantity"}
    if not need <= set(trade.columns):
        raise ModelInputError(f"stage '{stage}' trade lacks {sorted(need - set(trade.columns))}; "
                              f"has {list(trade.columns)}")
    q = trade["quantity"].to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(q) | (q < 0)
    if bad.any():
        r = trade[bad].iloc[0]
        raise ModelInputError(f"stage '{stage}' trade: invalid quantity {r['quantity']!r} for "
                              f"{r['exporter']}→{r['importer']} ({int(bad.sum())} row(s))")
    self_flow = trade["exporter"].astype(str) == trade["importer"].astype(str)
    if self_flow.any():
        raise ModelInputError(f"stage '{stage}' trade: flows from a country to itself "
                              f"{sorted(set(trade.loc[self_flow, 'exporter'].astype(str)))[:10]}")
    return trade.assign(exporter=trade["exporter"].astype(str),
                        importer=trade["importer"].astype(str))


def _production(stage: str, prod: pd.Series) -> pd.Series:
    p = pd.Series(prod, dtype=float)
    p.index = p.index.astype(str)
    if p.index.duplicated().any():
        raise ModelInputError(f"stage '{stage}' production: duplicate countries "
                              f"{sorted(set(p.index[p.index.duplicated()]))}")
    bad = ~np.isfinite(p.to_numpy()) | (p.to_numpy() < 0)
    if bad.any():
        raise ModelInputError(f"stage '{stage}' production: negative or missing values for "
                              f"{list(p.index[bad][:10])}")
    if UNTRACED in p.index:
        raise ModelInputError(f"stage '{stage}': '{UNTRACED}' is reserved, not a country")
    return p


def _matrix(trade: pd.DataFrame, idx: dict[str, int], n: int) -> np.ndarray:
    T = np.zeros((n, n))
    if len(trade):
        g = trade.groupby(["exporter", "importer"], sort=False)["quantity"].sum()
        ei = np.array([idx[e] for e in g.index.get_level_values(0)])
        ii = np.array([idx[i] for i in g.index.get_level_values(1)])
        np.add.at(T, (ei, ii), g.to_numpy(dtype=float))
    return T


def _solve(stage: str, P: np.ndarray, T: np.ndarray, countries: list[str],
           tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Balance of one stage: (c_raw, deficit, x, c) from production by key ``P`` and ``T``.

    ``c_raw`` apparent consumption (may be negative), ``deficit`` = max(−c_raw, 0) beyond
    ``tol``, ``x`` supply including the deficit, ``c`` = max(c_raw, 0).
    """
    p_tot = P.sum(axis=0)
    imports = T.sum(axis=0)
    exports = T.sum(axis=1)
    c_raw = p_tot + imports - exports
    deficit = np.where(c_raw < -tol, -c_raw, 0.0)
    c = np.maximum(c_raw, 0.0)
    x = p_tot + deficit + imports
    return c_raw, deficit, x, c


def _attribute(stage: str, P: np.ndarray, T: np.ndarray, x: np.ndarray, c: np.ndarray,
               countries: list[str]) -> np.ndarray:
    n = len(countries)
    live = x > np.finfo(float).tiny * 1e8  # subnormal supplies count as zero (no overflow)
    inv_x = np.zeros(n)
    inv_x[live] = 1.0 / x[live]
    M = np.eye(n) - inv_x[:, None] * T  # I - x̂⁻¹T
    try:
        St = np.linalg.solve(M.T, P.T)
    except np.linalg.LinAlgError:
        closed = [countries[j] for j in range(n) if x[j] > 0 and c[j] == 0]
        raise ModelInputError(
            f"stage '{stage}': the trade network has a closed re-export loop with no consumption "
            f"(supply fully re-exported in {closed[:10]}); origins are undefined there. Check "
            "quantities of these countries") from None
    S = St.T
    if not np.isfinite(S).all():
        raise ModelInputError(f"stage '{stage}': origin tracing did not converge (non-finite)")
    return S * (inv_x * c)[None, :]


# ---------------------------------------------------------------------------- public
def calc_mass_balance(production: pd.Series, trade: pd.DataFrame,
                      countries: Sequence[str] | None = None, stage: str = "mine") -> pd.DataFrame:
    """Production + imports − exports = apparent consumption, per country.

    Parameters
    ----------
    production : Series country → tonnes.
    trade : long ``exporter, importer, quantity`` (tonnes of metal).
    countries : order/universe (default: every country named).

    Returns
    -------
    DataFrame ``country, production, imports, exports, apparent_consumption, negative``.
    """
    p = _production(stage, production)
    tr = _trade_long(stage, trade)
    names = sorted(set(p.index) | set(tr["exporter"]) | set(tr["importer"])) \
        if countries is None else list(countries)
    idx = {c: n for n, c in enumerate(names)}
    missing = sorted((set(p.index) | set(tr["exporter"]) | set(tr["importer"])) - set(idx))
    if missing:
        raise ModelInputError(f"stage '{stage}': countries outside the given list: {missing[:10]}")
    T = _matrix(tr, idx, len(names))
    pv = p.reindex(names, fill_value=0.0).to_numpy()
    imp, exp = T.sum(axis=0), T.sum(axis=1)
    c = pv + imp - exp
    tol = 1e-9 * max(1.0, float(pv.sum() + T.sum()))
    return pd.DataFrame({"country": names, "production": pv, "imports": imp, "exports": exp,
                         "apparent_consumption": c, "negative": c < -tol})


def trace_chain(stages: Sequence[StageInput], via: str | None = "auto",
                rtol: float = 1e-9) -> TraceResult:
    """Trace a metal from mining origins through a multi-stage chain (see module docstring).

    Parameters
    ----------
    stages : the chain, first stage first (its ``production`` is mine output).
    via : name of the stage whose producing country is tracked (mine → *via* → consumer);
        ``"auto"`` = the second stage if there is one; ``None`` = none.
    rtol : negative apparent consumption above ``rtol`` × (total production + trade) is flagged.

    Returns
    -------
    TraceResult
    """
    if not stages:
        raise ModelInputError("trace_chain needs at least one stage")
    if stages[0].production is None:
        raise ModelInputError(f"the first stage ('{stages[0].name}') needs mine production")
    names = [s.name for s in stages]
    if len(set(names)) != len(names):
        raise ModelInputError(f"stage names repeat: {names}")
    via_name = (names[1] if len(names) > 1 else None) if via == "auto" else via
    if via_name is not None and via_name not in names:
        raise ModelInputError(f"via stage {via_name!r} is not one of {names}")
    trades = [_trade_long(s.name, s.trade) for s in stages]
    prods = [None if s.production is None else _production(s.name, s.production) for s in stages]
    universe: set[str] = set()
    for tr, p in zip(trades, prods):
        universe |= set(tr["exporter"]) | set(tr["importer"])
        if p is not None:
            universe |= set(p.index)
    countries = sorted(universe)
    n = len(countries)
    idx = {c: k for k, c in enumerate(countries)}
    world = float(prods[0].sum())  # type: ignore[union-attr]

    # origin keys: (origin, via); rows of P
    keys: list[tuple[str, str]] = [(c, "") for c in countries] + [(UNTRACED, "")]
    P = np.zeros((len(keys), n))
    P[np.arange(n), np.arange(n)] = prods[0].reindex(countries, fill_value=0.0).to_numpy()  # type: ignore[union-attr]

    att_parts, bal_parts, loss_parts = [], [], []
    prev_C: np.ndarray | None = None
    prev_c: np.ndarray | None = None
    for s, (stage, tr, p_given) in enumerate(zip(stages, trades, prods)):
        T = _matrix(tr, idx, n)
        untraced_in = np.zeros(n)
        loss = np.zeros(n)
        if s > 0:
            assert prev_C is not None and prev_c is not None
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(prev_c > 0, prev_C / np.where(prev_c > 0, prev_c, 1.0), 0.0)
            if p_given is None:
                p_s = prev_c.copy()
            else:
                extra = sorted(set(p_given.index) - set(countries))
                if extra:  # pragma: no cover - universe includes production countries
                    raise ModelInputError(f"stage '{stage.name}': unknown countries {extra}")
                p_s = p_given.reindex(countries, fill_value=0.0).to_numpy()
            carried = np.minimum(p_s, prev_c)
            untraced_in = np.maximum(p_s - prev_c, 0.0)
            loss = prev_c - carried
            if (loss > 0).any():
                L = share * loss[None, :]
                for kk, j in zip(*np.nonzero(L > 0)):
                    loss_parts.append((stage.name, countries[j], keys[kk][0], float(L[kk, j])))
            P = share * carried[None, :]
            u = keys.index((UNTRACED, "")) if (UNTRACED, "") in keys else None
            if u is None:
                keys.append((UNTRACED, ""))
                P = np.vstack([P, np.zeros((1, n))])
                u = len(keys) - 1
            P[u] += untraced_in
        tol = rtol * max(1.0, float(P.sum() + T.sum()))
        c_raw, deficit, x, c = _solve(stage.name, P, T, countries, tol)
        u = keys.index((UNTRACED, ""))
        P = P.copy()
        P[u] += deficit
        if stage.name == via_name:
            # re-key: (origin, '') in column j → (origin, j)
            new_keys: list[tuple[str, str]] = []
            rows = []
            for kk, (o, _v) in enumerate(keys):
                for j in np.nonzero(P[kk] > 0)[0]:
                    new_keys.append((o, countries[j]))
                    r = np.zeros(n)
                    r[j] = P[kk, j]
                    rows.append(r)
            new_keys.append((UNTRACED, ""))
            rows.append(np.zeros(n))
            keys, P = new_keys, np.vstack(rows)
        C = _attribute(stage.name, P, T, x, c, countries)
        for kk, j in zip(*np.nonzero(C > 0)):
            o, v = keys[kk]
            att_parts.append((stage.name, countries[j], o, v, float(C[kk, j])))
        bal_parts.append(pd.DataFrame({
            "stage": stage.name, "country": countries, "production": P.sum(axis=0) - deficit,
            "imports": T.sum(axis=0), "exports": T.sum(axis=1), "apparent_consumption": c_raw,
            "negative": c_raw < -tol, "deficit": deficit, "untraced_input": untraced_in,
            "loss": loss}))
        prev_C, prev_c = C, c
    attribution = pd.DataFrame(att_parts, columns=["stage", "consumer", "origin", "via",
                                                   "quantity_t"])
    balance = pd.concat(bal_parts, ignore_index=True)
    losses = pd.DataFrame(loss_parts, columns=["stage", "country", "origin", "quantity_t"])
    notes = []
    neg = balance[balance["negative"]]
    for r in neg.itertuples(index=False):
        notes.append(f"negative apparent consumption at stage '{r.stage}' in {r.country}: "
                     f"{r.apparent_consumption:,.3f} t (treated as {UNTRACED} supply)")
    return TraceResult(stages=names, attribution=attribution, balance=balance, losses=losses,
                       world_production=world, notes=notes)


def consumer_origins(result: TraceResult, consumer: str | None = None,
                     stage: str | None = None) -> pd.DataFrame:
    """Each consumer's apparent consumption split by mining origin (summed over ``via``).

    Parameters
    ----------
    result : from :func:`trace_chain`.
    consumer : keep one consuming country (``None`` = all).
    stage : the stage whose consumption is split (default: the last).

    Returns
    -------
    DataFrame ``consumer, origin, quantity_t, share`` (share of the consumer's total), sorted
    by consumer and descending quantity.
    """
    st = stage or result.stages[-1]
    if st not in result.stages:
        raise ModelInputError(f"stage {st!r} not in {result.stages}")
    a = result.attribution[result.attribution["stage"] == st]
    if consumer is not None:
        known = set(result.balance["country"])
        if consumer not in known:
            raise ModelInputError(f"consumer {consumer!r} is not in the traced network "
                                  f"({len(known)} countries)")
        a = a[a["consumer"] == consumer]
    g = a.groupby(["consumer", "origin"], as_index=False)["quantity_t"].sum()
    tot = g.groupby("consumer")["quantity_t"].transform("sum")
    g["share"] = np.where(tot > 0, g["quantity_t"] / tot.where(tot > 0, 1.0), 0.0).astype(float)
    return g.sort_values(["consumer", "quantity_t"], ascending=[True, False]) \
        .reset_index(drop=True)


def trace_origins(production: pd.Series, trade: pd.DataFrame,
                  consumer: str | None = None) -> pd.DataFrame:
    """Single-stage Kastner tracing: ``consumer, origin, quantity_t, share``.

    ``production`` country → tonnes mined; ``trade`` long ``exporter, importer, quantity``.
    """
    res = trace_chain([StageInput("mine", trade, production)], via=None)
    return consumer_origins(res, consumer)
