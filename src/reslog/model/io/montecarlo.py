"""Monte Carlo uncertainty of footprints over perturbed A or S, run through Dask distributed.

Each draw perturbs the technical coefficients A or the intensities S with a user-given
distribution and recomputes the footprint of a demand vector y by origin region:

    D⁽ᵈ⁾[k, r] = Σ_{i∈r} S⁽ᵈ⁾_ki (L⁽ᵈ⁾ y)_i

Draws are split into chunks; each chunk is one task on a ``dask.distributed`` cluster (a
``LocalCluster`` when no client is passed; pass ``Client("tcp://scheduler:8786")`` to scale
out). A and S are scattered once to the workers. Seeds come from one
``numpy.random.SeedSequence`` so results do not depend on the number of workers.

The default distribution is a mean-preserving lognormal multiplicative error per entry,
X·exp(ε), ε ~ N(−σ²/2, σ²), σ² = ln(1 + cv²) (Lenzen et al. 2010 use such errors for MRIO
uncertainty); any ``sampler(rng, base) -> perturbed`` callable can replace it. Perturbed A
must stay productive (ρ(Ã) < 1: column sums < 1, or else L·1 > 0), otherwise the draw fails with a clear error.

Bias (documented, not corrected). The noise is mean-preserving *per coefficient*
(E[Ã] = A), but the footprint is not linear in A: L(A) = Σₘ Aᵐ has non-negative coefficients,
and with independent entries E[(Ãᵐ)_ij] ≥ (Aᵐ)_ij (E[a²] ≥ E[a]²), so E[L(Ã)] ≥ L(A) entrywise
and the mean footprint over draws of A lies *above* the footprint at the published A (Jensen;
the bias grows roughly with cv² and with the share of long supply chains). Perturbing S is
linear and unbiased. reslog does not centre the draws — re-scaling them would change the spread
the user asked for — but reports, next to the bands, ``base`` (the footprint at the unperturbed
A and S) and ``bias`` = mean − base, so the shift is visible; read the median or ``base``, not
the mean, as the central estimate when perturbing A.

Reference
---------
Lenzen, M., Wood, R. & Wiedmann, T. (2010). Uncertainty analysis for multi-region
input–output models — a case study of the UK's carbon footprint. Economic Systems Research
22(1), 43–63.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal, Sequence

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError

Sampler = Callable[[np.random.Generator, np.ndarray], np.ndarray]


def lognormal_sampler(cv: float | np.ndarray) -> Sampler:
    """Mean-preserving multiplicative lognormal noise with coefficient of variation ``cv``."""
    cv_arr = np.asarray(cv, dtype=float)
    if (cv_arr < 0).any() or not np.isfinite(cv_arr).all():
        raise ModelInputError("Monte Carlo: cv must be finite and ≥ 0")
    sigma = np.sqrt(np.log1p(cv_arr**2))

    def sample(rng: np.random.Generator, base: np.ndarray) -> np.ndarray:
        eps = rng.standard_normal(base.shape) * sigma - sigma**2 / 2
        return base * np.exp(eps)

    return sample


def _mc_chunk(
    A: np.ndarray, S: np.ndarray, y: np.ndarray, region: np.ndarray, n_regions: int,
    target: str, sampler: Sampler, seeds: Sequence[np.random.SeedSequence],
) -> np.ndarray:
    """Draws for one chunk: array (draws, k, regions)."""
    n = len(y)
    out = np.empty((len(seeds), S.shape[0], n_regions))
    agg = np.zeros((n, n_regions))
    agg[np.arange(n), region] = 1.0
    base_x = None
    for d, ss in enumerate(seeds):
        rng = np.random.default_rng(ss)
        if target == "A":
            Ad = sampler(rng, A)
            cs = Ad.sum(axis=0)
            if (cs >= 1).any():  # column sums are only sufficient: test ρ(Ã) < 1 exactly (L·1 > 0)
                try:
                    ell = np.linalg.solve(np.eye(n) - Ad, np.ones(n))
                except np.linalg.LinAlgError:
                    ell = -np.ones(n)
                if not (ell > 0).all():
                    raise ModelInputError(
                        f"Monte Carlo: a perturbed A is not productive (spectral radius ≥ 1, test: positivity "
                        f"of L·1; {int((cs >= 1).sum())} column(s) sum to ≥ 1); lower the coefficient of variation")
            x_y = np.linalg.solve(np.eye(n) - Ad, y)
            Sd = S
        else:
            if base_x is None:
                base_x = np.linalg.solve(np.eye(n) - A, y)
            x_y = base_x
            Sd = sampler(rng, S)
        out[d] = (Sd * x_y[None, :]) @ agg
    return out


@dataclass
class MonteCarloResult:
    """Draws and percentile bands of a footprint by origin region.

    Attributes
    ----------
    draws : ndarray (draws, stressors, regions)
    bands : DataFrame — rows (stressor, origin_region) plus a ``total`` region; columns the
        requested percentiles (e.g. p5, p50, p95), ``mean``, ``base`` (footprint at the
        unperturbed A, S) and ``bias`` = mean − base (≥ 0 in expectation when A is perturbed; see
        the module docstring).
    """

    draws: np.ndarray
    bands: pd.DataFrame


def run_monte_carlo(
    A: np.ndarray,
    S: np.ndarray,
    y: np.ndarray,
    region: np.ndarray,
    regions: Sequence[object],
    stressors: Sequence[object],
    *,
    target: Literal["A", "S"] = "S",
    cv: float | np.ndarray = 0.1,
    sampler: Sampler | None = None,
    n_draws: int = 200,
    chunk: int = 25,
    seed: int = 0,
    percentiles: Sequence[float] = (5, 50, 95),
    client: Any = None,
) -> MonteCarloResult:
    """Monte Carlo footprint bands by origin region, on a Dask distributed cluster.

    Parameters
    ----------
    A : (n, n) technical coefficients; S : (k, n) intensities; y : (n,) demand (money).
    region : (n,) region code per sector; regions, stressors : labels.
    target : perturb ``"A"`` or ``"S"``.
    cv : coefficient of variation for the default lognormal sampler (scalar or array like the
        target).
    sampler : optional ``sampler(rng, base) -> perturbed`` replacing the default.
    n_draws, chunk : number of draws and draws per task.
    seed : root seed (results are reproducible and independent of the cluster size).
    percentiles : percentiles reported.
    client : a ``dask.distributed.Client``; when None a ``LocalCluster`` (threads) is started
        and closed.
    """
    if target not in ("A", "S"):
        raise ModelInputError(f"Monte Carlo: target must be 'A' or 'S', got {target!r}")
    if n_draws < 1 or chunk < 1:
        raise ModelInputError("Monte Carlo: n_draws and chunk must be ≥ 1")
    smp = sampler if sampler is not None else lognormal_sampler(cv)
    from dask.distributed import Client, LocalCluster

    own = client is None
    cluster = None
    if own:
        cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)
        client = Client(cluster)
    try:
        seeds = np.random.SeedSequence(seed).spawn(n_draws)
        A_f, S_f, y_f = client.scatter([A, S, y], broadcast=True, hash=False)
        futures = [
            client.submit(_mc_chunk, A_f, S_f, y_f, np.asarray(region), len(regions), target, smp,
                          seeds[a:a + chunk], pure=False)
            for a in range(0, n_draws, chunk)
        ]
        draws = np.concatenate(client.gather(futures), axis=0)
    finally:
        if own:
            client.close()
            assert cluster is not None
            cluster.close()
    full = np.concatenate([draws, draws.sum(axis=2, keepdims=True)], axis=2)
    idx = pd.MultiIndex.from_product([[str(s) for s in stressors], [*map(str, regions), "total"]],
                                     names=["stressor", "origin_region"])
    data = {f"p{p:g}": np.percentile(full, p, axis=0).reshape(-1) for p in percentiles}
    data["mean"] = full.mean(axis=0).reshape(-1)
    n = len(y)
    agg = np.zeros((n, len(regions)))
    agg[np.arange(n), np.asarray(region)] = 1.0
    base = (np.asarray(S, float) * np.linalg.solve(np.eye(n) - np.asarray(A, float), np.asarray(y, float))[None, :]) @ agg
    base_full = np.concatenate([base, base.sum(axis=1, keepdims=True)], axis=1)
    data["base"] = base_full.reshape(-1)
    data["bias"] = data["mean"] - data["base"]
    return MonteCarloResult(draws=draws, bands=pd.DataFrame(data, index=idx))
