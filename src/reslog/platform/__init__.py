"""The platform: users, organisations, roles, API keys, sessions, sharing, audit, private items.

:func:`install` wires it into the FastAPI app made by :func:`reslog.api.app.create_app`:
it opens the platform database (``Settings.platform_url``), migrates it to the newest Alembic
revision, and adds the CSRF-cookie middleware and the login rate limiter. ``docs/platform.md``
describes the data model, the roles and the security choices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from reslog.platform.security import LoginRateLimiter

__all__ = ["PlatformState", "install", "open_platform"]


@dataclass
class PlatformState:
    """What the app keeps for the platform (``app.state.platform``)."""

    engine: Engine
    sessions: sessionmaker[Session]
    settings: Any
    limiter: LoginRateLimiter = field(default_factory=LoginRateLimiter)


def _url_of(settings: Any) -> str:
    from reslog.platform.db import default_url

    url = getattr(settings, "platform_url", "") or ""
    return url or default_url(settings.db)


def open_platform(settings: Any, *, migrate_schema: bool = True) -> PlatformState:
    """Engine + session factory for ``settings.platform_url``, migrated to head."""
    from reslog.platform.db import make_engine, migrate, session_factory

    engine = make_engine(_url_of(settings))
    if migrate_schema:
        migrate(engine)
    return PlatformState(engine=engine, sessions=session_factory(engine), settings=settings)


def install(app: Any, settings: Any) -> PlatformState:
    """Set up the platform on ``app`` (called by ``create_app``).

    Migrates the database to head on start, stores the state in ``app.state.platform``, adds the
    middleware that gives each browser its CSRF cookie; the engine is disposed of at shutdown.
    """
    from reslog.platform.csrf import CsrfCookieMiddleware

    state = open_platform(settings)
    app.state.platform = state
    app.add_middleware(CsrfCookieMiddleware, secure=bool(getattr(settings, "cookie_secure", False)))
    _dispose_on_shutdown(app, state)
    return state


def _dispose_on_shutdown(app: Any, state: PlatformState) -> None:
    """Close the engine's pooled connections when the app's lifespan ends."""
    import contextlib

    router = getattr(app, "router", None)
    inner = getattr(router, "lifespan_context", None)
    if inner is None:
        return

    @contextlib.asynccontextmanager
    async def lifespan(a: Any):
        try:
            async with inner(a) as value:
                yield value
        finally:
            state.engine.dispose()

    router.lifespan_context = lifespan
