"""The platform's response middleware: the CSRF cookie, and ``no-store`` on private answers.

* When :func:`reslog.platform.deps.csrf_token` hands a token to a browser that has no
  ``reslog_csrf`` cookie yet, it makes a random seed and keeps it in ``scope["state"]``; this
  middleware then sets that seed as an HttpOnly, SameSite=Strict cookie on the response. The
  cookie is set only when a token was actually handed out, so cacheable public responses never
  carry a ``Set-Cookie``.
* Every answer under ``/api/platform/`` and ``/auth/`` (per-caller data) gets
  ``Cache-Control: no-store`` unless the route set its own.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reslog.platform.deps import CSRF_COOKIE

PRIVATE_PREFIXES = ("/api/platform/", "/api/platform", "/auth/")


def csrf_cookie_header(seed: str, *, secure: bool) -> bytes:
    """``Set-Cookie`` value of the CSRF cookie."""
    attrs = f"{CSRF_COOKIE}={seed}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000"
    if secure:
        attrs += "; Secure"
    return attrs.encode("latin-1")


class CsrfCookieMiddleware:
    """Pure ASGI (streaming responses are not buffered)."""

    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        private = scope.get("path", "").startswith(PRIVATE_PREFIXES)

        async def _send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                seed = state.get("csrf_seed") if isinstance(state, dict) else None
                if seed:
                    headers.append((b"set-cookie", csrf_cookie_header(seed, secure=self.secure)))
                if private and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, _send)
