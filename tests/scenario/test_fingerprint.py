"""Fingerprint known answers: normalisation and anomalies by hand, synthetic classes separated,
out-of-class sample answered "unknown", features robust to a missing element."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reslog.errors import ModelInputError
from reslog.model.fingerprint.classifier import UNKNOWN, fit_classifier
from reslog.model.fingerprint.evaluate import grouped_cv
from reslog.model.fingerprint.features import FEATURES, REE, Z, calc_features, normalise
from reslog.model.fingerprint.synthetic import synthetic_ree

# McDonough & Sun (1995) CI chondrite, ppm (the test does not need the shared file)
CI = {"La": 0.237, "Ce": 0.613, "Pr": 0.0928, "Nd": 0.457, "Sm": 0.148, "Eu": 0.0563, "Gd": 0.199,
      "Tb": 0.0361, "Dy": 0.246, "Ho": 0.0546, "Er": 0.160, "Tm": 0.0247, "Yb": 0.161, "Lu": 0.0246}
CLASSES = {"A": (3.0, -0.25, 0.0, -0.8, 0.0), "B": (2.0, 0.0, 0.01, 0.0, -0.5),
           "C": (4.0, -0.4, 0.02, 0.3, 0.3)}


def _feat(df: pd.DataFrame) -> pd.DataFrame:
    return calc_features(normalise(df, CI))


def test_flat_pattern_has_no_anomaly_and_zero_slope_by_hand() -> None:
    df = pd.DataFrame([{e: 10 * CI[e] for e in REE}])
    f = _feat(df).iloc[0]
    assert f["lambda0"] == pytest.approx(np.log(10))
    assert f["lambda1"] == pytest.approx(0, abs=1e-12) and f["lambda2"] == pytest.approx(0, abs=1e-12)
    assert f["ln_eu_anom"] == pytest.approx(0, abs=1e-12)
    # Eu halved: Eu/Eu* = 0.5 exactly
    df.loc[0, "Eu"] *= 0.5
    assert _feat(df).iloc[0]["ln_eu_anom"] == pytest.approx(np.log(0.5))


def test_missing_neighbour_keeps_the_anomaly() -> None:
    df = pd.DataFrame([{e: 10 * CI[e] * np.exp(-0.2 * (Z[e] - 64)) for e in REE}])
    df.loc[0, "Eu"] *= 0.4
    full = _feat(df).iloc[0]
    df.loc[0, "Gd"] = np.nan
    part = _feat(df).iloc[0]
    assert part["ln_eu_anom"] == pytest.approx(full["ln_eu_anom"], abs=1e-9)
    assert part["n_imputed"] == 1


def test_synthetic_classes_are_separated_and_outlier_is_unknown() -> None:
    df = synthetic_ree(CLASSES, CI, seed=1)
    F = _feat(df)[list(FEATURES)].to_numpy()
    summary, _ = grouped_cv(F, df["label"].to_numpy(), df["deposit"].to_numpy(), n_splits=4)
    assert summary["accuracy"].iloc[0] > 0.95
    clf = fit_classifier(F, df["label"].to_numpy(), df["deposit"].to_numpy())
    # a pattern unlike any class: steep HREE enrichment and a huge positive Eu anomaly
    odd = pd.DataFrame([{e: CI[e] * np.exp(1 + 0.5 * (i - 7)) * (20 if e == "Eu" else 1)
                         for i, e in enumerate(REE)}])
    assert clf.predict(_feat(odd)[list(FEATURES)].to_numpy())[0] == UNKNOWN
    # in-class samples are mostly not unknown
    pred = clf.predict(F)
    assert np.mean(pred == UNKNOWN) < 0.05
    p = clf.predict_proba(F)
    np.testing.assert_allclose(p.sum(1), 1, atol=1e-9)


def test_too_few_elements_is_a_clear_error() -> None:
    df = synthetic_ree(CLASSES, CI, seed=2)
    F = _feat(df)[list(FEATURES)].to_numpy()
    clf = fit_classifier(F, df["label"].to_numpy(), df["deposit"].to_numpy())
    thin = pd.DataFrame([{"La": 10.0, "Ce": 20.0, "Yb": 1.0}])
    with pytest.raises(ModelInputError, match="too few REE"):
        clf.predict(_feat(thin)[list(FEATURES)].to_numpy())
