r"""Deposit-type classifier with calibrated probabilities and an "unknown origin" answer.

* **Model.** Standardised features → multinomial logistic regression (L2, ``C`` = 1), wrapped
  in sigmoid (Platt) calibration fitted on *grouped* inner folds (no deposit in both the fit
  and the calibration fold), so the probabilities are honest on unseen deposits.
* **Unknown.** A sample is "unknown" when it is far from every class: its squared
  Mahalanobis distance to each class (class mean, Ledoit–Wolf shrunk covariance, in the
  standardised space) exceeds that class's threshold, the ``quantile`` (default 0.99) of the
  training samples' distances to their own class. "Unknown" is an answer, not an error; the
  probabilities are still reported.

References
----------
Platt, J. (1999) Probabilistic outputs for support vector machines. Adv. Large Margin Classifiers.
Ledoit, O. & Wolf, M. (2004) A well-conditioned estimator for large-dimensional covariance
matrices. J. Multivariate Anal. 88, 365–411.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reslog.errors import ModelInputError

UNKNOWN = "unknown"


@dataclass
class FingerprintClassifier:
    """Fitted classifier (use :func:`fit_classifier`)."""

    classes: list[str]
    mean: np.ndarray
    scale: np.ndarray
    model: object
    centroids: np.ndarray
    precisions: list[np.ndarray]
    thresholds: np.ndarray
    feature_names: tuple[str, ...]

    def _z(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, float)
        if X.ndim != 2 or X.shape[1] != len(self.mean):
            raise ModelInputError(f"classifier: expected {len(self.mean)} features, got {X.shape}")
        if not np.isfinite(X).all():
            r = int(np.argwhere(~np.isfinite(X))[0][0])
            raise ModelInputError(f"classifier: sample {r} has a missing feature (too few REE to "
                                  f"fit the pattern shape; need ≥ 4 of La…Lu besides Ce, Eu)")
        return (X - self.mean) / self.scale

    def distances(self, X: np.ndarray) -> np.ndarray:
        """Squared Mahalanobis distance of each sample to each class, (n, k)."""
        Zs = self._z(X)
        return np.column_stack([np.einsum("ij,jk,ik->i", Zs - c, P, Zs - c)
                                for c, P in zip(self.centroids, self.precisions)])

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities (n, k)."""
        return self.model.predict_proba(self._z(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Most probable class, or :data:`UNKNOWN` when far from every class."""
        p = self.predict_proba(X)
        lab = np.asarray(self.classes, dtype=object)[p.argmax(axis=1)]
        far = (self.distances(X) > self.thresholds).all(axis=1)
        return np.where(far, UNKNOWN, lab)


def fit_classifier(X: np.ndarray, y: np.ndarray, groups: np.ndarray, quantile: float = 0.99,
                   feature_names: tuple[str, ...] = (), C: float = 1.0) -> FingerprintClassifier:
    """Fit (see the module docstring). ``groups``: deposit of each sample."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.covariance import LedoitWolf
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    X = np.asarray(X, float)
    y = np.asarray(y).astype(str)
    groups = np.asarray(groups)
    if not np.isfinite(X).all():
        raise ModelInputError("classifier: training features contain missing values")
    classes = sorted(set(y))
    if len(classes) < 2:
        raise ModelInputError(f"classifier: need ≥ 2 classes, got {classes}")
    mean, scale = X.mean(0), X.std(0)
    scale = np.where(scale > 0, scale, 1.0)
    Zs = (X - mean) / scale
    base = LogisticRegression(C=C, max_iter=2000)
    ng = len(np.unique(groups))
    if ng >= 3 and all(len(np.unique(groups[y == c])) >= 1 for c in classes):
        splits = list(GroupKFold(n_splits=min(3, ng)).split(Zs, y, groups))
        splits = [(tr, te) for tr, te in splits if len(set(y[tr])) == len(classes)]
    else:
        splits = []
    model = CalibratedClassifierCV(base, method="sigmoid", cv=splits) if splits else base
    model.fit(Zs, y)
    cents, precs, thr = [], [], []
    for c in classes:
        Zc = Zs[y == c]
        lw = LedoitWolf().fit(Zc)
        P = np.linalg.pinv(lw.covariance_)
        d = np.einsum("ij,jk,ik->i", Zc - lw.location_, P, Zc - lw.location_)
        cents.append(lw.location_)
        precs.append(P)
        thr.append(float(np.quantile(d, quantile)))
    return FingerprintClassifier(classes, mean, scale, model, np.array(cents), precs,
                                 np.array(thr), tuple(feature_names))
