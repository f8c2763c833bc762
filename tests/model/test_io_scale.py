"""Issue 13 item 5 — real tables in one line (negative gross output policy), many extensions
sharing one factorisation, and a series of years on a Dask LocalCluster."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymrio
import pytest

from reslog.errors import ModelInputError
from reslog.model.io import MRIO

from test_io_fast_accounts import random_mrio  # noqa: E402

ACCOUNTS = ("D_cba", "D_pba", "D_imp", "D_exp", "D_cba_reg", "D_pba_reg", "D_imp_reg", "D_exp_reg")


def assert_same(ours: pd.DataFrame, theirs: pd.DataFrame, name: str, rtol: float = 1e-9) -> None:
    assert ours.index.equals(theirs.index) and ours.columns.equals(theirs.columns), name
    a, b = ours.to_numpy(dtype=float), theirs.to_numpy(dtype=float)
    scale = np.abs(b).max(axis=1, keepdims=True)
    assert (np.abs(a - b) <= rtol * np.abs(b) + 1e-12 * scale).all(), (name, np.abs(a - b).max())


# ---------------------------------------------------------------- negative gross output
@pytest.mark.shared_data
def test_wiod_2011_with_x_from_z_and_y_equals_pymrio(shared_data):
    """The usual pymrio workflow: x = Z·1 + Y·1 (two negative outputs, LUX c5 and c8 = −1).
    reslog refuses by default, naming the way out; with negative_output="keep" it computes as
    pymrio does and equals it to 1e-9."""
    from reslog.sources.mrio import read_wiod_2011

    src = read_wiod_2011(shared_data / "io_tables")
    F = src.extensions["factor_inputs"][0]
    io = pymrio.IOSystem(Z=src.Z, Y=src.Y, wiod={"name": "wiod", "F": F, "unit": pd.DataFrame(
        {"unit": ["million USD"]}, index=F.index)})
    io.calc_all()  # computes x = Z·1 + Y·1
    assert (io.x.iloc[:, 0] < 0).sum() == 2
    with pytest.raises(ModelInputError, match=r"negative gross output in 2 sector\(s\): \('LUX', 'c5'\) = -1.*"
                                              r"negative_output='keep'.*negative_output='clip'"):
        MRIO.from_pymrio(io)
    m = MRIO.from_pymrio(io, negative_output="keep")  # one line
    acc = m.accounts("wiod")
    for name in ACCOUNTS:
        assert_same(getattr(acc, name), getattr(io.wiod, name), name)
    assert acc.guaranteed and set(acc.unit) == {"million USD"}
    clipped = MRIO.from_pymrio(io, negative_output="clip")
    assert (clipped.x_array >= 0).all() and clipped.x_array[m.x_array < 0].tolist() == [0.0, 0.0]


def test_clip_and_keep_on_a_small_table():
    m0 = random_mrio(2, 3, 1, 0, "lu")
    Y = m0.Y.copy()
    Y.iloc[0, 0] = -(m0.Z.iloc[0].sum() + Y.iloc[0].sum()) - 1.0  # x_0 = −1
    with pytest.raises(ModelInputError, match="negative gross output"):
        MRIO.from_blocks(m0.Z, Y, {"e": m0.extension("e").F})
    keep = MRIO.from_blocks(m0.Z, Y, {"e": m0.extension("e").F}, negative_output="keep")
    assert keep.x_array[0] == pytest.approx(-1.0)
    assert keep.productivity["productive"] is None  # A < 0 somewhere: no Perron test, condition estimated
    assert keep.productivity["cond"] > 1
    acc = keep.accounts("e")
    io = pymrio.IOSystem(Z=m0.Z, Y=Y, e={"name": "e", "F": m0.extension("e").F})
    io.calc_all()
    for name in ACCOUNTS:
        assert_same(getattr(acc, name), getattr(io.e, name), name)
    with pytest.warns(UserWarning, match="negative_output='clip'"):
        clip = MRIO.from_blocks(m0.Z, Y, {"e": m0.extension("e").F}, negative_output="clip")
    assert clip.x_array[0] == 0.0 and (clip.A.to_numpy()[:, 0] == 0).all()


# ---------------------------------------------------------------- many extensions, one factorisation
def stressors(m0: MRIO, k: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.lognormal(0, 1, (k, len(m0.labels))) * (rng.random((k, len(m0.labels))) < 0.3),
                        index=pd.Index([f"s{seed}_{i}" for i in range(k)], name="stressor"), columns=m0.labels)


def test_exiobase_sized_extensions_share_one_factorisation_and_every_solve():
    """~1,100 satellite stressors + 126 impacts: one LU, and the same right-hand sides as a
    single extension with more stressors than sectors (R_c forward + n forward for D_imp)."""
    m0 = random_mrio(4, 6, 1, 0, "lu")
    sat, imp = stressors(m0, 1100, 1), stressors(m0, 126, 2)
    m = MRIO.from_blocks(m0.Z, m0.Y, {"satellite": sat, "impacts": imp})
    allacc = m.accounts_all()
    n, Rc = len(m.labels), m.Y_agg().shape[1]
    assert m.solver.stats["lu"] == 1
    assert m.solver.stats["rhs"] == Rc + n  # R_c forward (x_c) + n forward (D_imp); no per-extension work
    one = MRIO.from_blocks(m0.Z, m0.Y, {"few": stressors(m0, 7, 3)})  # 7 > 6 sectors: also the forward route
    one.accounts_all()
    assert one.solver.stats["rhs"] == m.solver.stats["rhs"]  # 1,226 stressors cost what 7 cost
    # identical to each extension computed on its own
    for nm in ("satellite", "impacts"):
        alone = MRIO.from_blocks(m0.Z, m0.Y, {nm: m.extension(nm).F}).accounts(nm)
        for name in ACCOUNTS:
            assert_same(getattr(allacc[nm], name), getattr(alone, name), f"{nm}.{name}", rtol=1e-12)


# ---------------------------------------------------------------- series of years on Dask
def test_series_of_years_on_a_local_cluster_equals_sequential():
    from reslog.model.io.series import calc_accounts_sequential, calc_accounts_series

    years = {2019: random_mrio(3, 4, 2, 19, "lu"), 2020: random_mrio(3, 4, 2, 20, "lu"),
             2021: lambda: random_mrio(3, 4, 2, 21, "gmres")}  # a loader runs on the worker
    par = calc_accounts_series(years, ["e"], n_workers=2)
    seq = calc_accounts_sequential({2019: random_mrio(3, 4, 2, 19, "lu"), 2020: random_mrio(3, 4, 2, 20, "lu"),
                                    2021: lambda: random_mrio(3, 4, 2, 21, "gmres")}, ["e"])
    assert list(par) == [2019, 2020, 2021]
    for y in years:
        for name in ACCOUNTS:
            np.testing.assert_allclose(getattr(par[y]["e"], name), getattr(seq[y]["e"], name), rtol=1e-13, atol=0)
    # years differ (not the same result returned three times)
    assert not np.allclose(par[2019]["e"].D_cba_reg, par[2020]["e"].D_cba_reg)
    with pytest.raises(ModelInputError, match="no years"):
        calc_accounts_series({})


def test_forward_route_for_many_stressors_equals_pymrio():
    """k·R > n: D_imp through the n forward solves (imports over the foreign rows, D_cba = imports +
    the own block) — equal to pymrio's x_diag route."""
    m = random_mrio(3, 4, 6, 5, "lu")
    io = pymrio.IOSystem(Z=m.Z, Y=m.Y, e={"name": "e", "F": m.extension("e").F})
    io.calc_all()
    acc = m.accounts("e")
    assert m.solver.stats["rhs"] == 3 + 12  # R_c forward + n forward: the forward route was taken
    for name in ACCOUNTS:
        assert_same(getattr(acc, name), getattr(io.e, name), name)
