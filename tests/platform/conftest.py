"""Fixtures of the platform tests: both backends (SQLite file, throwaway PostgreSQL), an app on a
small warehouse, and three organisations with users.

Every test that takes ``app`` runs twice: on SQLite and on PostgreSQL. The PostgreSQL cluster is
started once per session on 127.0.0.1 (see ``pgcluster.py``). Under ``CI=true`` a cluster that
cannot start FAILS those tests; elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")
pytest.importorskip("argon2")

from pgcluster import PostgresUnavailable, start_cluster  # noqa: E402
from platform_testkit import BACKENDS, SECRET, World, build_warehouse, make_world  # noqa: E402


def pytest_collection_modifyitems(config, items):
    """Keep the platform tests on one xdist worker, so one PostgreSQL cluster serves them all."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.xdist_group("platform-postgres"))


@pytest.fixture(scope="session")
def postgres():
    """A running throwaway cluster (session-wide), stopped at the end."""
    try:
        cluster = start_cluster()
    except PostgresUnavailable as e:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required under CI=true and could not start: {e}")
        pytest.skip(f"PostgreSQL not available: {e}")
    yield cluster
    cluster.stop()


def _pg_database(cluster) -> tuple[str, str]:
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(cluster.dsn(), autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    return name, cluster.url(name)


def _drop_pg_database(cluster, name: str) -> None:
    import psycopg

    with psycopg.connect(cluster.dsn(), autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def platform_url(request, tmp_path: Path):
    """A fresh, empty platform database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'platform.sqlite'}"
        return
    cluster = request.getfixturevalue("postgres")
    name, url = _pg_database(cluster)
    yield url
    _drop_pg_database(cluster, name)



@pytest.fixture(scope="session")
def warehouse_template(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("wh-template") / "reslog.duckdb")


@pytest.fixture
def app_factory(tmp_path: Path, platform_url: str, warehouse_template: Path):
    """Make apps on this test's platform database (``app_factory(**settings overrides)``)."""
    from reslog.api.app import create_app
    from reslog.api.settings import Settings

    made = []

    def make(**over: Any):
        wh = tmp_path / f"wh{len(made)}" / "reslog.duckdb"
        wh.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(warehouse_template, wh)
        s = Settings(db=wh, platform_url=platform_url, secret_key=SECRET, **over)
        a = create_app(s)
        made.append(a)
        return a

    yield make
    for a in made:
        a.state.hub.close()
        a.state.platform.engine.dispose()


@pytest.fixture
def app(app_factory):
    return app_factory()



@pytest.fixture
def world(app) -> World:
    return make_world(app)
