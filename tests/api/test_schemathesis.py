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


@pytest.fixture(scope="module")
def fuzz_app(demo_db: Path, tmp_path_factory):
    import shutil

    from reslog.api.app import create_app
    from reslog.api.settings import Settings

    db = tmp_path_factory.mktemp("fuzz") / "demo.duckdb"
    shutil.copy(demo_db, db)
    app = create_app(Settings(db=db, secret_key="fuzz-secret"))
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
