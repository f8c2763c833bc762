"""``/api/fingerprint``: classify REE analyses with a model trained by ``reslog fingerprint
train`` (path in ``$RESLOG_FINGERPRINT_MODEL``, default ``reslog-data/fingerprint-model.pkl``).
No analysis here; problem+json errors name the field."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from reslog.api.routers.scenario import get_principal, get_warehouse, problem
from reslog.errors import ReslogError

router = APIRouter(prefix="/api/fingerprint", tags=["fingerprint"])


class Sample(BaseModel):
    """One analysis: element → ppm (``null`` = not measured)."""

    sample_id: str = Field(min_length=1)
    values: dict[str, float | None]


class ClassifyRequest(BaseModel):
    samples: list[Sample] = Field(min_length=1, max_length=10_000)


def model_path() -> Path:
    """Where the trained model lives."""
    return Path(os.environ.get("RESLOG_FINGERPRINT_MODEL", "reslog-data/fingerprint-model.pkl"))


@router.post("/classify")
def classify(req: ClassifyRequest, wh=Depends(get_warehouse), principal=Depends(get_principal)):
    """Class or "unknown", calibrated probabilities, per sample."""
    import numpy as np
    import pandas as pd

    from reslog.jobs.scenario import reference_values
    from reslog.model.fingerprint.features import FEATURES, calc_features, normalise

    path = model_path()
    if not path.exists():
        return problem(503, "no trained model", f"{path} is missing; run `reslog fingerprint train`")
    with open(path, "rb") as f:
        saved = pickle.load(f)  # noqa: S301 - written by reslog fingerprint train
    for n, s in enumerate(req.samples):
        for el, v in s.values.items():
            if v is not None and not (np.isfinite(v) and v >= 0):
                return problem(422, "invalid concentration", f"sample '{s.sample_id}': {el} = {v}",
                               f"samples[{n}].values.{el}")
    vals = pd.DataFrame([{k: (np.nan if v is None or v == 0 else v) for k, v in s.values.items()}
                         for s in req.samples], index=[s.sample_id for s in req.samples])
    try:
        feats = calc_features(normalise(vals, reference_values(wh, saved["reference"])))
    except ReslogError as e:
        return problem(422, "fingerprint input", str(e))
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
