r"""Chondrite-normalised REE patterns and features that tolerate missing elements.

**Normalisation.** :math:`X_N = X / X_\text{CI}` per element (ppm / ppm), with the chondrite
values of a cited reference composition (default McDonough & Sun 1995; Palme & O'Neill 2014
is also shipped in ../shared/data/geochem).

**Shape.** The pattern is summarised by a quadratic in the element's position
:math:`z = Z - 64` (atomic number, La = 57 … Lu = 71, centred on Gd), fitted by least squares to
:math:`\ln X_N` over the elements present *excluding Ce and Eu* (which carry redox anomalies):

.. math:: \ln X_N(z) \approx \lambda_0 + \lambda_1 z + \lambda_2 z^2

:math:`\lambda_0` is the overall level, :math:`\lambda_1` the LREE/HREE slope (negative = LREE
enriched), :math:`\lambda_2` the curvature. It is a simplified form of O'Neill's (2016) λ
coefficients (atomic number instead of ionic radius, plain instead of orthogonal polynomials).
At least 4 such elements spanning LREE and HREE are required; otherwise the sample's shape
features are missing and the sample is refused by the classifier with a message.

**Anomalies.** :math:`\mathrm{Eu/Eu^*} = \mathrm{Eu}_N / \sqrt{\mathrm{Sm}_N\,\mathrm{Gd}_N}` and
:math:`\mathrm{Ce/Ce^*} = \mathrm{Ce}_N / \sqrt{\mathrm{La}_N\,\mathrm{Pr}_N}`, used as logarithms;
a missing neighbour is replaced by the fitted shape at its position (so one missing element
does not lose the anomaly). A missing Eu or Ce gives a missing anomaly, then set to 0
(no anomaly) with a flag column counting imputed values.

**Log-ratio.** The centred log-ratio of the 14 normalised REE,
:math:`\mathrm{clr}_i = \ln X_{N,i} - \overline{\ln X_N}`, with missing elements filled from the
fitted shape (and missing Ce/Eu from the shape times no anomaly). clr removes the dilution
(closure) effect: only relative abundances remain.

References
----------
McDonough, W. F. & Sun, S.-s. (1995) The composition of the Earth. Chem. Geol. 120, 223–253.
O'Neill, H. St. C. (2016) The smoothness and shapes of chondrite-normalized rare earth element
patterns in basalts. J. Petrol. 57, 1463–1508.
Aitchison, J. (1986) The Statistical Analysis of Compositional Data. Chapman & Hall.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError

REE = ("La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu")
Z = {e: 57 + i if e != "Pm" else 61 for i, e in enumerate(("La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd",
                                                          "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu"))}
SHAPE = ("lambda0", "lambda1", "lambda2")
FEATURES = SHAPE + ("ln_eu_anom", "ln_ce_anom") + tuple(f"clr_{e}" for e in REE)
MIN_SHAPE_ELEMENTS = 4


def normalise(samples: pd.DataFrame, reference: dict[str, float]) -> pd.DataFrame:
    """:math:`X/X_\\text{CI}` for the REE columns present (NaN stays NaN; ≤ 0 becomes NaN)."""
    missing = [e for e in REE if e in samples.columns and e not in reference]
    if missing:
        raise ModelInputError(f"normalisation: the reference lacks {missing}")
    out = pd.DataFrame(index=samples.index)
    for e in REE:
        if e in samples.columns:
            v = samples[e].astype(float)
            out[e] = v.where(v > 0) / reference[e]
        else:
            out[e] = np.nan
    return out


def calc_features(normalised: pd.DataFrame) -> pd.DataFrame:
    """:data:`FEATURES` plus ``n_elements`` and ``n_imputed`` per sample (see module doc)."""
    L = np.log(normalised[list(REE)].to_numpy(float))
    z = np.array([Z[e] - 64 for e in REE], float)
    shape_mask = np.array([e not in ("Ce", "Eu") for e in REE])
    n = len(L)
    lam = np.full((n, 3), np.nan)
    for i in range(n):
        ok = np.isfinite(L[i]) & shape_mask
        zz = z[ok]
        if ok.sum() >= MIN_SHAPE_ELEMENTS and zz.min() <= -3 and zz.max() >= 3:
            A = np.vstack([np.ones(ok.sum()), zz, zz ** 2]).T
            lam[i] = np.linalg.lstsq(A, L[i, ok], rcond=None)[0]
    fitted = lam[:, [0]] + lam[:, [1]] * z + lam[:, [2]] * z ** 2
    filled = np.where(np.isfinite(L), L, fitted)
    idx = {e: k for k, e in enumerate(REE)}
    eu = L[:, idx["Eu"]] - 0.5 * (filled[:, idx["Sm"]] + filled[:, idx["Gd"]])
    ce = L[:, idx["Ce"]] - 0.5 * (filled[:, idx["La"]] + filled[:, idx["Pr"]])
    n_imp = (~np.isfinite(L)).sum(axis=1)
    eu = np.where(np.isfinite(eu), eu, 0.0)
    ce = np.where(np.isfinite(ce), ce, 0.0)
    clr = filled - np.nanmean(filled, axis=1, keepdims=True)
    out = pd.DataFrame(np.column_stack([lam, eu, ce, clr]), index=normalised.index, columns=list(FEATURES))
    out["n_elements"] = np.isfinite(L).sum(axis=1)
    out["n_imputed"] = n_imp
    return out
