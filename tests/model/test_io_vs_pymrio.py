"""D_cba, D_pba, D_imp, D_exp (and _reg) equal pymrio's calc_all() to ≤ 1e-9 relative.

Relative error: |a − b| ≤ 1e-9·|b| + 1e-12·max|b of that stressor row| (the tiny absolute term
only matters for entries that are 0 in exact arithmetic).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymrio
import pytest

from reslog.model.io import MRIO
from reslog.sources.mrio import read_wiod_2011

ACCOUNTS = ("D_cba", "D_pba", "D_imp", "D_exp", "D_cba_reg", "D_pba_reg", "D_imp_reg", "D_exp_reg")


def assert_same(ours: pd.DataFrame, theirs: pd.DataFrame, name: str) -> None:
    assert ours.index.equals(theirs.index), name
    assert ours.columns.equals(theirs.columns), name
    a, b = ours.to_numpy(dtype=float), theirs.to_numpy(dtype=float)
    scale = np.abs(b).max(axis=1, keepdims=True)
    assert (np.abs(a - b) <= 1e-9 * np.abs(b) + 1e-12 * scale).all(), (name, np.abs(a - b).max())


@pytest.fixture(scope="module")
def pymrio_test_done():
    io = pymrio.load_test()
    io.calc_all()
    return io


@pytest.mark.parametrize("method", ["auto", "gmres", "neumann"])
def test_pymrio_test_system_all_accounts(pymrio_test_done, method):
    m = MRIO.from_pymrio(pymrio.load_test(), method=method)
    exts = list(pymrio_test_done.get_extensions(data=False, instance_names=True))
    assert set(exts) == set(m.extensions) == {"factor_inputs", "emissions"}
    for ext in exts:
        acc = m.accounts(ext, want_M=True)
        theirs = getattr(pymrio_test_done, ext)
        for name in ACCOUNTS + ("M",):
            assert_same(getattr(acc, name), getattr(theirs, name), f"{ext}.{name}")


def test_accounts_without_imports_and_cache(pymrio_test_done):
    m = MRIO.from_pymrio(pymrio.load_test())
    acc = m.accounts("emissions", imports=False)
    assert acc.D_imp is None
    # D_imp_reg comes from the R forward solves already made: no extra solve, also without D_imp
    assert_same(acc.D_imp_reg, pymrio_test_done.emissions.D_imp_reg, "D_imp_reg")
    assert_same(acc.D_cba, pymrio_test_done.emissions.D_cba, "D_cba")
    full = m.accounts("emissions")
    assert full.D_imp is not None and m.accounts("emissions") is full


@pytest.mark.shared_data
def test_wiod_2011_equals_pymrio(shared_data):
    """Real WIOD 2011 table (41 × 35). Stressors: value added (x − 1ᵀZ, a real factor input)
    and a deterministic 'mining output' stressor (gross output of c2 Mining and Quarrying, zero
    elsewhere) — the mining content of final demand."""
    src = read_wiod_2011(shared_data / "io_tables")
    assert src.Z.shape == (1435, 1435) and src.Y.shape == (1435, 205)
    F = src.extensions["factor_inputs"][0]
    mining = np.where(src.Z.index.get_level_values("sector") == "c2", src.x.to_numpy(), 0.0)
    F2 = pd.concat([F, pd.DataFrame([mining], index=["mining_output"], columns=F.columns)])
    F2.index.name = "stressor"
    hh = src.Y.columns.get_level_values("category") == "CONS_h"
    FY = pd.DataFrame(0.0, index=F2.index, columns=src.Y.columns)
    FY.loc["mining_output", hh] = 1.0  # a deterministic direct final-demand stressor
    io = pymrio.IOSystem(Z=src.Z, Y=src.Y, x=src.x.to_frame("indout"),
                         wiod={"name": "wiod", "F": F2, "F_Y": FY})
    io.calc_all()
    m = MRIO.from_blocks(src.Z, src.Y, {"wiod": (F2, FY)}, x=src.x)
    acc = m.accounts("wiod")
    for name in ACCOUNTS:
        assert_same(getattr(acc, name), getattr(io.wiod, name), name)
    # world CBA = world PBA (both use x = L·y; the published x differs from Z·1 + Y·1 by rounding)
    assert acc.D_cba_reg.loc["value_added"].sum() == pytest.approx(acc.D_pba_reg.loc["value_added"].sum(), rel=1e-12)
    assert acc.D_pba.loc["value_added"].sum() == pytest.approx(F.to_numpy().sum(), rel=1e-3)
