"""Alembic environment: runs on the connection handed in by :func:`reslog.platform.db.migrate`."""

from __future__ import annotations

from alembic import context

from reslog.platform.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # run from the alembic command line with an engine attribute
        engine = config.attributes["engine"]
        with engine.begin() as con:
            context.configure(connection=con, target_metadata=target_metadata,
                              render_as_batch=con.dialect.name == "sqlite")
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
