"""Log in and out with a session cookie; ``GET /api/platform/me`` says who is calling.

``POST /auth/login`` (form: ``username``, ``password``, ``csrf``, ``next``) sets the
``reslog_session`` cookie (HttpOnly, SameSite=Lax, Secure when ``RESLOG_COOKIE_SECURE``) and
redirects (303) to ``next`` (a local path). Every failure — unknown user, wrong password,
disabled account — gets the same answer: 401 ``invalid credentials`` (or a redirect to
``/login?error=1`` for browsers). Too many failures per user name and IP → 429.
"""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from reslog.api.problems import ProblemError
from reslog.platform import accounts, audit, security
from reslog.platform.deps import (SESSION_COOKIE, Principal, client_ip, csrf_token, get_db,
                                  get_principal, require_user, verify_csrf,
                                  verify_csrf_always)
from reslog.platform.models import Organisation, User, UserSession, utcnow
from reslog.platform.schemas import NO_NUL, PasswordChange

router = APIRouter(tags=["platform: accounts"])
log = logging.getLogger("reslog.platform")


def _safe_next(target: str | None) -> str:
    """Only local absolute paths (no scheme, no ``//host``, no backslash tricks)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(c) < 32 for c in target):
        return "/"
    return target


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


@router.post("/auth/login", status_code=303, dependencies=[Depends(verify_csrf_always)],
             responses={303: {"description": "logged in; redirect to `next`"},
                        401: {"description": "invalid credentials"},
                        429: {"description": "too many failed logins"}})
def login(request: Request, username: Annotated[str, Form(max_length=320, pattern=NO_NUL)],
          password: Annotated[str, Form(max_length=1000, pattern=NO_NUL)],
          next: Annotated[str, Form(max_length=2000, pattern=NO_NUL)] = "/",
          db: Session = Depends(get_db)) -> Response:
    """Check the password (argon2) and start a session."""
    st = request.app.state.platform
    ip = client_ip(request)
    user_key = username.strip().lower()
    wait = st.limiter.retry_after(user_key, ip)
    if wait > 0:
        raise ProblemError(429, "Too Many Requests",
                           f"too many failed logins; try again in {int(wait) + 1} s",
                           headers={"Retry-After": str(int(wait) + 1)})
    found = accounts.authenticate(db, username, password)
    if found is None:
        st.limiter.failure(user_key, ip)
        log.info("failed login from %s", ip)
        if _wants_html(request):
            return RedirectResponse(f"/login?error=1&next={quote(_safe_next(next), safe='/')}",
                                    status_code=303)
        raise ProblemError(401, "Unauthorized", "invalid credentials")
    user, membership = found
    st.limiter.success(user_key, ip)
    hours = float(getattr(st.settings, "session_hours", accounts.SESSION_HOURS))
    token = accounts.start_session(db, user, membership.org_id, hours=hours)
    p = Principal(user_id=user.id, org_id=membership.org_id, role=membership.role,  # type: ignore[arg-type]
                  via="session", username=user.email)
    audit.record(db, p, "login", ip=ip)
    db.commit()
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(SESSION_COOKIE, token, max_age=int(hours * 3600), path="/", httponly=True,
                    samesite="lax", secure=bool(getattr(st.settings, "cookie_secure", False)))
    return resp


@router.post("/auth/logout", status_code=303, dependencies=[Depends(verify_csrf_always)],
             responses={303: {"description": "logged out; redirect to /"}})
def logout(request: Request, principal: Principal = Depends(get_principal),
           db: Session = Depends(get_db)) -> Response:
    """End the session (the cookie is cleared and the session revoked server-side)."""
    token = request.cookies.get(SESSION_COOKIE)
    if token and accounts.end_session(db, token) and principal.via == "session":
        audit.record(db, principal, "logout")
    db.commit()
    resp = RedirectResponse("/", status_code=303)
    st = request.app.state.platform
    resp.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                       secure=bool(getattr(st.settings, "cookie_secure", False)))
    return resp


@router.get("/api/platform/me")
def me(request: Request, principal: Principal = Depends(get_principal),
       db: Session = Depends(get_db)) -> dict:
    """The caller (anonymous when not logged in) and the CSRF token for browser requests."""
    org = db.get(Organisation, principal.org_id) if principal.org_id is not None else None
    return {"user_id": principal.user_id, "username": principal.username,
            "org_id": principal.org_id, "org_name": org.name if org else None,
            "role": principal.role, "via": principal.via, "csrf_token": csrf_token(request)}


@router.post("/api/platform/me/password", status_code=204, dependencies=[Depends(verify_csrf)])
def change_password(body: PasswordChange, request: Request,
                    principal: Principal = Depends(require_user),
                    db: Session = Depends(get_db)) -> None:
    """Change your own password (logged in with a session, not an API key).

    The current password is checked like a login (same rate limit, same answer when wrong);
    every other session of the user ends.
    """
    if principal.via != "session" or principal.user_id is None:
        raise ProblemError(403, "Forbidden", "log in with your password to change it")
    st = request.app.state.platform
    user = db.get(User, principal.user_id)
    assert user is not None
    ip = client_ip(request)
    wait = st.limiter.retry_after(user.email, ip)
    if wait > 0:
        raise ProblemError(429, "Too Many Requests", f"too many failed attempts; try again in "
                           f"{int(wait) + 1} s", headers={"Retry-After": str(int(wait) + 1)})
    ok, _ = security.verify_password(user.password_hash, body.current_password)
    if not ok:
        st.limiter.failure(user.email, ip)
        raise ProblemError(401, "Unauthorized", "invalid credentials")
    user.password_hash = security.hash_password(body.new_password)
    for s in db.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                  UserSession.id != principal.session_id,
                                                  UserSession.revoked_at.is_(None))):
        s.revoked_at = utcnow()
    audit.record(db, principal, "password.change", "user", user.id)
    db.commit()
