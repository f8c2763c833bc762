"""Property-based fuzzing of every OpenAPI operation (schemathesis 4): no input yields a 5xx.

Bounded: a fixed number of generated cases per operation, no deadline (the 2-core CI machine is
shared), so the whole run stays around a minute or two.
"""

from __future__ import annotations

from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, settings  # noqa: E402

MAX_EXAMPLES = 12


def _fingerprint_model(path: Path) -> Path:
    """A small REE classifier on synthetic samples, so ``/api/fingerprint/classify`` is fuzzed past
    its "no trained model" answer."""
    import pickle

    from reslog.model.fingerprint.classifier import fit_classifier
    from reslog.model.fingerprint.features import FEATURES, calc_features, normalise
    from reslog.model.fingerprint.synthetic import synthetic_ree

    ci = {"La": 0.237, "Ce": 0.613, "Pr": 0.0928, "Nd": 0.457, "Sm": 0.148, "Eu": 0.0563,
          "Gd": 0.199, "Tb": 0.0361, "Dy": 0.246, "Ho": 0.0546, "Er": 0.160, "Tm": 0.0247,
          "Yb": 0.161, "Lu": 0.0246}
    df = synthetic_ree({"A": (3, -0.25, 0, -0.8, 0), "B": (2, 0, 0.01, 0, -0.5)}, ci, seed=3)
    F = calc_features(normalise(df, ci))[list(FEATURES)].to_numpy()
    clf = fit_classifier(F, df["label"].to_numpy(), df["deposit"].to_numpy(), feature_names=FEATURES)
    path.write_bytes(pickle.dumps({"dataset": "synthetic", "reference": "Chondrite_MS95",
                                   "ledger_ids": [], "classifier": clf}))
    return path


@pytest.fixture(scope="module")
def fuzz_app(demo_db: Path, tmp_path_factory):
    import shutil

    from reslog.api.app import create_app
    from reslog.api.settings import Settings

    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "demo.duckdb"
    shutil.copy(demo_db, db)
    app = create_app(Settings(db=db, secret_key="fuzz-secret",
                              fingerprint_model=_fingerprint_model(folder / "fp.pkl")))
    yield app
    app.state.hub.close()


def _check(case) -> None:
    response = case.call()
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} {case.query or ''} -> {response.status_code}: "
        f"{response.text[:300]}")
    if response.status_code >= 400 and response.status_code not in (405,):
        ctype = response.headers.get("content-type", "")
        ctype = ctype[0] if isinstance(ctype, list) else ctype
        assert "json" in ctype, (case.method, case.formatted_path, response.status_code, ctype)
    assert "Traceback" not in response.text


def test_no_server_errors_on_any_operation(fuzz_app):
    from hypothesis import given

    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 25, [op.label for op in operations]
    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case) -> None:
            _check(case)

        try:
            run()
        except AssertionError as e:
            raise AssertionError(f"{op.label}: {e}") from None
