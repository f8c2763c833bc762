"""Hand-checkable MRIO examples: Miller & Blair (2009) Table 2.3 and a 2-region × 2-sector system."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reslog.model.io import MRIO, LeontiefSolver
from reslog.model.io import core
from reslog.model.io.responsibility import (
    calc_eebt, calc_ghosh_multipliers, calc_hypothetical_extraction, calc_income_based,
    calc_shared_responsibility,
)
from reslog.model.io.shock import (
    calc_ghosh_mixed, calc_ghosh_primary, calc_inoperability_demand, calc_inoperability_supply,
)
from reslog.model.io.spa import calc_spa, path_sum_by_order


def mb_table_2_3() -> MRIO:
    """Miller & Blair (2009), Table 2.3: two sectors, Z = [[150, 500], [200, 100]], f = (350, 1700)."""
    idx = pd.MultiIndex.from_tuples([("MB", "agriculture"), ("MB", "manufacturing")], names=["region", "sector"])
    Z = pd.DataFrame([[150.0, 500.0], [200.0, 100.0]], index=idx, columns=idx)
    Y = pd.DataFrame([[350.0], [1700.0]], index=idx,
                     columns=pd.MultiIndex.from_tuples([("MB", "final")], names=["region", "category"]))
    F = pd.DataFrame([[100.0, 200.0]], index=pd.Index(["co2"], name="stressor"), columns=idx)
    return MRIO.from_blocks(Z, Y, {"air": F})


def test_miller_blair_table_2_3():
    m = mb_table_2_3()
    np.testing.assert_allclose(m.x_array, [1000, 2000])
    np.testing.assert_allclose(m.A.to_numpy(), [[0.15, 0.25], [0.2, 0.05]])
    # L = (I - A)^-1 = 1/0.7575 [[0.95, 0.25], [0.2, 0.85]]; M&B print 1.254, 0.330, 0.264, 1.122
    np.testing.assert_allclose(m.L.to_numpy(), np.array([[0.95, 0.25], [0.2, 0.85]]) / 0.7575, rtol=1e-14)
    # M&B §2.3: new final demand (600, 1500) needs x = (1247.52, 1841.58)
    np.testing.assert_allclose(m.solver.solve(np.array([600.0, 1500.0])), [1247.5248, 1841.5842], atol=1e-4)
    np.testing.assert_allclose(m.v.to_numpy(), [650, 1400])
    acc = m.accounts("air", want_M=True)
    M = np.array([0.1, 0.1]) @ (np.array([[0.95, 0.25], [0.2, 0.85]]) / 0.7575)
    np.testing.assert_allclose(acc.M.to_numpy()[0], M, rtol=1e-14)
    np.testing.assert_allclose(acc.D_cba.to_numpy()[0], [M[0] * 350, M[1] * 1700], rtol=1e-14)
    assert acc.D_cba.to_numpy().sum() == pytest.approx(300.0, rel=1e-14)
    np.testing.assert_allclose(acc.D_imp.to_numpy(), 0.0)  # one region: nothing imported
    np.testing.assert_allclose(acc.D_exp.to_numpy(), 0.0)


# 2 regions × 2 sectors with a nilpotent A: L = I + A + A² + A³ by hand.
LAB = pd.MultiIndex.from_tuples([("r1", "a"), ("r1", "b"), ("r2", "a"), ("r2", "b")], names=["region", "sector"])
L_HAND = np.array([[1, 0.5, 0.2, 0.05], [0, 1, 0.4, 0.1], [0, 0, 1, 0.25], [0, 0, 0, 1.0]])


def two_by_two() -> MRIO:
    Z = pd.DataFrame(0.0, index=LAB, columns=LAB)
    Z.iloc[0, 1], Z.iloc[1, 2], Z.iloc[2, 3] = 18.0, 6.0, 15.0  # A01 = .5, A12 = .4, A23 = .25
    ycols = pd.MultiIndex.from_tuples([("r1", "hh"), ("r2", "hh")], names=["region", "category"])
    Y = pd.DataFrame([[10.0, 0], [0, 30], [0, 0], [20, 40]], index=LAB, columns=ycols)
    F = pd.DataFrame([[28.0, 0, 30, 60]], index=pd.Index(["co2"], name="stressor"), columns=LAB)
    FY = pd.DataFrame([[1.0, 2.0]], index=F.index, columns=ycols)
    return MRIO.from_blocks(Z, Y, {"air": (F, FY)})


@pytest.mark.parametrize("method", ["lu", "gmres", "neumann", "jacobi", "dense"])
def test_two_by_two_every_quantity(method):
    m = two_by_two()
    m.method = method
    np.testing.assert_allclose(m.x_array, [28, 36, 15, 60])
    acc = m.accounts("air", want_M=True)
    np.testing.assert_allclose(acc.M.to_numpy()[0], [1, 0.5, 2.2, 1.55], atol=1e-13)
    np.testing.assert_allclose(acc.D_cba.to_numpy()[0], [10, 31, 0, 77], atol=1e-12)
    np.testing.assert_allclose(acc.D_pba.to_numpy()[0], [28, 0, 30, 60], atol=1e-12)
    np.testing.assert_allclose(acc.D_imp.to_numpy()[0], [0, 30, 0, 17], atol=1e-12)
    np.testing.assert_allclose(acc.D_exp.to_numpy()[0], [17, 0, 10, 20], atol=1e-12)
    # regional: F_Y (1, 2) is added to cba and pba as pymrio does
    np.testing.assert_allclose(acc.D_cba_reg.to_numpy()[0], [42, 79], atol=1e-12)
    np.testing.assert_allclose(acc.D_pba_reg.to_numpy()[0], [29, 92], atol=1e-12)
    np.testing.assert_allclose(acc.D_imp_reg.to_numpy()[0], [30, 17], atol=1e-12)
    np.testing.assert_allclose(acc.D_exp_reg.to_numpy()[0], [17, 30], atol=1e-12)
    assert list(acc.D_cba.columns) == [("r1", "a"), ("r1", "b"), ("r2", "a"), ("r2", "b")]


def test_two_by_two_L_G_and_footprint():
    m = two_by_two()
    np.testing.assert_allclose(m.L.to_numpy(), L_HAND, atol=1e-15)
    x = np.array([28, 36, 15, 60.0])
    np.testing.assert_allclose(m.G.to_numpy(), L_HAND * x[None, :] / x[:, None], atol=1e-14)
    G_direct = np.linalg.inv(np.eye(4) - core.calc_B(m.Z.to_numpy(), x))
    np.testing.assert_allclose(m.G.to_numpy(), G_direct, atol=1e-13)
    fp = m.footprint({("r2", "b"): 1.0}, "air")
    assert fp.total.iloc[0] == pytest.approx(1.55)
    np.testing.assert_allclose(fp.by_origin.to_numpy()[0], [0.05, 0, 0.5, 1.0], atol=1e-15)
    np.testing.assert_allclose(fp.by_region().to_numpy()[0], [0.05, 1.5], atol=1e-15)
    # region's own final demand: r2 demand footprint = 77 (D_cba_reg without F_Y)
    assert m.footprint("r2", "air").total.iloc[0] == pytest.approx(77.0)


def test_risk_weighted_footprint_by_origin_and_type():
    m = two_by_two()
    w = pd.DataFrame({"governance": [0.2, 0.9], "conflict": [0.0, 1.0]}, index=["r1", "r2"])
    rf = m.risk_footprint({("r2", "b"): 1.0}, "air", w)
    # origin r1 contributes 0.05, r2 1.5
    assert rf.total.loc["co2", "governance"] == pytest.approx(0.05 * 0.2 + 1.5 * 0.9)
    assert rf.total.loc["co2", "conflict"] == pytest.approx(1.5)
    by = rf.by_region().set_index(["risk_type", "origin_region"])["weighted"]
    assert by.loc[("governance", "r1")] == pytest.approx(0.01)
    # sector-level weights and unit weights give back the footprint
    ws = pd.Series(1.0, index=LAB, name="unit")
    assert m.risk_footprint("r1", "air", ws).total.iloc[0, 0] == pytest.approx(41.0)
    with pytest.raises(Exception, match="unknown region"):
        m.risk_footprint("r1", "air", pd.Series([1.0], index=["XX"]))
    with pytest.raises(Exception, match="negative"):
        m.risk_footprint("r1", "air", pd.Series([-1.0, 1.0], index=["r1", "r2"]))


def test_spa_paths_sum_to_total():
    m = two_by_two()
    A = m.A.to_numpy()
    s = np.array([1.0, 0, 2, 1])
    y = m.demand_vector("r2")
    mult = s @ L_HAND
    res = calc_spa(A, s, y, mult, list(LAB), top=None, max_order=10, threshold=0)
    assert res["value"].sum() == pytest.approx(77.0, rel=1e-14)
    assert res.attrs["total"] == pytest.approx(77.0)
    top = calc_spa(A, s, y, mult, list(LAB), top=2, max_order=10, threshold=0)
    assert list(top["value"]) == sorted(res["value"], key=abs, reverse=True)[:2]
    # the largest path: r2b direct emissions for r2's own demand 40 × s=1
    assert top.iloc[0]["value"] == pytest.approx(40.0) and top.iloc[0]["order"] == 0


def test_spa_converges_with_order_on_cyclic_system():
    rng = np.random.default_rng(3)
    n = 4
    A = rng.random((n, n)) * 0.2
    s, y = rng.random(n), rng.random(n)
    L = np.linalg.inv(np.eye(n) - A)
    mult = s @ L
    total = mult @ y
    errs = []
    for T in (2, 5, 8):
        res = calc_spa(A, s, y, mult, list(range(n)), top=None, max_order=T, threshold=0)
        assert res["value"].sum() == pytest.approx(path_sum_by_order(A, s, y, T).sum(), rel=1e-12)
        errs.append(abs(total - res["value"].sum()))
    assert errs[0] > errs[1] > errs[2] and errs[2] < 1e-3 * total


def test_shocks_ghosh_and_iim():
    m = two_by_two()
    x = m.x_array
    L = L_HAND
    G = L * x[None, :] / x[:, None]
    dv = np.array([2.0, 0, 0, 0])
    np.testing.assert_allclose(calc_ghosh_primary(m.solver, x, dv), dv @ G, atol=1e-13)
    c = np.array([0.5, 0, 0, 0])
    np.testing.assert_allclose(calc_inoperability_supply(m.solver, c), L.T @ c, atol=1e-14)
    Astar = np.linalg.inv(np.diag(x)) @ m.A.to_numpy() @ np.diag(x)
    np.testing.assert_allclose(calc_inoperability_demand(m.solver, x, c), np.linalg.solve(np.eye(4) - Astar, c))
    # mixed Ghosh: r1a loses half its output; downstream chain a→b→a→b follows with A coefficients
    A = m.A.to_numpy()
    q = calc_ghosh_mixed(m.solver, A[:, [0]], np.array([0]), np.array([0.5]))
    # q_N = A_NNᵀ q_N + A_ENᵀ q_E, by hand: q1 = .5*.5 = .25, q2 = .4*.25 = .1, q3 = .25*.1 = .025
    np.testing.assert_allclose(q, [0.5, 0.25, 0.1, 0.025], atol=1e-14)


def test_responsibility_two_by_two():
    m = two_by_two()
    Z, x, F = m.Z.to_numpy(), m.x_array, m.extension("air").F.to_numpy()
    g = calc_ghosh_multipliers(m.solver, F, x)
    G = L_HAND * x[None, :] / x[:, None]
    s = F[0] / x
    np.testing.assert_allclose(g[0], G @ s, atol=1e-13)
    v = m.v.to_numpy()
    inc = calc_income_based(m.solver, F, x, v)
    assert inc.sum() == pytest.approx(F.sum())
    Rp, Rf, alpha = calc_shared_responsibility(Z, m.Y.to_numpy(), x, F)
    assert Rp.sum() + Rf.sum() == pytest.approx(F.sum())
    # r1a: v = 28 − 0 = 28, net output 28 → α = 1 keeps all of its 28
    assert alpha[0] == 1.0 and Rp[0, 0] == pytest.approx(28.0)
    eebt, by_sector = calc_eebt(Z, m.Y.to_numpy(), x, F, m.region_codes, np.array([0, 1]))
    assert eebt.sum() == pytest.approx(F.sum())
    np.testing.assert_allclose(eebt[0].sum(axis=1), [28, 90])  # each exporter's total = its F


def test_hypothetical_extraction():
    m = two_by_two()
    Z, x = m.Z.to_numpy(), m.x_array
    y = m.Y.to_numpy().sum(axis=1)
    E = np.array([False, False, False, True])  # remove r2b
    xbar = calc_hypothetical_extraction(Z, y, x, E, mode="total")
    # without r2b and its demand: x = L_NN y_N with y_N = (10, 30, 0)
    np.testing.assert_allclose(xbar, [25, 30, 0, 0], atol=1e-12)
    xb = calc_hypothetical_extraction(Z, y, x, E, mode="backward")
    # r2b buys no inputs: r2a (15, all sold to r2b) vanishes, r1b loses 6, r1a 3
    np.testing.assert_allclose(xb, [25, 30, 0, 60], atol=1e-12)
    xf = calc_hypothetical_extraction(Z, y, x, np.array([True, False, False, False]), mode="forward")
    # r1a sells no intermediates: r1b keeps only its primary inputs 18; r2a 9 + 18·6/36; r2b 45 + 12
    np.testing.assert_allclose(xf, [28, 18, 12, 57], atol=1e-12)


def test_solver_methods_agree_on_random_system():
    rng = np.random.default_rng(0)
    R, b = 5, 30
    n = R * b
    A = rng.lognormal(0, 2, (n, n)) * (rng.random((n, n)) < 0.3)
    A = A / A.sum(0) * rng.uniform(0.3, 0.8, n)
    C = np.eye(n) - A
    B = rng.random((n, 7))
    ref = np.linalg.solve(C.T, B)
    for meth in ("lu", "gmres", "neumann", "jacobi"):
        s = LeontiefSolver(C, groups=np.repeat(np.arange(R), b), method=meth, tol=1e-14)
        np.testing.assert_allclose(s.solve(B, transpose=True), ref, rtol=1e-10)
        np.testing.assert_allclose(s.solve(B[:, 0]), np.linalg.solve(C, B[:, 0]), rtol=1e-10)
