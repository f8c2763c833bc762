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


def build_demo_warehouse(path: Path) -> Path:
    """The demo starter data plus the small MRIO inside the pymrio wheel (offline)."""
    import io

    from rich.console import Console

    from reslog.jobs.demo import build_warehouse
    from reslog.sources.registry import read

    wh = build_warehouse(path, Console(file=io.StringIO()))
    try:
        wh.ingest(read("mrio", "pymrio-test"), kind="mrio")
    finally:
        wh.close()
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    return build_demo_warehouse(tmp_path_factory.mktemp("api-demo") / "demo.duckdb")


@pytest.fixture
def demo_app(demo_db: Path, tmp_path: Path):
    import shutil

    from reslog.api.app import create_app
    from reslog.api.settings import Settings

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    app = create_app(Settings(db=db, secret_key="test-secret"))
    yield app
    app.state.hub.close()


@pytest.fixture
def client(demo_app):
    from fastapi.testclient import TestClient

    with TestClient(demo_app, raise_server_exceptions=False) as c:
        yield c
