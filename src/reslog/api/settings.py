"""Server settings (pydantic-settings): environment variables with the prefix ``RESLOG_``.

``RESLOG_DB`` (warehouse file), ``RESLOG_PLATFORM_URL`` (SQLAlchemy URL of the platform state;
default ``sqlite:///<warehouse folder>/platform.sqlite``), ``RESLOG_SECRET_KEY`` (session signing;
default: a random key kept in ``<warehouse folder>/.reslog-secret``, created with mode 0600),
``RESLOG_COOKIE_SECURE``, ``RESLOG_MAX_UPLOAD_BYTES``, ``RESLOG_LANG_DEFAULT``, and the areas'
file locations: ``RESLOG_READINGS`` (site-monitoring reading store; default ``readings/`` beside the
warehouse), ``RESLOG_IMAGERY_SCENES`` (the only folder ``POST /api/imagery/detect`` may read; unset:
any path), ``RESLOG_IMAGERY_MODEL`` (detection model folder; unset: the shipped model),
``RESLOG_FINGERPRINT_MODEL`` (model written by ``reslog fingerprint train``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from reslog.paths import default_db_path


def _secret_file_key(folder: Path) -> str:
    """Read (or create, mode 0600) the per-installation secret beside the warehouse."""
    path = folder / ".reslog-secret"
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key)
    return key


class Settings(BaseSettings):
    """Everything the server needs to know; read from ``RESLOG_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="RESLOG_", extra="ignore")

    db: Path = Field(default_factory=default_db_path, description="Warehouse (DuckDB) file.")
    platform_url: str = Field("", description="SQLAlchemy URL of the platform state database.")
    secret_key: str = Field("", description="Key signing sessions and CSRF tokens.")
    cookie_secure: bool = Field(False, description="Mark session cookies Secure (HTTPS only).")
    max_upload_bytes: int = Field(5_000_000, gt=0, description="Largest accepted request body.")
    lang_default: str = Field("en", description="Interface language when none is chosen: en or ja.")
    cache_entries: int = Field(256, ge=0, description="Heavy results kept in the response cache "
                               "(0 turns the cache off: every request computes; for baselines).")
    cache_max_age: int = Field(60, ge=0, description="Cache-Control max-age (s) of heavy results.")
    readings: Path | None = Field(None, description="Root of the site-monitoring reading store "
                                  "(default: readings/ beside the warehouse).")
    imagery_scenes: Path | None = Field(None, description="The only folder whose scenes and "
                                        "hotspot files the imagery routes may read (unset: any).")
    imagery_model: Path | None = Field(None, description="Imagery detection model folder "
                                       "(unset: the model shipped with reslog).")
    fingerprint_model: Path = Field(Path("reslog-data/fingerprint-model.pkl"),
                                    description="REE fingerprint model written by "
                                                "`reslog fingerprint train`.")

    @model_validator(mode="after")
    def _defaults_beside_warehouse(self) -> "Settings":
        folder = Path(self.db).resolve().parent
        if not self.platform_url:
            self.platform_url = f"sqlite:///{folder / 'platform.sqlite'}"
        if not self.secret_key:
            self.secret_key = _secret_file_key(folder)
        if self.readings is None:
            self.readings = folder / "readings"
        return self
