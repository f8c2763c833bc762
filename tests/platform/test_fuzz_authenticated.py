"""schemathesis over every platform, site-monitoring and imagery operation as a logged-in admin
(API key), on both backends:
no generated input yields a 5xx (the anonymous fuzz of all routes is in tests/api)."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from platform_testkit import seed_items  # noqa: E402

MAX_EXAMPLES = 15


def test_no_server_errors_as_admin(app, world):
    items = seed_items(app, world)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(
        path_regex=r"^/(api/platform|auth|api/sites|api/imagery)/")
    ops = [r.ok() for r in schema.get_all_operations()]
    assert len(ops) >= 25, [o.label for o in ops]
    failures = []
    for op in ops:
        @given(case=op.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case) -> None:
            r = case.call(headers={"Authorization": f"Bearer {items.a_key}"})
            if r.status_code >= 500 or "Traceback" in r.text:
                failures.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r:.200}"
                                f" -> {r.status_code} {r.text[:200]}")

        run()
    assert not failures, "\n".join(failures[:10])
