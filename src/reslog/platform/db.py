"""Engine, session factory and migrations of the platform database.

The URL is a SQLAlchemy URL: ``sqlite:///path/platform.sqlite`` (default, next to the
warehouse) or ``postgresql+psycopg://user:pass@host:5432/dbname`` (deployment, psycopg 3).
:func:`migrate` brings the schema to the newest Alembic revision shipped inside the package;
``reslog platform migrate`` and :func:`reslog.platform.install` call it.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def default_url(warehouse: str | Path) -> str:
    """``sqlite:///<warehouse folder>/platform.sqlite``."""
    return f"sqlite:///{Path(warehouse).expanduser().resolve().parent / 'platform.sqlite'}"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys on, WAL and a busy timeout.

    A bare ``postgresql://`` URL is mapped to the psycopg 3 driver.
    """
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    if u.get_backend_name() == "sqlite":
        db = u.database
        if db and db != ":memory:":
            Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_con, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_con.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if db and db != ":memory:":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    return create_engine(u, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit (routes return them as JSON)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def _alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> str | None:
    """Upgrade the schema to ``revision`` (default: newest); returns the revision reached."""
    from alembic import command

    cfg = _alembic_config(engine)
    with engine.begin() as con:
        cfg.attributes["connection"] = con
        command.upgrade(cfg, revision)
    return current_revision(engine)


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (``None`` before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as con:
        return MigrationContext.configure(con).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped in the package."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
