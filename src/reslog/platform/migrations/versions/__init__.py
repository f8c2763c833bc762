"""Alembic revisions (one file each; never edit a released one, add a new one)."""
