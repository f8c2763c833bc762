r"""Honest cross-validation: folds grouped by deposit (``GroupKFold``), so no deposit is in both
training and test. Scores: accuracy and balanced accuracy of the most probable class (unknown
counted as wrong), the share answered "unknown", log loss and Brier score of the calibrated
probabilities, and a majority-class baseline for comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.fingerprint.classifier import UNKNOWN, fit_classifier


def grouped_cv(X: np.ndarray, y: np.ndarray, groups: np.ndarray, n_splits: int = 5,
               quantile: float = 0.99) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary, per-sample out-of-fold predictions) of grouped K-fold CV."""
    from sklearn.model_selection import GroupKFold

    y = np.asarray(y).astype(str)
    groups = np.asarray(groups)
    ng = len(np.unique(groups))
    if ng < 2:
        raise ModelInputError("grouped CV needs ≥ 2 deposits")
    k = min(n_splits, ng)
    classes = sorted(set(y))
    proba = np.full((len(y), len(classes)), np.nan)
    pred = np.empty(len(y), dtype=object)
    fold = np.zeros(len(y), int)
    for f, (tr, te) in enumerate(GroupKFold(n_splits=k).split(X, y, groups)):
        # a class whose deposits all fall in the test fold cannot be learnt: it gets
        # probability 0 in that fold (counted as an error, as it should be)
        sub = fit_classifier(X[tr], y[tr], groups[tr], quantile)
        p = sub.predict_proba(X[te])
        full = np.zeros((len(te), len(classes)))
        for j, c in enumerate(sub.classes):
            full[:, classes.index(c)] = p[:, j]
        proba[te] = full
        pred[te] = sub.predict(X[te])
        fold[te] = f
    top = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
    eps = 1e-15
    onehot = (np.asarray(classes)[None, :] == y[:, None]).astype(float)
    ll = float(-np.mean(np.log(np.clip((proba * onehot).sum(1), eps, 1))))
    brier = float(np.mean(((proba - onehot) ** 2).sum(1)))
    recalls = [np.mean(top[y == c] == c) for c in classes]
    maj = pd.Series(y).value_counts().iloc[0] / len(y)
    summary = pd.DataFrame([{
        "n_samples": len(y), "n_deposits": ng, "n_classes": len(classes), "folds": k,
        "accuracy": float(np.mean(top == y)),
        "balanced_accuracy": float(np.mean(recalls)),
        "accuracy_with_unknown": float(np.mean(pred == y)),
        "unknown_share": float(np.mean(pred == UNKNOWN)),
        "log_loss": ll, "brier": brier, "majority_baseline": float(maj),
        **{f"recall[{c}]": float(r) for c, r in zip(classes, recalls)},
    }])
    per = pd.DataFrame({"true": y, "predicted": pred, "top_class": top, "fold": fold,
                        **{f"p[{c}]": proba[:, j] for j, c in enumerate(classes)}})
    return summary, per
