"""Hypothesis property tests on random productive MRIO systems."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reslog.model.io import MRIO
from reslog.model.io.responsibility import calc_income_based, calc_shared_responsibility


@st.composite
def systems(draw):
    R = draw(st.integers(1, 3))
    nsec = draw(st.integers(1, 4))
    k = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    n = R * nsec
    A = rng.random((n, n)) * (rng.random((n, n)) < 0.7)
    colsum = A.sum(axis=0)
    target = rng.uniform(0.05, 0.9, n)
    A = A * np.where(colsum > 0, target / np.where(colsum > 0, colsum, 1), 0)[None, :]
    Yv = rng.random((n, R * 2)) * 100 + 1e-3
    x = np.linalg.solve(np.eye(n) - A, Yv.sum(axis=1))
    Z = A * x[None, :]
    idx = pd.MultiIndex.from_product([[f"r{i}" for i in range(R)], [f"s{j}" for j in range(nsec)]],
                                     names=["region", "sector"])
    yc = pd.MultiIndex.from_product([[f"r{i}" for i in range(R)], ["hh", "gov"]], names=["region", "category"])
    F = pd.DataFrame(rng.random((k, n)) * 10, index=pd.Index([f"f{i}" for i in range(k)], name="stressor"),
                     columns=idx)
    FY = pd.DataFrame(rng.random((k, R * 2)), index=F.index, columns=yc)
    method = draw(st.sampled_from(["lu", "gmres", "neumann"]))
    return MRIO.from_blocks(pd.DataFrame(Z, index=idx, columns=idx), pd.DataFrame(Yv, index=idx, columns=yc),
                            {"e": (F, FY)}, method=method)


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(systems())
def test_L_times_I_minus_A_is_identity(m):
    L = m.L.to_numpy()
    n = L.shape[0]
    np.testing.assert_allclose(L @ (np.eye(n) - m.A.to_numpy()), np.eye(n), atol=1e-10)
    assert (L >= -1e-12).all()


@SETTINGS
@given(systems())
def test_cba_and_pba_sum_to_total_F(m):
    acc = m.accounts("e")
    F = m.extension("e").F.to_numpy()
    FY = m.extension("e").F_Y.to_numpy()
    total = F.sum(axis=1) + FY.sum(axis=1)
    np.testing.assert_allclose(acc.D_cba_reg.to_numpy().sum(axis=1), total, rtol=1e-9)
    np.testing.assert_allclose(acc.D_pba_reg.to_numpy().sum(axis=1), total, rtol=1e-9)
    # balance per region: cba = pba − exp + imp (+ F_Y on both sides)
    np.testing.assert_allclose(acc.D_cba_reg.to_numpy(),
                               acc.D_pba_reg.to_numpy() - acc.D_exp_reg.to_numpy() + acc.D_imp_reg.to_numpy(),
                               rtol=1e-9, atol=1e-9 * total.max())


@SETTINGS
@given(systems())
def test_shared_and_income_responsibility_sum_to_total(m):
    F = m.extension("e").F.to_numpy()
    Rp, Rf, alpha = calc_shared_responsibility(m.Z.to_numpy(), m.Y.to_numpy(), m.x_array, F)
    np.testing.assert_allclose(Rp.sum(axis=1) + Rf.sum(axis=1), F.sum(axis=1), rtol=1e-9)
    assert ((alpha >= 0) & (alpha <= 1)).all()
    inc = calc_income_based(m.solver, F, m.x_array, m.v.to_numpy())
    np.testing.assert_allclose(inc.sum(axis=1), F.sum(axis=1), rtol=1e-9)


@SETTINGS
@given(systems())
def test_footprint_of_all_final_demand_is_total_F(m):
    fp = m.footprint(m.Y.to_numpy().sum(axis=1), "e")
    np.testing.assert_allclose(fp.total.to_numpy(), m.extension("e").F.to_numpy().sum(axis=1), rtol=1e-9)


def test_d_imp_above_the_auto_gmres_threshold_meets_the_documented_bound():
    """n = 2,600 > LU_ALWAYS_BELOW with few stressors: ``auto`` solves iteratively (GMRES), and
    every account — D_imp included — must lie within rtol·(|entry| + η·row max) of the LU
    result (fixed seed: one example at this size keeps the suite fast)."""
    from reslog.model.io import solve as solve_mod
    from reslog.model.io.accounts import ETA, RTOL

    from test_io_fast_accounts import random_mrio

    R, m_, k = 10, 260, 2
    assert R * m_ > solve_mod.LU_ALWAYS_BELOW
    it = random_mrio(R, m_, k, 2026, "auto")
    acc = it.accounts("e")
    assert acc.info["method"] == "gmres" and not it.solver.factorised
    assert acc.guaranteed and acc.info["error_bound"]["D_imp"] <= RTOL
    ref = random_mrio(R, m_, k, 2026, "lu").accounts("e")
    for name in ("D_cba", "D_pba", "D_imp", "D_exp", "D_cba_reg", "D_pba_reg", "D_imp_reg", "D_exp_reg"):
        a, b = getattr(acc, name).to_numpy(), getattr(ref, name).to_numpy()
        floor = np.abs((ref.D_cba_reg if name == "D_imp_reg" else getattr(ref, name)).to_numpy()).max(axis=1, keepdims=True)
        # LU itself is exact to ~1e-15 here (κ ≤ (1+α)/(1−α) ≤ 9)
        assert (np.abs(a - b) <= RTOL * (np.abs(b) + ETA * floor) + 1e-14 * floor).all(), name
