"""Errors as RFC 9457 ``application/problem+json``, naming the field; never a stack trace.

Raise :class:`ProblemError` anywhere in a route or dependency. :func:`install` adds the handlers:

- request validation → 422 with ``errors: [{"field": "query.limit", "message": ...}]``;
- unknown route → 404, wrong method → 405 (every Starlette ``HTTPException``);
- a body larger than ``Settings.max_upload_bytes`` → 413 (checked before the body is read);
- :class:`~reslog.errors.InputError` / :class:`~reslog.errors.ReslogError` → 422 naming file,
  row and field (bad input a user can fix);
- anything else → 500 ``Internal Server Error``; the traceback goes to the server log only.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reslog.errors import InputError, ReslogError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("reslog.api")

_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 406: "Not Acceptable", 409: "Conflict",
           413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
           429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


class ProblemError(Exception):
    """An error answered as ``application/problem+json``.

    Parameters
    ----------
    status : HTTP status code.
    title : short, human summary (same for every occurrence of this kind of problem).
    detail : what is wrong in this case, with the numbers, and the way out.
    errors : per-field problems, ``[{"field": "query.commodity", "message": "..."}]``.
    headers : extra response headers (e.g. ``WWW-Authenticate``).
    """

    def __init__(self, status: int, title: str, detail: str | None = None,
                 errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers


def not_found(what: str, value: object, field: str | None = None) -> ProblemError:
    """404 for an unknown item: ``not_found("mine", "BR-XX", "path.mine_id")``."""
    errors = [{"field": field, "message": f"no {what} {value!r}"}] if field else None
    return ProblemError(404, "Not Found", f"no {what} {value!r}", errors)


def invalid(field: str, message: str) -> ProblemError:
    """422 naming one field: ``invalid("query.commodity", "unknown commodity 'xx'")``."""
    return ProblemError(422, "Unprocessable Content", f"{field}: {message}",
                        [{"field": field, "message": message}])


def problem_response(status: int, title: str | None = None, detail: str | None = None,
                     errors: list[dict[str, str]] | None = None, instance: str | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    """The problem+json response itself."""
    body: dict[str, Any] = {"type": "about:blank", "title": title or _TITLES.get(status, "Error"),
                            "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    if instance:
        body["instance"] = instance
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(p) for p in loc) if loc else "request"


def _clean(msg: object) -> str:
    return str(msg).replace("\n", " ")[:300]


async def _on_validation(request: Request, exc: RequestValidationError) -> Response:
    errors = [{"field": _field(e.get("loc", ())), "message": _clean(e.get("msg", "invalid value"))}
              for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return problem_response(422, detail=detail, errors=errors, instance=request.url.path)


async def _on_http(request: Request, exc: StarletteHTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 404 and detail in (None, "Not Found"):
        detail = f"no route {request.url.path}; the API is listed at /docs"
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    return problem_response(exc.status_code, detail=detail, instance=request.url.path,
                            headers=getattr(exc, "headers", None))


async def _on_problem(request: Request, exc: ProblemError) -> Response:
    return problem_response(exc.status, exc.title, exc.detail, exc.errors, request.url.path,
                            exc.headers)


async def _on_reslog(request: Request, exc: ReslogError) -> Response:
    errors = None
    if isinstance(exc, InputError) and exc.field:
        errors = [{"field": exc.field, "message": exc.message}]
    return problem_response(422, detail=_clean(exc), errors=errors, instance=request.url.path)


class CatchAllMiddleware:
    """Turn any exception a route lets through into a bare 500 problem (traceback to the log).

    Pure ASGI, so streaming responses are not buffered. If the response had already started the
    connection is closed as the server would, without leaking the error.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def _send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, _send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                return
            resp = problem_response(500, detail="the server could not answer this request; "
                                    "the error is in the server log", instance=scope.get("path"))
            await resp(scope, receive, send)


class BodyLimitMiddleware:
    """413 for request bodies over ``max_bytes`` (declared ``Content-Length`` or streamed).

    Checked before any route reads the body, so an oversized upload leaves nothing behind.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self, n: int | None) -> JSONResponse:
        size = f"is {n:,} bytes" if n is not None else "(streamed) goes over the limit"
        return problem_response(413, detail=f"the request body {size}; the limit is "
                                f"{self.max_bytes:,} bytes (RESLOG_MAX_UPLOAD_BYTES)")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    n = int(v)
                except ValueError:
                    await problem_response(400, detail="Content-Length is not a number")(scope, receive, send)
                    return
                if n > self.max_bytes:
                    await self._too_large(n)(scope, receive, send)
                    return
        seen = 0
        exceeded = False
        answered = False

        class _TooLarge(Exception):
            pass

        async def _receive() -> Message:
            nonlocal seen, exceeded
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_bytes:
                    exceeded = True
                    raise _TooLarge
            return msg

        async def _send(message: Message) -> None:
            # Once the streamed body went over the limit, whatever the app answers (a parser's
            # 400 after catching our exception) is replaced by one 413.
            nonlocal answered
            if exceeded:
                if not answered and message["type"] == "http.response.start":
                    answered = True
                    await self._too_large(None)(scope, receive, send)
                return
            if message["type"] == "http.response.start":
                answered = True
            await send(message)

        try:
            await self.app(scope, _receive, _send)
        except _TooLarge:
            if not answered:
                answered = True
                await self._too_large(None)(scope, receive, send)


def install(app: FastAPI, max_body_bytes: int) -> None:
    """Add the problem+json handlers and the body-size and catch-all middlewares to ``app``."""
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http)  # type: ignore[arg-type]
    app.add_exception_handler(ProblemError, _on_problem)  # type: ignore[arg-type]
    app.add_exception_handler(ReslogError, _on_reslog)  # type: ignore[arg-type]
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(CatchAllMiddleware)


def problem_json(status: int, detail: str) -> bytes:
    """Bytes of a minimal problem body (for code outside FastAPI's handlers)."""
    return json.dumps({"type": "about:blank", "title": _TITLES.get(status, "Error"),
                       "status": status, "detail": detail}).encode()
