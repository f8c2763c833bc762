"""reslog's HTTP API (FastAPI): one router per area, calling the library, holding no analysis.

``reslog.api.app.create_app()`` builds the application; ``reslog serve`` runs it with uvicorn.
A new area adds ``reslog/api/routers/<area>.py`` exposing ``router = APIRouter(prefix="/api/<area>")``;
the app factory includes it automatically. ``docs/api.md`` describes the routes, errors, caching and
how reads and the one warehouse writer coexist.
"""
