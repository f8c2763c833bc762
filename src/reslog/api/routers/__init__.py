"""One router per area. Each module exposes ``router = APIRouter(prefix="/api/<area>", tags=[...])``
and is included by :func:`reslog.api.app.create_app` automatically (found with pkgutil).

A router validates its parameters, calls the library (``reslog.services``, ``reslog.model``,
``reslog.store``) and shapes JSON; it holds no analysis of its own.
"""
