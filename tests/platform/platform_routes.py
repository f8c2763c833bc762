"""Enumerate every HTTP route of an app (works across FastAPI's routing internals)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    params: tuple[str, ...]
    in_schema: bool


def _walk(routes):
    for r in routes:
        cands = getattr(r, "effective_candidates", None)
        if callable(cands):
            yield from _walk(cands())
            continue
        sub = getattr(r, "routes", None)
        path = getattr(r, "path_format", None) or getattr(r, "path", None)
        methods = getattr(r, "methods", None)
        if methods and path is not None:
            yield r, path, methods
        elif sub and not methods:  # a Mount with routes (static files have none)
            prefix = getattr(r, "path", "")
            for inner, p, m in _walk(sub):
                yield inner, prefix + p, m


def iter_routes(app) -> list[RouteInfo]:
    """(path template, methods, path parameter names, in OpenAPI) of every route, sorted."""
    out = {}
    for r, path, methods in _walk(app.routes):
        params = tuple(p.split(":")[0] for p in re.findall(r"{([^}]+)}", path))
        key = (path, frozenset(m for m in methods if m != "HEAD"))
        out[key] = RouteInfo(path, key[1], params, bool(getattr(r, "include_in_schema", True)))
    return sorted(out.values(), key=lambda x: (x.path, sorted(x.methods)))


def fill(path: str, values: dict[str, str]) -> str:
    """Put ``values`` into the ``{param}`` (and ``{param:conv}``) slots of ``path``."""
    return re.sub(r"{([^}:]+)(:[^}]+)?}", lambda m: values[m.group(1)], path)
