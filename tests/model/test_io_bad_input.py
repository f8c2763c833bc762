"""Bad MRIO input fails with a message naming the block and the offending labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reslog.errors import ModelInputError
from reslog.model.io import MRIO, LeontiefSolver

IDX = pd.MultiIndex.from_tuples([("r1", "a"), ("r1", "b"), ("r2", "a")], names=["region", "sector"])
YC = pd.MultiIndex.from_tuples([("r1", "hh"), ("r2", "hh")], names=["region", "category"])


def blocks():
    Z = pd.DataFrame([[1.0, 2, 0], [0, 1, 3], [2, 0, 1]], index=IDX, columns=IDX, dtype=float)
    Y = pd.DataFrame([[5.0, 1], [2, 2], [1, 6]], index=IDX, columns=YC, dtype=float)
    F = pd.DataFrame([[1.0, 2, 3]], index=pd.Index(["co2"], name="stressor"), columns=IDX, dtype=float)
    return Z, Y, F


def test_ok():
    Z, Y, F = blocks()
    MRIO.from_blocks(Z, Y, {"air": F}).accounts("air")


def test_non_square_Z():
    Z, Y, F = blocks()
    with pytest.raises(ModelInputError, match=r"block Z: not square \(3 rows × 2 columns\)"):
        MRIO.from_blocks(Z.iloc[:, :2], Y, {"air": F})


def test_label_mismatch_Z_Y_F():
    Z, Y, F = blocks()
    Y2 = Y.rename(index={"b": "c"}, level=1)
    with pytest.raises(ModelInputError, match=r"block Y: row labels .*missing \[?\('r1', 'b'\)"):
        MRIO.from_blocks(Z, Y2, {"air": F})
    F2 = F.rename(columns={"r2": "r9"}, level=0)
    with pytest.raises(ModelInputError, match=r"block F \(air\).*'r9'"):
        MRIO.from_blocks(Z, Y, {"air": F2})
    with pytest.raises(ModelInputError, match="different order"):
        MRIO.from_blocks(Z, Y.iloc[[1, 0, 2]], {"air": F})


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_inf(bad):
    Z, Y, F = blocks()
    Z.iloc[1, 2] = bad
    with pytest.raises(ModelInputError, match=r"block Z: 1 NaN/inf value\(s\): row \('r1', 'b'\), column \('r2', 'a'\)"):
        MRIO.from_blocks(Z, Y, {"air": F})
    Z, Y, F = blocks()
    F.iloc[0, 0] = bad
    with pytest.raises(ModelInputError, match=r"block F \(air\)"):
        MRIO.from_blocks(Z, Y, {"air": F})


def test_negative_output():
    Z, Y, F = blocks()
    Y.iloc[2] = [-20.0, 0]
    with pytest.raises(ModelInputError, match=r"block x: negative gross output .*\('r2', 'a'\)"):
        MRIO.from_blocks(Z, Y, {"air": F})


def test_column_sum_at_least_one():
    Z, Y, F = blocks()
    x = pd.Series([8.0, 4.0, 9.0], index=IDX)  # column b: inputs 2 + 1 + 0 = 3 < 4 ok; a: 3 < 8 ok
    MRIO.from_blocks(Z, Y, {"air": F}, x=x)
    # column b sums to exactly 1, but ρ(A) < 1 (irreducible, other columns < 1): productive,
    # certified by the exact M-matrix test (L·1 > 0), not refused as the column-sum rule did
    x = pd.Series([8.0, 3.0, 9.0], index=IDX)
    m = MRIO.from_blocks(Z, Y, {"air": F}, x=x)
    assert m.productivity["test"] == "positivity of L·1 (M-matrix)"
    assert max(abs(np.linalg.eigvals(m.A.to_numpy()))) < 1
    x = pd.Series([8.0, 2.0, 9.0], index=IDX)  # column b sums to 1.5, yet ρ(A) = 0.726: productive
    assert MRIO.from_blocks(Z, Y, {"air": F}, x=x).productivity["productive"] is True
    x = pd.Series([8.0, 1.0, 9.0], index=IDX)  # column b sums to 3 and ρ(A) = 1.155
    with pytest.raises(ModelInputError, match=r"block A: not productive — spectral radius ρ\(A\) ≥ 1 \(test: "
                                              r"positivity of L·1.*\('r1', 'b'\) \(Σ A = 3\)"):
        MRIO.from_blocks(Z, Y, {"air": F}, x=x)


def test_zero_output_with_inputs():
    Z, Y, F = blocks()
    x = pd.Series([8.0, 0.0, 9.0], index=IDX)
    with pytest.raises(ModelInputError, match=r"zero gross output but non-zero inputs: \('r1', 'b'\)"):
        MRIO.from_blocks(Z, Y, {"air": F}, x=x)


def test_singular_I_minus_A():
    idx = IDX[:2]
    # A = [[.5, -.5], [-.5, .5]]: column sums 0 < 1 but I − A is singular
    Z = pd.DataFrame([[5.0, -5.0], [-5.0, 5.0]], index=idx, columns=idx)
    Y = pd.DataFrame([[10.0], [10.0]], index=idx, columns=YC[:1])
    F = pd.DataFrame([[1.0, 1.0]], index=["co2"], columns=idx)
    # refused when built: the productivity test (L·1 > 0 or, with negative flows, the
    # condition estimate) needs the factorisation, which finds the zero pivot
    with pytest.raises(ModelInputError, match=r"block (I−A: singular|A: not productive)"):
        MRIO.from_blocks(Z, Y, {"air": F})
    with pytest.raises(ModelInputError, match="singular"):
        LeontiefSolver(np.array([[1.0, -1.0], [-1.0, 1.0]]), method="lu").solve(np.ones(2))
    with pytest.raises(ModelInputError, match="singular"):  # iterative falls back to LU, which says so
        LeontiefSolver(np.array([[1.0, -1.0], [-1.0, 1.0]]), method="gmres").solve(np.ones(2))


def test_unknown_extension_demand_and_duplicates():
    Z, Y, F = blocks()
    m = MRIO.from_blocks(Z, Y, {"air": F})
    with pytest.raises(ModelInputError, match=r"unknown extension 'water'; available: \['air'\]"):
        m.accounts("water")
    with pytest.raises(ModelInputError, match=r"demand: labels not in the MRIO .*'zz'"):
        m.footprint({("r1", "zz"): 1.0}, "air")
    with pytest.raises(ModelInputError, match="unknown final-demand region 'r7'"):
        m.footprint("r7", "air")
    Zd = pd.concat([Z, Z.iloc[:1]])
    with pytest.raises(ModelInputError, match="block Z: duplicated row labels"):
        MRIO.from_blocks(Zd, Y, {"air": F})
    with pytest.raises(ModelInputError, match="unknown solver method"):
        LeontiefSolver(np.eye(2), method="magic")
