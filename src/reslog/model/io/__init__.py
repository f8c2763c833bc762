"""Multi-regional input–output (MRIO) engine: exact, fast, in the field's vocabulary.

Z, A, L, Y, x, F, S, M, D_cba, D_pba, D_imp, D_exp, Ghosh B and G — computed by solving
with I − A for the right-hand sides that are asked for, never forming L unless asked.

Modules (one job each): ``validate`` (input checks), ``core`` (calc_* basics), ``solve``
(LU / batched GMRES / Neumann solvers), ``accounts`` (pymrio-identical accounts),
``footprint`` (any demand, origin and risk-weighted), ``spa`` (structural path analysis),
``shock`` (Ghosh supply-side and inoperability models), ``responsibility`` (producer,
consumer, income-based, shared responsibility, EEBT, hypothetical extraction),
``montecarlo`` (Dask-distributed uncertainty), ``series`` (one Dask task per year),
``mrio`` (the thin :class:`MRIO` class).
"""

from reslog.model.io.accounts import Accounts, calc_accounts, calc_accounts_many
from reslog.model.io.footprint import FootprintResult, RiskFootprint, calc_footprint, calc_risk_footprint
from reslog.model.io.mrio import MRIO, Extension, blocks_from_long
from reslog.model.io.solve import AccuracyWarning, LeontiefSolver

__all__ = [
    "MRIO", "Extension", "Accounts", "LeontiefSolver", "FootprintResult", "RiskFootprint",
    "calc_accounts", "calc_accounts_many", "AccuracyWarning", "calc_footprint", "calc_risk_footprint", "blocks_from_long",
]
