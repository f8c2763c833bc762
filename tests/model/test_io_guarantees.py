"""Issue 14 — numerical guarantees of the MRIO engine (items 1, 2, 3, 7, 12, 14).

Each test pins one hole that existed before: D_imp without refinement or bound, an LU-fallback
batch marking the block exact, a non-converged result reported as fine, negative coefficients
switching the bound off silently, the min(r, 0.5) cap, a near-singular I − A accepted, the
column-sum productivity rule, the Monte Carlo bias, and units dropped on the way.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from reslog.errors import ModelInputError
from reslog.model.io import MRIO, LeontiefSolver
from reslog.model.io import accounts as acc_mod
from reslog.model.io import solve as solve_mod
from reslog.model.io.accounts import ETA, calc_accounts
AccuracyWarning = getattr(solve_mod, "AccuracyWarning", UserWarning)  # (absent before issue 14)

from test_io_fast_accounts import random_mrio  # noqa: E402  (tests/model is on sys.path)

NAMES = ("D_cba", "D_pba", "D_imp", "D_exp", "D_cba_reg", "D_pba_reg", "D_imp_reg", "D_exp_reg")


def within_bound(approx: pd.DataFrame, exact: pd.DataFrame, rtol: float, floor_ref: pd.DataFrame | None = None) -> float:
    """Largest |error| / (rtol·(|exact| + η·row max)) — ≤ 1 when the documented bound holds.

    ``floor_ref``: the frame whose row maximum sets the η floor (D_cba for D_imp_reg)."""
    a, b = approx.to_numpy(), exact.to_numpy()
    ref = np.abs((floor_ref if floor_ref is not None else exact).to_numpy())
    den = rtol * (np.abs(b) + ETA * ref.max(axis=1, keepdims=True)) + 1e-14 * np.abs(b).max(axis=1, keepdims=True)
    return float((np.abs(a - b) / den).max())


def check_all(acc, ref, rtol: float) -> None:
    for name in NAMES:
        floor = None
        if name == "D_imp_reg":  # its η floor is the row of D_cba_reg (no F_Y in these systems)
            floor = ref.D_cba_reg
        assert within_bound(getattr(acc, name), getattr(ref, name), rtol, floor) <= 1.0, name


# ---------------------------------------------------------------- item 1: D_imp accuracy
def test_d_imp_is_refined_to_the_same_bound_as_the_other_accounts():
    """solver.tol = 1e-3: before, D_cba/D_pba/D_exp were refined but D_imp was 3.9e-3 off, silently."""
    m = random_mrio(4, 5, 2, 7, "gmres")
    m.solver.tol = 1e-3
    acc = calc_accounts(m.solver, m.S("e"), m.Y, want_M=True, want_imp=True, rtol=1e-10)
    ref = random_mrio(4, 5, 2, 7, "lu").accounts("e", want_M=True)
    check_all(acc, ref, 1e-10)  # before: D_imp failed here (off by ~1e-3 relative)
    assert acc.info["guaranteed"] is True
    assert {"D_imp", "D_imp_reg"} <= set(acc.info["error_bound"])
    assert max(acc.info["error_bound"].values()) <= 1e-10


def test_d_imp_reg_needs_no_extra_solve_and_exists_without_imports():
    m = random_mrio(3, 4, 2, 1, "lu")
    before = m.solver.stats["rhs"]
    acc = m.accounts("e", imports=False)
    R = len(m.regions)
    assert acc.D_imp is None and acc.D_imp_reg is not None
    assert m.solver.stats["rhs"] - before == R + 2  # R forward + k transposed: nothing for D_imp_reg
    full = random_mrio(3, 4, 2, 1, "lu").accounts("e")
    np.testing.assert_allclose(acc.D_imp_reg.to_numpy(), full.D_imp.T.groupby(level=0).sum().T.to_numpy(), rtol=1e-12)
    # the balance identity per region
    np.testing.assert_allclose(acc.D_imp_reg, acc.D_cba_reg - acc.D_pba_reg + acc.D_exp_reg, rtol=1e-10)


def test_auto_never_uses_unguarded_gmres_for_d_imp(monkeypatch):
    """Large system, few stressors: ``auto`` picks GMRES — D_imp must then carry the bound. With
    negative coefficients (no bound possible) ``auto`` must use LU instead."""
    monkeypatch.setattr(solve_mod, "LU_ALWAYS_BELOW", 10)  # make a small system count as "large"
    monkeypatch.setattr(solve_mod, "LU_RHS_DIVISOR", 1)
    m = random_mrio(6, 8, 1, 3, "auto")
    assert m.solver.plan(6 * 1 + 6 + 1) == "gmres"
    acc = m.accounts("e", want_M=True)
    assert not m.solver.factorised and acc.info["method"] == "gmres"
    assert acc.info["error_bound"]["D_imp"] <= 1e-10 and acc.guaranteed
    check_all(acc, random_mrio(6, 8, 1, 3, "lu").accounts("e"), 1e-10)
    # negative flows: no Perron bound, so auto factorises
    neg = random_mrio(6, 8, 1, 3, "auto")
    Z = neg.Z.copy()
    Z.iloc[0, 1] = -0.01 * abs(Z.iloc[0, 1]) - 1e-3
    neg2 = MRIO.from_blocks(Z, neg.Y, {"e": neg.extension("e").F}, method="auto")
    acc2 = neg2.accounts("e")
    assert neg2.solver.factorised and acc2.info["method"] == "lu" and acc2.guaranteed


# ---------------------------------------------------------------- item 2: holes in the guarantee
def test_lu_fallback_batch_keeps_a_true_residual(monkeypatch):
    """Before: one batch falling back to LU set last_residual=None for the whole block."""
    monkeypatch.setattr(solve_mod, "GMRES_BATCH", 2)
    m = random_mrio(3, 4, 1, 5, "gmres")
    s = m.solver
    orig = LeontiefSolver._solve_iter
    calls = {"n": 0}

    def flaky(self, B, transpose, method, tol):
        calls["n"] += 1
        if calls["n"] == 2:  # the second batch "does not converge"
            return self._solve_lu(B, transpose), None
        return orig(self, B, transpose, method, tol)

    monkeypatch.setattr(LeontiefSolver, "_solve_iter", flaky)
    B = np.random.default_rng(0).random((s.n, 5))
    X = s.solve(B)
    assert s.last_residual is not None and s.last_method == "gmres+lu"
    C = np.eye(s.n) - m.A.to_numpy()
    np.testing.assert_allclose(s.last_residual, B - C @ X, atol=1e-12)


def test_no_convergence_after_the_last_refinement_is_flagged(monkeypatch):
    monkeypatch.setattr(acc_mod, "MAX_REFINE", 0)
    m = random_mrio(4, 5, 2, 7, "gmres")
    m.solver.tol = 1e-3
    with pytest.warns(AccuracyWarning, match="guaranteed=False"):
        acc = calc_accounts(m.solver, m.S("e"), m.Y, want_imp=True, rtol=1e-10)
    assert acc.guaranteed is False
    assert max(acc.info["error_bound"].values()) > 1e-10  # the bound of the returned iterate


def test_negative_coefficients_do_not_switch_the_guarantee_off_silently():
    m = random_mrio(3, 4, 1, 2, "gmres")
    Z = m.Z.copy()
    Z.iloc[1, 0] = -1e-3
    neg = MRIO.from_blocks(Z, m.Y, {"e": m.extension("e").F}, method="gmres")
    with pytest.warns(AccuracyWarning, match="no error bound"):
        acc = neg.accounts("e")
    assert acc.guaranteed is False and "none" in acc.info["guarantee"]
    ref = MRIO.from_blocks(Z, m.Y, {"e": m.extension("e").F}, method="lu").accounts("e")
    assert ref.guaranteed is True and ref.info["method"] == "lu"


def test_ell_bound_has_no_cap():
    """ℓ = L·1 ≤ ℓ̃ /(1 − ‖r‖_∞); before, min(‖r‖_∞, 0.5) capped the inflation at 2×."""
    ell = acc_mod._ell_bound(np.array([1.0, 2.0]), np.array([0.7, -0.1]))
    np.testing.assert_allclose(ell, np.array([1.0, 2.0]) / 0.3)
    assert np.isinf(acc_mod._ell_bound(np.array([1.0]), np.array([1.2]))).all()
    # and a real case: L·1 for A = [[0.9]] is 10; an approximation 2 with residual 0.8 must bound it
    assert acc_mod._ell_bound(np.array([2.0]), np.array([1 - 0.1 * 2.0]))[0] >= 10.0 - 1e-12


def test_footprints_and_multipliers_are_guarded():
    m = random_mrio(4, 5, 2, 11, "gmres")
    m.solver.tol = 1e-3
    fp = m.footprint("r1", "e")
    ex = random_mrio(4, 5, 2, 11, "lu")
    ref = ex.footprint("r1", "e")
    assert fp.info["guaranteed"] and fp.info["error_bound"]["footprint"] <= 1e-10
    assert within_bound(fp.by_origin, ref.by_origin, 1e-10) <= 1.0
    M = m.multipliers("e")
    assert M.attrs["guaranteed"] and within_bound(M, ex.multipliers("e"), 1e-10) <= 1.0


# ---------------------------------------------------------------- item 3: near-singular I − A
def near_singular():
    idx = pd.MultiIndex.from_tuples([("r1", "a"), ("r2", "a")], names=["region", "sector"])
    yc = pd.MultiIndex.from_tuples([("r1", "hh")], names=["region", "category"])
    Z = pd.DataFrame([[5.0, -5.0 + 1e-13], [-5.0, 5.0]], index=idx, columns=idx)
    Y = pd.DataFrame([[10.0 - 1e-13], [10.0]], index=idx, columns=yc)  # x = Z·1 + Y·1 = [10, 10]
    F = pd.DataFrame([[1.0, 1.0]], index=pd.Index(["f"], name="stressor"), columns=idx)
    return Z, Y, F


def test_near_singular_system_is_refused_with_the_digits_lost():
    Z, Y, F = near_singular()
    with pytest.raises(ModelInputError, match=r"ill-conditioned: estimated condition number 2e\+14 .*lose about "
                                              r"14\.\d of 16 decimal digits.*ill_conditioned='warn'"):
        MRIO.from_blocks(Z, Y, {"e": F}).accounts("e")
    with pytest.warns(AccuracyWarning, match=r"lose about 14\.\d of 16"):
        m = MRIO.from_blocks(Z, Y, {"e": F}, ill_conditioned="warn")
    acc = m.accounts("e")
    assert acc.info["cond"] > 1e13
    # the answer is [1, 1]; LU gives [1.0044, 0.9956] — exactly the error the warning announces
    assert np.abs(acc.D_pba.to_numpy() - 1).max() < acc.info["cond"] * 1.2e-16


def test_condition_estimate_matches_numpy_and_is_cheap_for_iterative():
    m = random_mrio(3, 4, 1, 0, "lu")
    C = np.eye(m.solver.n) - m.A.to_numpy()
    cond = m.solver.condition_estimate()
    # A ≥ 0 and L ≥ 0: exact from L·1 and Lᵀ·1
    assert cond == pytest.approx(max(np.linalg.cond(C, 1), np.linalg.cond(C, np.inf)), rel=1e-10)
    assert m.solver.cond_source.startswith("exact")
    # without the Perron bound (an explicit C with a negative entry): gecon for both norms
    Cn = C.copy()
    Cn[0, 1] += 0.05
    s = LeontiefSolver(Cn, method="lu")
    true = max(np.linalg.cond(Cn, 1), np.linalg.cond(Cn, np.inf))
    assert true / 3 <= s.condition_estimate() <= true * 1.0001
    it = random_mrio(3, 4, 1, 0, "gmres")  # iterative: the Perron bound, no factorisation
    alpha = it.solver.max_input_share()
    assert it.solver.condition_estimate() == pytest.approx((1 + alpha) / (1 - alpha))
    assert it.solver.condition_estimate() >= np.linalg.cond(C, 1)  # a bound, no factorisation
    assert not it.solver.factorised


# ---------------------------------------------------------------- item 7: productivity
def two_sector(A: np.ndarray, x: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    idx = pd.MultiIndex.from_tuples([("r1", "a"), ("r1", "b")], names=["region", "sector"])
    yc = pd.MultiIndex.from_tuples([("r1", "hh")], names=["region", "category"])
    Z = pd.DataFrame(A * x[None, :], index=idx, columns=idx)
    Y = pd.DataFrame((x - Z.to_numpy().sum(axis=1))[:, None], index=idx, columns=yc)
    F = pd.DataFrame([[1.0, 1.0]], index=pd.Index(["f"], name="stressor"), columns=idx)
    return Z, Y, F


def test_productive_with_a_column_sum_above_one():
    """A = [[0, 2], [0.1, 0]]: ρ(A) = √0.2 < 1 though column 2 sums to 2 — was refused."""
    Z, Y, F = two_sector(np.array([[0.0, 2.0], [0.1, 0.0]]), np.array([3.0, 1.0]))
    m = MRIO.from_blocks(Z, Y, {"e": F})
    assert m.productivity == {"test": "output-weighted row sums (Collatz–Wielandt)", "productive": True,
                              "rho_bound": pytest.approx(2 / 3)}
    np.testing.assert_allclose(m.L.to_numpy(), np.linalg.inv(np.eye(2) - np.array([[0, 2], [0.1, 0]])))


def test_not_productive_names_the_test():
    # ρ = √1.2 > 1; final demand must then be partly negative (x given)
    Z, Y, F = two_sector(np.array([[0.0, 2.0], [0.6, 0.0]]), np.array([1.0, 1.0]))
    with pytest.raises(ModelInputError, match=r"not productive — spectral radius ρ\(A\) ≥ 1 \(test: positivity of L·1"):
        MRIO.from_blocks(Z, Y, {"e": F})


def test_check_productive_is_used():
    from reslog.model.io import validate

    Z, Y, F = two_sector(np.array([[0.1, 0.2], [0.3, 0.1]]), np.array([5.0, 4.0]))
    assert validate.check_productive(Z.to_numpy(), np.array([5.0, 4.0]), Z.index)["test"] == "column sums"
    assert MRIO.from_blocks(Z, Y, {"e": F}).productivity["test"] == "column sums"


# ---------------------------------------------------------------- item 12: Monte Carlo bias
def test_monte_carlo_reports_base_and_the_upward_bias_of_perturbing_A():
    from reslog.model.io.montecarlo import run_monte_carlo

    m = random_mrio(2, 3, 1, 4, "lu")
    A, S = m.A.to_numpy(), m.S("e").to_numpy()
    y = m.Y.to_numpy().sum(axis=1)
    A = A * 0.4 / A.sum(axis=0).max()  # column sums ≤ 0.4
    res = run_monte_carlo(A, S, y, m.region_codes, list(m.regions), ["f0"], target="A", cv=0.3,
                          n_draws=400, chunk=100, seed=1)
    b = res.bands
    exact = (S @ np.linalg.solve(np.eye(len(y)) - A, y))[0]
    assert b.loc[("f0", "total"), "base"] == pytest.approx(exact, rel=1e-12)
    # Jensen: the mean over draws of A lies above the footprint at the published A
    assert b.loc[("f0", "total"), "bias"] > 0
    np.testing.assert_allclose(b["bias"], b["mean"] - b["base"])


# ---------------------------------------------------------------- item 14: units
def test_units_reach_accounts_footprints_and_blocks():
    m0 = random_mrio(2, 3, 2, 0, "lu")
    F = m0.extension("e").F
    m = MRIO.from_blocks(m0.Z, m0.Y, {"e": F}, units={"e": pd.Series(["kg", "t"], index=F.index)},
                         unit="million USD")
    acc = m.accounts("e")
    assert list(acc.unit) == ["kg", "t"] and acc.unit.index.equals(acc.D_cba.index)
    fp = m.footprint("r0", "e")
    assert list(fp.unit) == ["kg", "t"] and set(fp.long()["unit"]) == {"kg", "t"}
    assert m.multipliers("e").attrs["unit"] == {"f0": "kg per million USD", "f1": "t per million USD"}
    # one string for all stressors, and the (F, F_Y, unit) tuple form
    m2 = MRIO.from_blocks(m0.Z, m0.Y, {"e": (F, None, "kg")})
    assert set(m2.accounts("e").unit) == {"kg"}
    with pytest.raises(ModelInputError, match=r"no unit for stressor"):
        MRIO.from_blocks(m0.Z, m0.Y, {"e": F}, units={"e": pd.Series(["kg"], index=F.index[:1])})
    all_ = m.accounts_all()
    assert list(all_["e"].unit) == ["kg", "t"]


def test_units_survive_the_long_block_layout_and_the_cli_loader(tmp_path):
    from reslog.cli.io import load_mrio

    m0 = random_mrio(2, 2, 1, 0, "lu")
    folder = tmp_path / "blocks"
    folder.mkdir()
    for name, df, cols in (("Z", m0.Z, ("col_region", "col_sector")), ("Y", m0.Y, ("col_region", "col_sector"))):
        df = df.rename_axis(index=["rr", "rs"], columns=["cr", "cs"])
        long = df.stack(level=[0, 1], future_stack=True).rename("value").reset_index()
        long.columns = ["row_region", "row_sector", *cols, "value"]
        long["unit"] = "million USD"
        long.to_csv(folder / f"{name}.csv", index=False)
    F = m0.extension("e").F
    fl = F.rename_axis(columns=["cr", "cs"]).stack(level=[0, 1], future_stack=True).rename("value").reset_index()
    fl.columns = ["stressor", "col_region", "col_sector", "value"]
    fl["unit"] = "kt"
    fl.to_csv(folder / "F_air.csv", index=False)
    m = load_mrio(folder)
    assert m.unit == "million USD"
    assert set(m.extension("air").unit) == {"kt"}
    assert set(m.accounts("air").unit) == {"kt"}


@pytest.mark.shared_data
def test_long_layout_round_trip_keeps_x_and_units(shared_data):
    """The warehouse's io_blocks (MrioSource.to_parsed) holds x and units; from_long rebuilds
    the same MRIO (before: an 'x' block was refused, units dropped)."""
    from reslog.sources.mrio import read_wiod_2011

    src = read_wiod_2011(shared_data / "io_tables")
    long = src.to_parsed().tables["io_blocks"]
    m = MRIO.from_long(long)
    np.testing.assert_array_equal(m.x_array, src.x.to_numpy())
    assert m.unit == "million USD (current prices)"
    assert set(m.extension("factor_inputs").unit) == {"million USD (current prices)"}


# ---------------------------------------------------------------- issue 14 item 4 (CLI part): io shock
@pytest.mark.parametrize("model", ["ghosh", "iim-supply", "leontief", "iim-demand"])
def test_io_shock_own_loss_equals_the_stated_loss(tmp_path, model):
    """`reslog io shock` documents its input as the fraction of output lost; under iim-supply /
    iim-demand it used to be fed in as a primary-input / demand perturbation (own loss larger)."""
    from typer.testing import CliRunner
    import typer

    from reslog.cli.io import register

    app = typer.Typer()
    register(app)
    shock = tmp_path / "s.csv"
    shock.write_text("region,sector,loss\nreg2,mining,0.5\nreg3,electricity,0.2\n")
    out = tmp_path / "o.csv"
    res = CliRunner().invoke(app, ["io", "shock", "--mrio", "pymrio-test", "--shock", str(shock), "--output", str(out),
                                   "--model", model])
    assert res.exit_code == 0, res.output
    o = pd.read_csv(out).set_index(["region", "sector"])
    assert o.loc[("reg2", "mining"), "loss_share"] == pytest.approx(0.5, abs=1e-12)
    assert o.loc[("reg3", "electricity"), "loss_share"] == pytest.approx(0.2, abs=1e-12)
    assert o["unit"].notna().all()  # the monetary unit of the MRIO travels with the CSV


def test_leontief_mixed_equals_the_direct_solve():
    from reslog.model.io.shock import calc_leontief_mixed

    m = random_mrio(3, 3, 1, 9, "lu")
    A, x = m.A.to_numpy(), m.x_array
    E, qE = np.array([1, 5]), np.array([0.3, 0.6])
    q = calc_leontief_mixed(m.solver, A[E, :], x, E, qE)
    At = A.copy()
    At[E, :] = 0.0
    d = np.zeros(len(x))
    d[E] = qE * x[E]
    dx = np.linalg.solve(np.eye(len(x)) - At, d)
    np.testing.assert_allclose(q, dx / x, rtol=1e-12)
    np.testing.assert_allclose(q[E], qE)
    assert (q >= 0).all()
