"""Consumption-, production-, import- and export-based accounts without forming L.

Definitions (identical to pymrio's ``calc_accounts`` and ``Extension.calc_system``). Let
y_c be the final demand of consuming region c (all its categories summed), ŷ_{c,s} the part
of y_c that buys product s (from any producing region), and r(i) the region of row i.

* ``D_cba[k, (c, s)] = Σ_i S_ki (L ŷ_{c,s})_i = Σ_{i: sector(i)=s} M_ki Y_ic`` with M = S·L —
  the footprint of region c's final demand for product s.
* ``D_pba[k, i] = S_ki x_i`` with x = L·Σ_c y_c — emissions where they occur.
* ``D_imp[k, (c, s)] = Σ_{i: r(i) ≠ c} S_ki (L ŷ_{c,s})_i`` — the part of the footprint that
  occurs outside c. This needs the *foreign-masked* multipliers
  ``M^(−c) = (S ∘ 1_{r≠c})·L`` per consuming region: k·R transposed right-hand sides.
* ``D_exp[k, i] = S_ki Σ_{c ≠ r(i)} (L y_c)_i`` — emissions caused by other regions' demand.
* ``*_reg`` aggregate the columns by region; ``D_cba_reg`` and ``D_pba_reg`` add the direct
  final-demand stressors F_Y (households' own emissions), aggregated by region, as pymrio does.

Cost: R + 1 forward solves (L·y_c), k transposed solves (M) and k·R transposed solves
(M^(−c)); when k > number of sectors, the k·R solves are replaced by n forward solves
(L·ŷ_{c,s} for every c, s), whichever is fewer. No n × n product is ever formed.

References
----------
Peters, G. P. (2008). From production-based to consumption-based national emission
inventories. Ecological Economics 65(1), 13–23.
Stadler, K. (2021). Pymrio. J. Open Res. Softw. 9(1), 8 (``calc_accounts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.io.solve import LeontiefSolver

#: Maximum number of right-hand sides assembled at once (bounds memory to n × this).
RHS_CHUNK = 2048


@dataclass
class AccountArrays:
    """Raw arrays of the accounts (see module docstring for definitions).

    ``D_cba``/``D_imp`` have shape (k, n_consumers, n_sectors); ``D_pba``/``D_exp`` (k, n).
    """

    D_cba: np.ndarray
    D_pba: np.ndarray
    D_imp: np.ndarray
    D_exp: np.ndarray
    x_tot: np.ndarray
    M: np.ndarray | None = None


@dataclass
class Accounts:
    """Labelled accounts of one extension, laid out exactly like pymrio's.

    Attributes
    ----------
    D_cba, D_imp : DataFrame (stressors × (region, sector)) — columns are consuming region and
        demanded product.
    D_pba, D_exp : DataFrame (stressors × (region, sector)) — columns are producing sectors.
    D_cba_reg, D_pba_reg, D_imp_reg, D_exp_reg : DataFrame (stressors × region).
    M : DataFrame or None — multipliers S·L (stressor per unit of final demand).
    """

    D_cba: pd.DataFrame
    D_pba: pd.DataFrame
    D_imp: pd.DataFrame | None
    D_exp: pd.DataFrame
    D_cba_reg: pd.DataFrame
    D_pba_reg: pd.DataFrame
    D_imp_reg: pd.DataFrame | None
    D_exp_reg: pd.DataFrame
    M: pd.DataFrame | None = None
    info: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, pd.DataFrame]:
        """All account frames by pymrio attribute name."""
        out = {k: getattr(self, k) for k in (
            "D_cba", "D_pba", "D_imp", "D_exp", "D_cba_reg", "D_pba_reg", "D_imp_reg", "D_exp_reg")
            if getattr(self, k) is not None}
        if self.M is not None:
            out["M"] = self.M
        return out


class _SectorSum:
    """Sum the columns of a (k, n) array by sector: (k, n) → (k, n_sectors)."""

    def __init__(self, codes: np.ndarray, m: int) -> None:
        n = len(codes)
        self.m = m
        self.tiled = n % m == 0 and np.array_equal(codes, np.tile(np.arange(m), n // m))
        if not self.tiled:
            self.E = np.zeros((n, m))
            self.E[np.arange(n), codes] = 1.0

    def __call__(self, X: np.ndarray) -> np.ndarray:
        if self.tiled:  # standard layout: region-major, same sector order in every region
            return X.reshape(X.shape[0], -1, self.m).sum(axis=1)
        return X @ self.E


def calc_account_arrays(
    solver: LeontiefSolver,
    S: np.ndarray,
    Y_agg: np.ndarray,
    row_region: np.ndarray,
    row_sector: np.ndarray,
    n_sectors: int,
    consumer_region: np.ndarray,
    *,
    want_M: bool = True,
    want_imp: bool = True,
) -> AccountArrays:
    """Compute the accounts on plain arrays.

    Parameters
    ----------
    solver : LeontiefSolver
        Solver for I − A (n × n).
    S : ndarray (k, n)
        Stressor intensities.
    Y_agg : ndarray (n, R_c)
        Final demand per consuming region (categories summed).
    row_region : ndarray of int (n,)
        Producing-region code of each row (0 … R−1).
    row_sector : ndarray of int (n,)
        Sector code of each row (0 … n_sectors−1).
    n_sectors : int
    consumer_region : ndarray of int (R_c,)
        For each consuming region (column of Y_agg), the producing-region code it equals, or −1
        when that final-demand region has no production block (e.g. OECD discrepancy columns).
    want_M : bool
        Also return M = S·L.
    want_imp : bool
        Compute D_imp (the k·R foreign-masked solves); when False ``D_imp`` is all NaN and
        only R_c + k right-hand sides are solved.
    """
    k, n = S.shape
    Rc = Y_agg.shape[1]
    regions_with_demand = [int(r) for r in consumer_region if r >= 0]
    use_forward = want_imp and k * len(regions_with_demand) > n  # n forward solves are fewer
    n_imp = 0 if not want_imp else (n if use_forward else k * len(regions_with_demand))
    hint = Rc + (k if (want_M or not use_forward) else 0) + n_imp

    # production side: x per consuming region (R_c forward solves)
    X_c = solver.solve(Y_agg, n_rhs_hint=hint)
    x_tot = X_c.sum(axis=1)
    own = np.full(n, -1)
    for c, r in enumerate(consumer_region):
        if r >= 0:
            own[row_region == r] = c
    dom_x = np.where(own >= 0, X_c[np.arange(n), np.maximum(own, 0)], 0.0)
    x_exp = x_tot - dom_x

    by_sector = _SectorSum(row_sector, n_sectors)
    D_cba = np.zeros((k, Rc, n_sectors))
    D_imp = np.zeros((k, Rc, n_sectors))
    M = None
    if want_M or not use_forward:
        M = solver.solve(np.ascontiguousarray(S.T), transpose=True, n_rhs_hint=hint).T
        for c in range(Rc):
            D_cba[:, c, :] = by_sector(M * Y_agg[:, c][None, :])

    if not want_imp:
        D_imp[:] = np.nan
    elif not use_forward:
        # foreign-masked multipliers, k right-hand sides per consuming region with production
        per_chunk = max(1, RHS_CHUNK // max(k, 1))
        cons = [c for c in range(Rc) if consumer_region[c] >= 0]
        for a in range(0, len(cons), per_chunk):
            chunk = cons[a:a + per_chunk]
            RHS = np.empty((n, k * len(chunk)))
            for j, c in enumerate(chunk):
                foreign = (row_region != consumer_region[c]).astype(float)
                RHS[:, j * k:(j + 1) * k] = S.T * foreign[:, None]
            W = solver.solve(RHS, transpose=True, n_rhs_hint=hint)
            for j, c in enumerate(chunk):
                Wc = W[:, j * k:(j + 1) * k].T  # (k, n) = (S∘1_{r≠c})·L
                D_imp[:, c, :] = by_sector(Wc * Y_agg[:, c][None, :])
        for c in range(Rc):  # consumers without own production: everything is imported
            if consumer_region[c] < 0:
                D_imp[:, c, :] = D_cba[:, c, :]
    else:
        # forward: x for the demand of every (consumer, product) pair, as pymrio does
        for c in range(Rc):
            Yd = np.zeros((n, n_sectors))  # diagonalised demand of consumer c
            Yd[np.arange(n), row_sector] = Y_agg[:, c]
            Xd = solver.solve(Yd, n_rhs_hint=hint)
            full = S @ Xd
            if M is None:
                D_cba[:, c, :] = full
            foreign = row_region != consumer_region[c] if consumer_region[c] >= 0 else np.ones(n, bool)
            D_imp[:, c, :] = S[:, foreign] @ Xd[foreign]
    return AccountArrays(D_cba=D_cba, D_pba=S * x_tot[None, :], D_imp=D_imp, D_exp=S * x_exp[None, :],
                         x_tot=x_tot, M=M)


def _region_codes(index: pd.MultiIndex) -> tuple[pd.Index, np.ndarray, pd.Index, np.ndarray]:
    regs = index.get_level_values("region")
    secs = index.get_level_values("sector")
    reg_u, sec_u = regs.unique(), secs.unique()
    return reg_u, reg_u.get_indexer(regs), sec_u, sec_u.get_indexer(secs)


def aggregate_Y(Y: pd.DataFrame) -> pd.DataFrame:
    """Final demand summed over categories per consuming region (pymrio's ``Y_agg``)."""
    try:
        return Y.T.groupby(level="region", sort=False).sum().T
    except (AssertionError, KeyError):
        return Y.T.groupby(level=0, sort=False).sum().T


def calc_accounts(
    solver: LeontiefSolver,
    S: pd.DataFrame,
    Y: pd.DataFrame,
    F_Y: pd.DataFrame | None = None,
    *,
    Y_agg: pd.DataFrame | None = None,
    want_M: bool = True,
    want_imp: bool = True,
) -> Accounts:
    """Labelled accounts of one extension (pymrio layout, pymrio definitions).

    Parameters
    ----------
    solver : LeontiefSolver
        Solver for I − A with rows/columns ordered as ``S.columns``.
    S : DataFrame (stressors × (region, sector))
        Stressor intensities.
    Y : DataFrame ((region, sector) × (region, category))
        Final demand (rows as S.columns).
    F_Y : DataFrame (stressors × (region, category)), optional
        Direct stressors of final demand; added to ``D_cba_reg`` and ``D_pba_reg``.
    Y_agg : DataFrame, optional
        Final demand already aggregated to one column per region (e.g. households only).
    want_M : bool
        Also return the multipliers M = S·L.
    want_imp : bool
        Compute D_imp and D_imp_reg (k·R extra right-hand sides); when False they are None.

    Returns
    -------
    Accounts
    """
    if not S.columns.equals(Y.index):
        raise ModelInputError("block S/Y: the columns of S must equal the rows of Y (same order)")
    if not isinstance(S.columns, pd.MultiIndex) or not {"region", "sector"} <= set(S.columns.names):
        raise ModelInputError("block S: columns must be a MultiIndex with levels 'region' and 'sector'")
    Y_agg = aggregate_Y(Y) if Y_agg is None else Y_agg
    if isinstance(Y_agg.columns, pd.MultiIndex):
        raise ModelInputError("block Y_agg: columns can not be a MultiIndex — aggregate the columns")
    reg_u, row_reg, sec_u, row_sec = _region_codes(S.columns)
    cons = reg_u.get_indexer(Y_agg.columns)
    arr = calc_account_arrays(
        solver, S.to_numpy(dtype=float), Y_agg.to_numpy(dtype=float), row_reg, row_sec, len(sec_u),
        cons, want_M=want_M, want_imp=want_imp,
    )
    k = S.shape[0]
    cols = pd.MultiIndex.from_product([Y_agg.columns, sec_u], names=[*Y_agg.columns.names, "sector"])
    D_cba = pd.DataFrame(arr.D_cba.reshape(k, -1), index=S.index, columns=cols)
    D_imp = pd.DataFrame(arr.D_imp.reshape(k, -1), index=S.index, columns=cols) if want_imp else None
    D_pba = pd.DataFrame(arr.D_pba, index=S.index, columns=S.columns)
    D_exp = pd.DataFrame(arr.D_exp, index=S.index, columns=S.columns)
    F_Y_agg: pd.DataFrame | int = 0
    if F_Y is not None:
        F_Y_agg = aggregate_Y(F_Y)

    def reg(df: pd.DataFrame) -> pd.DataFrame:
        return aggregate_Y(df)

    M = pd.DataFrame(arr.M, index=S.index, columns=S.columns) if arr.M is not None and want_M else None
    return Accounts(
        D_cba=D_cba, D_pba=D_pba, D_imp=D_imp, D_exp=D_exp,
        D_cba_reg=reg(D_cba) + F_Y_agg, D_pba_reg=reg(D_pba) + F_Y_agg,
        D_imp_reg=reg(D_imp) if D_imp is not None else None, D_exp_reg=reg(D_exp), M=M,
        info={"x_tot": pd.Series(arr.x_tot, index=S.columns, name="indout"), "solver": dict(solver.stats)},
    )
