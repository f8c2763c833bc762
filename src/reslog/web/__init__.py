"""The dashboard: server-rendered pages (Jinja) + Plotly.js from the installed plotly package.

:func:`install` adds the page router and mounts ``/static`` (the dashboard's CSS/JS, and
``plotly.min.js`` straight from ``plotly/package_data``). Everything is served by the app: no
CDN, no tile server, no web font. ``docs/dashboard.md`` lists the views and their URL state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

STATIC_DIR = Path(__file__).parent / "static"


def plotly_js_path() -> Path:
    """``plotly.min.js`` of the installed plotly package."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def install(app: Any, settings: Any) -> None:
    """Add the dashboard pages and static assets to ``app`` (called by ``create_app``)."""
    from fastapi.staticfiles import StaticFiles

    from reslog.web.pages import router

    if not plotly_js_path().exists():
        raise RuntimeError(f"plotly.min.js not found at {plotly_js_path()}; reinstall plotly "
                           "(pip install 'reslog[web]')")
    if not hasattr(app.state, "hub"):
        from reslog.store.hub import WarehouseHub

        app.state.hub = WarehouseHub(settings.db)
    if not hasattr(app.state, "settings"):
        app.state.settings = settings
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR),
                                     packages=[("plotly", "package_data")]), name="static")
