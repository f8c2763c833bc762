"""The middleware that gives each browser a random CSRF cookie (see :mod:`reslog.platform.security`).

When a request has no ``reslog_csrf`` cookie, a seed is made, kept in ``scope["state"]`` (so
:func:`reslog.platform.deps.csrf_token` can sign it while rendering the page) and set as an
HttpOnly, SameSite=Strict cookie on the response.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reslog.platform.deps import CSRF_COOKIE
from reslog.platform.security import new_csrf_seed


def csrf_cookie_header(seed: str, *, secure: bool) -> bytes:
    """``Set-Cookie`` value of the CSRF cookie."""
    attrs = f"{CSRF_COOKIE}={seed}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000"
    if secure:
        attrs += "; Secure"
    return attrs.encode("latin-1")


class CsrfCookieMiddleware:
    """Pure ASGI: set the CSRF cookie on responses to browsers that lack it."""

    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        has = False
        for k, v in scope.get("headers", []):
            if k == b"cookie":
                c = SimpleCookie()
                try:
                    c.load(v.decode("latin-1"))
                except Exception:  # malformed cookie header: treat as absent
                    continue
                if CSRF_COOKIE in c and c[CSRF_COOKIE].value:
                    has = True
        if has:
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state.setdefault("csrf_seed", new_csrf_seed())

        async def _send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", csrf_cookie_header(state["csrf_seed"], secure=self.secure)))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, _send)
