"""Fixtures for API tests: an app on a demo-sized warehouse built from the bundled starter data."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("pydantic_settings")


@pytest.fixture
def empty_app(tmp_path: Path):
    from reslog.api.app import create_app
    from reslog.api.settings import Settings

    app = create_app(Settings(db=tmp_path / "w.duckdb", secret_key="test-secret"))
    yield app
    app.state.hub.close()


@pytest.fixture
def empty_client(empty_app):
    from fastapi.testclient import TestClient

    with TestClient(empty_app, raise_server_exceptions=False) as c:
        yield c
