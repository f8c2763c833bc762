"""Response cache, ETag and Cache-Control for heavy results.

A heavy result (footprints, structural paths, Sankey, shocks, concentration …) is computed once
per **warehouse version** (:attr:`reslog.store.hub.WarehouseHub.version`, which changes after every
committed ingest) and per request (path + sorted query + whose view it is). The cached value is the
serialised JSON body and its ETag (sha256 of the body). A client that sends the ETag back in
``If-None-Match`` gets ``304 Not Modified`` with no body.

Concurrent requests for the same key compute once: the others wait for the first (a per-key lock),
so 50 clients asking for the same footprint do not start 50 solves.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from fastapi import Request
from starlette.datastructures import QueryParams
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from reslog.api.jsonio import dumps


class ResponseCache:
    """A bounded, thread-safe LRU of serialised responses: key → (etag, body bytes)."""

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[tuple[Any, ...], tuple[str, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[tuple[Any, ...], threading.Lock] = {}
        self._expires: dict[tuple[Any, ...], float] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Any, ...]) -> tuple[str, Any] | None:
        """The stored entry, marking it recently used (``None`` when absent or expired)."""
        with self._lock:
            hit = self._data.get(key)
            if hit is None:
                return None
            exp = self._expires.get(key)
            if exp is not None and exp < time.monotonic():
                del self._data[key]
                del self._expires[key]
                return None
            self._data.move_to_end(key)
            return hit

    def put_for(self, key: tuple[Any, ...], value: tuple[str, Any], seconds: float) -> None:
        """Store an entry that expires after ``seconds``."""
        self.put(key, value)
        with self._lock:
            self._expires[key] = time.monotonic() + seconds

    def put(self, key: tuple[Any, ...], value: tuple[str, bytes]) -> None:
        """Store an entry, evicting the least recently used beyond ``max_entries``."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                old, _ = self._data.popitem(last=False)
                self._expires.pop(old, None)

    def key_lock(self, key: tuple[Any, ...]) -> threading.Lock:
        """The lock that serialises computing one key."""
        with self._lock:
            lk = self._key_locks.get(key)
            if lk is None:
                if len(self._key_locks) > 4 * self.max_entries:
                    self._key_locks = {k: v for k, v in self._key_locks.items() if v.locked()}
                lk = self._key_locks[key] = threading.Lock()
            return lk

    def get_or_compute(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> tuple[str, bytes, bool]:
        """``(etag, body, was_cached)``; computes (once across threads) when absent."""
        hit = self.get(key)
        if hit is not None:
            self.hits += 1
            return hit[0], hit[1], True
        with self.key_lock(key):
            hit = self.get(key)
            if hit is not None:
                self.hits += 1
                return hit[0], hit[1], True
            self.misses += 1
            body = dumps(compute())
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            self.put(key, (etag, body))
            return etag, body, False

    def memo(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """A Python object (e.g. a loaded MRIO with its solver), computed once per key."""
        hit = self.get(key)
        if hit is not None:
            return hit[1]
        with self.key_lock(key):
            hit = self.get(key)
            if hit is not None:
                return hit[1]
            value = compute()
            self.put(key, ("", value))
            return value

    def clear(self) -> None:
        """Forget everything (the version key makes this unnecessary except to free memory)."""
        with self._lock:
            self._data.clear()
            self._expires.clear()


def request_key(request: Request, *extra: Any) -> tuple[Any, ...]:
    """Path, sorted query items and ``extra`` (e.g. the caller's organisation)."""
    q = tuple(sorted(request.query_params.multi_items()))
    return (request.url.path, q, *extra)


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag in tags


def json_response(request: Request, obj: Any, *, private: bool = False, max_age: int = 0,
                  status_code: int = 200) -> Response:
    """Serialise ``obj`` with an ETag (304 on a matching ``If-None-Match``) and Cache-Control.

    For results that mix cached public data with the caller's private rows: the body is built per
    request, but a client that already has it still gets a 304. A public body with ``max_age > 0``
    is also kept for that many seconds for the :class:`CachedGetMiddleware` fast path (the same
    freshness ``Cache-Control: public, max-age`` already grants to any shared cache).
    """
    body = dumps(obj)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if status_code != 200:
        return Response(body, status_code=status_code, media_type="application/json",
                        headers={"Cache-Control": "no-store"})
    if not private and max_age > 0 and request.method == "GET":
        app = request.app
        app.state.response_cache.put_for(request_key(request, app.state.hub.version, None),
                                         (etag, body), max_age)
    headers = {"ETag": etag, "Cache-Control": f"{'private' if private else 'public'}, max-age={max_age}"}
    if private:
        headers["Vary"] = "Cookie, Authorization, X-API-Key"
    if _etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def cached_json(request: Request, compute: Callable[[], Any], *, private_to: Any = None) -> Response:
    """Answer a heavy GET from the response cache, with ETag, Cache-Control and 304 support.

    Parameters
    ----------
    request : the current request (its path and query are the key).
    compute : builds the JSON-able result; called at most once per key and warehouse version.
    private_to : whose view this is (e.g. the organisation id) when the result holds private rows;
        the response is then ``Cache-Control: private`` and keyed by it.
    """
    app = request.app
    hub = app.state.hub
    settings = app.state.settings
    key = request_key(request, hub.version, private_to)
    etag, body, was_cached = app.state.response_cache.get_or_compute(key, compute)
    scope = "private" if private_to is not None else "public"
    headers = {"ETag": etag, "Cache-Control": f"{scope}, max-age={settings.cache_max_age}",
               "X-Reslog-Warehouse-Version": hub.version,
               "X-Reslog-Cache": "hit" if was_cached else "miss"}
    if private_to is not None:
        headers["Vary"] = "Cookie, Authorization, X-API-Key"
    if _etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


AUTH_HEADERS = (b"authorization", b"x-api-key")
SESSION_COOKIE = b"reslog_session"


class CachedGetMiddleware:
    """Fast path: answer an anonymous ``GET`` whose public result is already cached.

    The key is the one :func:`cached_json` uses (path, sorted query, warehouse version, no owner),
    so this returns exactly the bytes the route would — without routing, dependencies or a thread
    hop. Requests with credentials (``Authorization``, ``X-API-Key``, the session cookie) always
    go through the route, which filters private rows.
    """

    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        inm = None
        for k, v in scope["headers"]:
            if k in AUTH_HEADERS or (k == b"cookie" and SESSION_COOKIE in v):
                await self.app(scope, receive, send)
                return
            if k == b"if-none-match":
                inm = v.decode("latin-1")
        hub = self.state.hub
        ver = hub._version                    # only when already known: never query here
        hit = None
        if ver is not None:
            q = tuple(sorted(QueryParams(scope.get("query_string", b"").decode("latin-1")).multi_items()))
            hit = self.state.response_cache.get((scope["path"], q, ver, None))
        if hit is None or not isinstance(hit[1], bytes) or not hit[0]:
            await self.app(scope, receive, send)
            return
        etag, body = hit
        self.state.response_cache.hits += 1
        headers = {"ETag": etag, "Cache-Control": f"public, max-age={self.state.settings.cache_max_age}",
                   "X-Reslog-Warehouse-Version": ver, "X-Reslog-Cache": "hit"}
        if _etag_matches(inm, etag):
            await Response(status_code=304, headers=headers)(scope, receive, send)
        else:
            await Response(body, media_type="application/json", headers=headers)(scope, receive, send)
