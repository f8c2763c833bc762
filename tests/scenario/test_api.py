"""The scenario and fingerprint routes in the real app (``create_app``), with the warehouse reader
overridden by a stub holding the CI chondrite reference."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
from fastapi.testclient import TestClient  # noqa: E402

from reslog.api.app import create_app  # noqa: E402
from reslog.api.deps import get_reader  # noqa: E402
from reslog.api.settings import Settings  # noqa: E402
from reslog.model.fingerprint.classifier import fit_classifier  # noqa: E402
from reslog.model.fingerprint.features import FEATURES, REE, calc_features, normalise  # noqa: E402
from reslog.model.fingerprint.synthetic import synthetic_ree  # noqa: E402

CI = {"La": 0.237, "Ce": 0.613, "Pr": 0.0928, "Nd": 0.457, "Sm": 0.148, "Eu": 0.0563, "Gd": 0.199,
      "Tb": 0.0361, "Dy": 0.246, "Ho": 0.0546, "Er": 0.160, "Tm": 0.0247, "Yb": 0.161, "Lu": 0.0246}


class FakeWarehouse:
    def query(self, sql, params=None):
        import pandas as pd
        return pd.DataFrame({"element": list(CI), "value": list(CI.values())})


@pytest.fixture()
def client(tmp_path: Path):
    df = synthetic_ree({"A": (3, -0.25, 0, -0.8, 0), "B": (2, 0, 0.01, 0, -0.5)}, CI, seed=3)
    F = calc_features(normalise(df, CI))[list(FEATURES)].to_numpy()
    clf = fit_classifier(F, df["label"].to_numpy(), df["deposit"].to_numpy(), feature_names=FEATURES)
    model = tmp_path / "m.pkl"
    model.write_bytes(pickle.dumps({"dataset": "synthetic", "reference": "CI", "ledger_ids": [],
                                    "classifier": clf}))
    app = create_app(Settings(db=tmp_path / "w.duckdb", secret_key="test", fingerprint_model=model))
    app.dependency_overrides[get_reader] = lambda: FakeWarehouse()
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.hub.close()


def test_classify_route(client: TestClient) -> None:
    a = {e: float(CI[e] * np.exp(3 - 0.25 * (i - 7))) for i, e in enumerate(REE)}
    a["Eu"] *= np.exp(-0.8)
    r = client.post("/api/fingerprint/classify", json={"samples": [
        {"sample_id": "a", "values": a}, {"sample_id": "thin", "values": {"La": 1.0, "Yb": 0.1}}]})
    assert r.status_code == 200, r.text
    res = r.json()["results"]
    assert res[0]["answer"] == "A" and abs(sum(res[0]["probabilities"].values()) - 1) < 1e-9
    assert res[1]["answer"] is None and "too few REE" in res[1]["error"]


def test_classify_rejects_negative_with_problem_json(client: TestClient) -> None:
    r = client.post("/api/fingerprint/classify", json={"samples": [{"sample_id": "x", "values": {"La": -1}}]})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["field"] == "body.samples.0.values.La"


def test_trade_route_bad_products(client: TestClient) -> None:
    for bad in ("abc", ",", "12"):
        r = client.get("/api/scenario/trade", params={"products": bad})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.products", r.text
        assert r.headers["content-type"].startswith("application/problem+json")


def test_classify_without_a_model_is_503_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "none.pkl"
    app = create_app(Settings(db=tmp_path / "w.duckdb", secret_key="test", fingerprint_model=missing))
    app.dependency_overrides[get_reader] = lambda: FakeWarehouse()
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/api/fingerprint/classify", json={"samples": [{"sample_id": "a", "values": {"La": 1}}]})
    app.state.hub.close()
    assert r.status_code == 503 and str(missing) in r.json()["detail"]
