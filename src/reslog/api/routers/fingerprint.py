"""``/api/fingerprint``: classify REE analyses with a model trained by ``reslog fingerprint
train`` (``Settings.fingerprint_model``: ``$RESLOG_FINGERPRINT_MODEL``, default
``reslog-data/fingerprint-model.pkl``). No analysis here; problem+json errors name the field.

The route computes on the caller's own samples and public reference compositions only, so it is
open like the other analysis routes.
"""

from __future__ import annotations

import pickle
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from reslog.api.deps import get_reader, get_settings
from reslog.api.problems import ProblemError, invalid
from reslog.api.settings import Settings
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/fingerprint", tags=["fingerprint"])


class Sample(BaseModel):
    """One analysis: element → ppm (``null`` = not measured)."""

    sample_id: str = Field(min_length=1)
    values: dict[str, float | None]


class ClassifyRequest(BaseModel):
    samples: list[Sample] = Field(min_length=1, max_length=10_000)


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> dict[str, Any]:
    with open(path, "rb") as f:
        return pickle.load(f)  # noqa: S301 - written by reslog fingerprint train on this server


def load_model(path: Path) -> dict[str, Any]:
    """The saved model (read again when the file changes); 503 when there is none."""
    if not path.is_file():
        raise ProblemError(503, "Service Unavailable", f"no trained model: {path} is missing; run "
                           "`reslog fingerprint train` (or set RESLOG_FINGERPRINT_MODEL)")
    return _load(str(path.resolve()), path.stat().st_mtime_ns)


@router.post("/classify")
def classify(req: ClassifyRequest, wh: Warehouse = Depends(get_reader),
             settings: Settings = Depends(get_settings)) -> Any:
    """Class or "unknown", calibrated probabilities, per sample."""
    import numpy as np
    import pandas as pd

    from reslog.jobs.scenario import reference_values
    from reslog.model.fingerprint.features import FEATURES, calc_features, normalise

    saved = load_model(Path(settings.fingerprint_model))
    for n, s in enumerate(req.samples):
        for el, v in s.values.items():
            if v is not None and not (np.isfinite(v) and v >= 0):
                raise invalid(f"body.samples.{n}.values.{el}",
                              f"sample '{s.sample_id}': {el} = {v} is not a concentration ≥ 0 ppm")
    vals = pd.DataFrame([{k: (np.nan if v is None or v == 0 else v) for k, v in s.values.items()}
                         for s in req.samples], index=[s.sample_id for s in req.samples])
    feats = calc_features(normalise(vals, reference_values(wh, saved["reference"])))
    clf = saved["classifier"]
    ok = feats[list(FEATURES)].notna().all(axis=1).to_numpy()
    out = []
    P = clf.predict_proba(feats.loc[ok, list(FEATURES)].to_numpy(float)) if ok.any() else None
    A = clf.predict(feats.loc[ok, list(FEATURES)].to_numpy(float)) if ok.any() else None
    k = 0
    for i, s in enumerate(req.samples):
        if not ok[i]:
            out.append({"sample_id": s.sample_id, "answer": None,
                        "error": "too few REE: need ≥ 4 of La…Lu besides Ce and Eu"})
            continue
        out.append({"sample_id": s.sample_id, "answer": str(A[k]),
                    "probabilities": {c: float(P[k, j]) for j, c in enumerate(clf.classes)}})
        k += 1
    return {"model": {"dataset": saved["dataset"], "reference": saved["reference"],
                      "ledger_ids": saved["ledger_ids"]}, "results": out}
