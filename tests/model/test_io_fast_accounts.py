"""The implicit (flows-based) solver, the batched block-Jacobi preconditioner and the
guaranteed error bounds of the iterative accounts.

Each bound is checked against the exact (LU) accounts: the true error of every entry must lie
within rtol·(|entry| + η·row max), the guarantee :mod:`reslog.model.io.accounts` states.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reslog.model.io import MRIO, LeontiefSolver
from reslog.model.io.accounts import ETA, calc_accounts


def random_mrio(R: int, m: int, k: int, seed: int, method: str) -> MRIO:
    rng = np.random.default_rng(seed)
    n = R * m
    A = rng.random((n, n)) * (rng.random((n, n)) < 0.4)
    reg = np.repeat(np.arange(R), m)
    A[reg[:, None] != reg[None, :]] *= 0.1  # imports small, as in real MRIOs
    A[np.arange(n), np.arange(n)] += 0.01  # no empty column
    A *= rng.uniform(0.2, 0.8, n)[None, :] / A.sum(axis=0)[None, :]
    Yagg = rng.lognormal(0, 1, (n, R)) * (rng.random((n, R)) < 0.6)
    Yagg[reg[:, None] == np.arange(R)[None, :]] *= 8.0
    x = np.linalg.solve(np.eye(n) - A, Yagg.sum(axis=1))
    idx = pd.MultiIndex.from_product([[f"r{i}" for i in range(R)], [f"s{j}" for j in range(m)]],
                                     names=["region", "sector"])
    ycols = pd.MultiIndex.from_product([[f"r{i}" for i in range(R)], ["hh"]], names=["region", "category"])
    Z = pd.DataFrame(A * x[None, :], index=idx, columns=idx)
    Y = pd.DataFrame(Yagg, index=idx, columns=ycols)
    F = pd.DataFrame(rng.lognormal(0, 2, (k, n)) * (rng.random((k, n)) < 0.5) * x[None, :],
                     index=pd.Index([f"f{i}" for i in range(k)], name="stressor"), columns=idx)
    return MRIO.from_blocks(Z, Y, {"e": F}, method=method)


def test_implicit_operator_matches_explicit_and_allocates_nothing():
    m = random_mrio(3, 4, 2, 0, "gmres")
    Z, x = m.Z.to_numpy(), m.x_array
    C = np.eye(len(x)) - Z / x[None, :]
    s = LeontiefSolver.from_flows(Z, x, groups=m.region_codes, method="gmres", tol=1e-14)
    B = np.random.default_rng(1).random((len(x), 3))
    for tr in (False, True):
        X = s.solve(B, transpose=tr)
        np.testing.assert_allclose((C.T if tr else C) @ X, B, rtol=0, atol=1e-12)
        np.testing.assert_allclose(s.last_residual, B - (C.T if tr else C) @ X, atol=1e-13)
    assert s._C is None  # never materialised by iterative solves
    assert s.max_input_share() == pytest.approx((Z / x[None, :]).sum(axis=0).max())
    lu = LeontiefSolver.from_flows(Z, x, method="lu")
    np.testing.assert_allclose(lu.solve(B), np.linalg.solve(C, B), rtol=1e-12)
    assert lu.last_residual is None and lu.factorised


def test_unequal_blocks_use_the_loop_preconditioner():
    rng = np.random.default_rng(3)
    A = rng.random((7, 7)) * 0.1
    groups = np.array([0, 0, 0, 1, 1, 2, 2])  # blocks of 3, 2, 2
    s = LeontiefSolver(np.eye(7) - A, groups=groups, method="jacobi", tol=1e-14)
    b = rng.random(7)
    np.testing.assert_allclose(s.solve(b), np.linalg.solve(np.eye(7) - A, b), rtol=1e-12)
    assert isinstance(s._pre[False], list)


def test_negative_flows_give_no_bound():
    s = LeontiefSolver(np.array([[1.0, 0.1], [-0.2, 1.0]]), method="gmres")
    assert s.max_input_share() is None


def _within(approx: pd.DataFrame, exact: pd.DataFrame, rtol: float) -> bool:
    a, b = approx.to_numpy(), exact.to_numpy()
    rowmax = np.abs(b).max(axis=1, keepdims=True)
    # the bound is on the error vs the exact value; LU itself is exact to ~1e-15
    return bool((np.abs(a - b) <= rtol * (np.abs(b) + ETA * rowmax) + 1e-14 * rowmax).all())


@settings(max_examples=12, deadline=None)
@given(R=st.integers(2, 4), m=st.integers(2, 6), k=st.integers(1, 3), seed=st.integers(0, 10_000),
       rtol=st.sampled_from([1e-6, 1e-10]))
def test_iterative_accounts_meet_their_error_bound(R, m, k, seed, rtol):
    it = random_mrio(R, m, k, seed, "gmres")
    ex = random_mrio(R, m, k, seed, "lu")
    acc = calc_accounts(it.solver, it.S("e"), it.Y, want_M=True, want_imp=False, rtol=rtol)
    ref = calc_accounts(ex.solver, ex.S("e"), ex.Y, want_M=True, want_imp=False)
    bounds = acc.info["error_bound"]
    assert set(bounds) == {"D_pba", "D_exp", "M", "D_cba", "D_imp_reg"}
    assert all(v <= rtol for v in bounds.values()) and acc.guaranteed
    for name in ("D_cba", "D_pba", "D_exp", "D_cba_reg", "D_pba_reg", "D_exp_reg", "D_imp_reg", "M"):
        assert _within(getattr(acc, name), getattr(ref, name), rtol), name


def test_loose_tolerance_is_refined_until_the_bound_holds():
    m = random_mrio(4, 5, 2, 7, "gmres")
    m.solver.tol = 1e-3  # first solves far too loose: refinement must take over
    acc = calc_accounts(m.solver, m.S("e"), m.Y, want_M=True, want_imp=False, rtol=1e-10)
    ref = random_mrio(4, 5, 2, 7, "lu").accounts("e", want_M=True, imports=False)
    assert max(acc.info["error_bound"].values()) <= 1e-10
    for name in ("D_cba", "D_pba", "D_exp", "M"):
        assert _within(getattr(acc, name), getattr(ref, name), 1e-10), name
