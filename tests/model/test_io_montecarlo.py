"""Monte Carlo footprint bands through Dask distributed (small LocalCluster, threads)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reslog.errors import ModelInputError
from reslog.model.io import MRIO
from reslog.model.io.montecarlo import lognormal_sampler, run_monte_carlo


def two_by_two() -> MRIO:
    """The hand-solved 2 × 2 system of test_io_handsolved.py (r2's footprint 77: 17 from r1, 60 from r2)."""
    lab = pd.MultiIndex.from_tuples([("r1", "a"), ("r1", "b"), ("r2", "a"), ("r2", "b")], names=["region", "sector"])
    Z = pd.DataFrame(0.0, index=lab, columns=lab)
    Z.iloc[0, 1], Z.iloc[1, 2], Z.iloc[2, 3] = 18.0, 6.0, 15.0
    ycols = pd.MultiIndex.from_tuples([("r1", "hh"), ("r2", "hh")], names=["region", "category"])
    Y = pd.DataFrame([[10.0, 0], [0, 30], [0, 0], [20, 40]], index=lab, columns=ycols)
    F = pd.DataFrame([[28.0, 0, 30, 60]], index=pd.Index(["co2"], name="stressor"), columns=lab)
    return MRIO.from_blocks(Z, Y, {"air": F})


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_monte_carlo_bands_and_reproducibility(client):
    m = two_by_two()
    A, S = m.A.to_numpy(), m.S("air").to_numpy()
    y = m.demand_vector("r2")
    args = (A, S, y, m.region_codes, list(m.regions), ["co2"])
    res = run_monte_carlo(*args, target="S", cv=0.2, n_draws=60, chunk=7, seed=1, client=client)
    assert res.draws.shape == (60, 1, 2)
    bands = res.bands.loc[("co2", "total")]
    assert bands["p5"] < 77.0 < bands["p95"]
    assert bands["mean"] == pytest.approx(77.0, rel=0.1)
    again = run_monte_carlo(*args, target="S", cv=0.2, n_draws=60, chunk=20, seed=1, client=client)
    np.testing.assert_allclose(again.draws, res.draws)  # independent of the chunking
    # cv = 0 gives the exact footprint by origin (0.05·0 + … : r1 origin 17, r2 origin 60)
    exact = run_monte_carlo(*args, target="A", cv=0.0, n_draws=3, client=client)
    np.testing.assert_allclose(exact.draws[0, 0], [17.0, 60.0])
    pert = run_monte_carlo(*args, target="A", cv=0.1, n_draws=20, seed=2, client=client)
    assert pert.draws.std(axis=0).sum() > 0


def test_monte_carlo_bad_input(client):
    m = two_by_two()
    A, S = m.A.to_numpy(), m.S("air").to_numpy()
    with pytest.raises(ModelInputError, match="cv must be finite"):
        lognormal_sampler(-1.0)
    with pytest.raises(ModelInputError, match="target must be"):
        run_monte_carlo(A, S, np.ones(4), m.region_codes, list(m.regions), ["co2"], target="Z", client=client)
    # base·10 alone stays productive (this A is nilpotent: ρ = 0 whatever the column sums);
    # a unit diagonal makes ρ(Ã) ≥ 1
    big = lambda rng, base: base * 10 + np.eye(len(base))  # noqa: E731
    with pytest.raises(ModelInputError, match=r"not productive \(spectral radius ≥ 1, test: positivity of L·1"):
        run_monte_carlo(A, S, np.ones(4), m.region_codes, list(m.regions), ["co2"], target="A", sampler=big,
                        n_draws=2, client=client)
