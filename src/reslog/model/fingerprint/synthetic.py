r"""A documented generator of class-specific chondrite-normalised REE patterns, **for tests
only** (never shown as data). Class *c* has a shape :math:`\ln X_N = \lambda_0 + \lambda_1 z
+ \lambda_2 z^2` plus a Eu and a Ce anomaly; each sample adds Gaussian noise to the
coefficients and to every element, and converts back to ppm with the reference values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from reslog.model.fingerprint.features import REE, Z


def synthetic_ree(classes: dict[str, tuple[float, float, float, float, float]], reference: dict[str, float],
                  n_per_deposit: int = 15, deposits_per_class: int = 4, noise: float = 0.1,
                  seed: int = 0) -> pd.DataFrame:
    """``label, deposit`` + REE in ppm. ``classes``: name → (λ0, λ1, λ2, ln Eu/Eu*, ln Ce/Ce*)."""
    rng = np.random.default_rng(seed)
    z = np.array([Z[e] - 64 for e in REE], float)
    rows = []
    for name, (l0, l1, l2, eu, ce) in classes.items():
        for d in range(deposits_per_class):
            dep_shift = rng.normal(0, noise, 3)
            for _ in range(n_per_deposit):
                a = np.array([l0, l1, l2]) + dep_shift + rng.normal(0, noise / 2, 3) * [1, 0.05, 0.005]
                ln = a[0] + a[1] * z + a[2] * z ** 2 + rng.normal(0, noise / 2, len(z))
                ln[REE.index("Eu")] += eu
                ln[REE.index("Ce")] += ce
                rows.append({"label": name, "deposit": f"{name}-{d}",
                             **{e: float(np.exp(v) * reference[e]) for e, v in zip(REE, ln)}})
    return pd.DataFrame(rows)
