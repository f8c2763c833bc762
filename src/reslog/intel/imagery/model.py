r"""Patch classifier: an ensemble of gradient-boosted trees (LightGBM) on patch features.

In the manner of Amazon Mining Watch (48 × 48-px patches, an ensemble of models, threshold
chosen on validation data), but sized for 2 CPU cores: each member is a LightGBM model on the
features of :mod:`reslog.intel.imagery.features` trained on a bootstrap sample with its own
seed; the ensemble probability is the members' mean. The decision threshold maximises
:math:`F_{0.5}` on the validation patches,

.. math:: F_\beta = \frac{(1+\beta^2)\,PR}{\beta^2 P + R},\quad \beta = 0.5,

weighing precision twice as much as recall (a false alarm costs an analyst's time).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from reslog.errors import InputError, ReslogError

MODEL_FORMAT = 1


@dataclass
class PatchModel:
    """An ensemble of boosters, the feature names it expects and its decision threshold."""

    boosters: list
    features: tuple[str, ...]
    threshold: float = 0.5
    info: dict = field(default_factory=dict)

    @property
    def with_change(self) -> bool:
        return any(f.startswith("d_") for f in self.features)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Mining probability of each row of ``X`` (rows with NaN features get NaN)."""
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != len(self.features):
            raise ReslogError(f"the model expects {len(self.features)} features, got "
                              f"{X.shape[-1] if X.ndim else 0}")
        out = np.full(len(X), np.nan)
        # context/change features may be NaN at scene edges (LightGBM routes NaN); only the
        # patch's own features (NaN when it has no valid pixel) decide whether it is scored
        ok = np.isfinite(X[:, 0])
        if ok.any():
            out[ok] = np.mean([b.predict(X[ok], num_threads=1) for b in self.boosters], axis=0)
        return out

    def save(self, folder: str | Path) -> Path:
        d = Path(folder)
        d.mkdir(parents=True, exist_ok=True)
        import gzip

        for i, b in enumerate(self.boosters):
            # gzip with a fixed mtime: the same model gives the same bytes
            with open(d / f"member_{i}.txt.gz", "wb") as fh, \
                    gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
                gz.write(b.model_to_string().encode("utf-8"))
        meta = {"format": MODEL_FORMAT, "features": list(self.features),
                "threshold": self.threshold, "members": len(self.boosters), "info": self.info}
        (d / "model.json").write_text(json.dumps(meta, indent=1, default=float), encoding="utf-8")
        return d

    @classmethod
    def load(cls, folder: str | Path) -> "PatchModel":
        import lightgbm as lgb

        d = Path(folder)
        mj = d / "model.json"
        if not mj.exists():
            raise InputError(d, "no model.json here: not a reslog imagery model folder (train one "
                             "with `reslog imagery train`)")
        meta = json.loads(mj.read_text(encoding="utf-8"))
        if meta.get("format") != MODEL_FORMAT:
            raise InputError(mj, f"model format {meta.get('format')} is not {MODEL_FORMAT}")
        import gzip

        boosters = []
        for i in range(int(meta["members"])):
            gz, txt = d / f"member_{i}.txt.gz", d / f"member_{i}.txt"
            if gz.exists():
                text = gzip.decompress(gz.read_bytes()).decode("utf-8")
            elif txt.exists():
                text = txt.read_text(encoding="utf-8")
            else:
                raise InputError(d, f"model member {i} is missing (member_{i}.txt.gz)")
            boosters.append(lgb.Booster(model_str=text))
        return cls(boosters, tuple(meta["features"]), float(meta["threshold"]), meta.get("info", {}))


def fit_ensemble(X: np.ndarray, y: np.ndarray, features: tuple[str, ...], *, members: int = 5,
                 seed: int = 0, n_jobs: int = 2) -> PatchModel:
    """Train ``members`` LightGBM models on bootstrap samples (class-balanced weights)."""
    import lightgbm as lgb

    rng = np.random.default_rng(seed)
    pos = max(int(y.sum()), 1)
    neg = max(int(len(y) - y.sum()), 1)
    w = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))
    boosters = []
    params = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 15,
              "min_data_in_leaf": 20, "feature_fraction": 0.8, "lambda_l2": 1.0,
              "verbose": -1, "num_threads": n_jobs, "deterministic": True,
              "force_row_wise": True}
    for m in range(members):
        idx = rng.integers(0, len(y), len(y))
        ds = lgb.Dataset(X[idx], label=y[idx], weight=w[idx], feature_name=list(features),
                         free_raw_data=True)
        boosters.append(lgb.train({**params, "seed": seed * 100 + m}, ds, num_boost_round=250))
    return PatchModel(boosters, tuple(features))


def f_beta(y: np.ndarray, pred: np.ndarray, beta: float = 0.5) -> float:
    tp = float(((pred == 1) & (y == 1)).sum())
    fp = float(((pred == 1) & (y == 0)).sum())
    fn = float(((pred == 0) & (y == 1)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    b2 = beta * beta
    return (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0


def choose_threshold(y: np.ndarray, prob: np.ndarray, beta: float = 0.5) -> tuple[float, float]:
    """Threshold in 0.05…0.95 (step 0.01) maximising F_beta; ties → the lowest. (thr, F)."""
    best = (0.5, -1.0)
    for t in np.round(np.arange(0.05, 0.951, 0.01), 2):
        f = f_beta(y, (prob >= t).astype(int), beta)
        if f > best[1] + 1e-12:
            best = (float(t), f)
    return best


def confusion(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """Counts and rates of a binary confusion matrix (mining = positive class)."""
    tp = int(((pred == 1) & (y == 1)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    tn = int(((pred == 0) & (y == 0)).sum())
    return {"tp": tp, "fn": fn, "fp": fp, "tn": tn,
            "sensitivity": tp / (tp + fn) if tp + fn else float("nan"),
            "specificity": tn / (tn + fp) if tn + fp else float("nan"),
            "precision": tp / (tp + fp) if tp + fp else float("nan"),
            "f05": f_beta(y, pred, 0.5)}
