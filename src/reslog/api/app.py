"""The application factory: ``create_app(settings) -> FastAPI``.

It

1. builds the FastAPI app with offline docs (Swagger UI and ReDoc from the installed
   ``fastapi-offline`` package at ``/docs`` and ``/redoc``; no CDN) and ``/openapi.json``;
2. installs the problem+json error handlers and the body-size limit (:mod:`reslog.api.problems`);
3. creates the process's :class:`~reslog.store.hub.WarehouseHub` (one connection, many readers,
   one writer) and the response cache;
4. includes ``router`` of every module in :mod:`reslog.api.routers` (found with pkgutil: a new
   area only adds a file);
5. calls ``reslog.platform.install(app, settings)`` (accounts, sessions, CSRF …) and
   ``reslog.web.install(app, settings)`` (dashboard pages, static files) when those packages exist.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import pkgutil
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from reslog import __version__
from reslog.api import problems
from reslog.api.caching import CachedGetMiddleware, ResponseCache
from reslog.api.settings import Settings
from reslog.store.hub import WarehouseHub

DOCS_ASSETS_URL = "/static-docs"

DESCRIPTION = """\
reslog — the risks hidden behind mineral resources, as JSON.

Every area has one router under `/api/<area>/…` that calls the reslog library and holds no
analysis of its own. Every result carries `provenance`: the warehouse ledger entries (source,
version, licence, sha256) its numbers come from. Lists are paginated (`limit`, `offset`, `total`,
`links.next`). Errors are `application/problem+json` naming the field. Heavy results carry an
`ETag` (send it back in `If-None-Match` for a `304`) and `Cache-Control`.
"""


def _docs_static_dir() -> Path | None:
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        return None
    d = Path(next(iter(spec.submodule_search_locations))) / "static"
    return d if (d / "swagger-ui-bundle.js").exists() else None


def _install_docs(app: FastAPI) -> None:
    static = _docs_static_dir()
    if static is not None:
        app.mount(DOCS_ASSETS_URL, StaticFiles(directory=static), name="static-docs")

    @app.get("/docs", include_in_schema=False)
    def swagger(request: Request) -> HTMLResponse:
        if static is None:
            return HTMLResponse(
                "<!doctype html><title>reslog API</title><p>The interactive page needs the "
                "<code>fastapi-offline</code> package (<code>pip install 'reslog[web]'</code>). "
                "The schema is at <a href='/openapi.json'>/openapi.json</a>.</p>")
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}/openapi.json", title="reslog API",
            swagger_js_url=f"{root}{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS_URL}/favicon.png")

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(openapi_url=f"{root}/openapi.json", title="reslog API",
                              redoc_js_url=f"{root}{DOCS_ASSETS_URL}/redoc.standalone.js",
                              redoc_favicon_url=f"{root}{DOCS_ASSETS_URL}/favicon.png",
                              with_google_fonts=False)


def router_modules() -> list[ModuleType]:
    """Every module of :mod:`reslog.api.routers` that exposes ``router``, in name order."""
    import reslog.api.routers as pkg

    mods = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        if hasattr(mod, "router"):
            mods.append(mod)
    return mods


def _optional_install(name: str) -> ModuleType | None:
    """``reslog.platform`` / ``reslog.web`` if this installation has it and it has ``install``."""
    try:
        mod = importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name == name:
            return None
        raise
    return mod if hasattr(mod, "install") else None


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the reslog HTTP application.

    Parameters
    ----------
    settings : server settings; default: read from ``RESLOG_*`` environment variables.
    """
    settings = settings or Settings()
    hub = WarehouseHub(settings.db)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub.version  # opens the warehouse (creating it if needed) before the first request
        try:
            yield
        finally:
            from reslog.services.ingest import shutdown

            shutdown()
            hub.close()

    app = FastAPI(title="reslog API", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.hub = hub
    app.state.response_cache = ResponseCache(settings.cache_entries)
    problems.install(app, settings.max_upload_bytes)
    _install_docs(app)
    for mod in router_modules():
        app.include_router(mod.router)
    for name in ("reslog.platform", "reslog.web"):
        ext = _optional_install(name)
        if ext is not None:
            ext.install(app, settings)
    # Outermost: cached public results skip routing, dependencies and the thread pool.
    app.add_middleware(CachedGetMiddleware, state=app.state)
    if not any(getattr(r, "path", None) == "/" for r in app.routes):
        @app.get("/", include_in_schema=False)
        def _root() -> RedirectResponse:
            return RedirectResponse("/docs")
    return app
