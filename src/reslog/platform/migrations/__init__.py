"""Alembic migrations of the platform database (applied by :func:`reslog.platform.db.migrate`)."""
