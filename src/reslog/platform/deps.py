"""FastAPI dependencies of the platform: who is calling, the DB session, roles, CSRF.

* :func:`get_principal` — never raises: an API key (``Authorization: Bearer rsk_…`` or
  ``X-API-Key``), else the session cookie, else anonymous. A wrong, revoked or expired
  credential is simply anonymous; routes that need a user answer 401 without saying why.
* :func:`require_user` / :func:`require_role` — 401 (no valid credential) / 403 (role too low),
  as ``application/problem+json``.
* :func:`get_db` — one SQLAlchemy session per request.
* :func:`csrf_token` (for templates) and :func:`verify_csrf` (for state-changing requests made
  with the session cookie; API-key requests are not exposed to CSRF and skip it);
  :func:`verify_csrf_always` for the login and logout forms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from reslog.api.problems import ProblemError
from reslog.platform import security
from reslog.platform.models import ROLE_RANK, ApiKey, Membership, User, UserSession

Role = Literal["anonymous", "viewer", "analyst", "admin"]
Via = Literal["anonymous", "session", "api_key"]

SESSION_COOKIE = "reslog_session"
CSRF_COOKIE = "reslog_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class Principal:
    """The caller of one request."""

    user_id: int | None
    org_id: int | None
    role: Role
    via: Via
    username: str | None = None
    api_key_id: int | None = None
    session_id: int | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.org_id is not None and self.role != "anonymous"

    def at_least(self, role: str) -> bool:
        """Whether this caller's role is ``role`` or higher."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


ANONYMOUS = Principal(user_id=None, org_id=None, role="anonymous", via="anonymous")


def _state(request: Request):
    st = getattr(request.app.state, "platform", None)
    if st is None:
        raise ProblemError(503, "Service Unavailable",
                           "the platform database is not set up in this app "
                           "(reslog.platform.install was not called)")
    return st


def get_db(request: Request) -> Iterator[Session]:
    """A SQLAlchemy session for this request (rolled back if the route did not commit)."""
    db = _state(request).sessions()
    try:
        yield db
    finally:
        db.close()


def _as_utc(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)


def _from_api_key(db: Session, key: str) -> Principal | None:
    prefix = security.parse_api_key(key)
    if prefix is None:
        return None
    row = db.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if row is None or row.revoked_at is not None:
        return None
    import hmac

    if not hmac.compare_digest(row.key_hash, security.sha256_hex(key.strip())):
        return None
    # The key's role is capped by the creator's current role in the key's organisation.
    role = row.role
    if row.created_by is not None:
        m = db.scalar(select(Membership).where(Membership.user_id == row.created_by,
                                               Membership.org_id == row.org_id))
        user = db.get(User, row.created_by)
        if m is None or user is None or not user.is_active:
            return None
        role = min(role, m.role, key=ROLE_RANK.__getitem__)
    return Principal(user_id=row.created_by, org_id=row.org_id, role=role, via="api_key",
                     username=f"api-key:{row.name}", api_key_id=row.id)


def _from_session(db: Session, token: str) -> Principal | None:
    row = db.scalar(select(UserSession).where(UserSession.token_hash == security.sha256_hex(token)))
    if row is None or row.revoked_at is not None or _as_utc(row.expires_at) <= datetime.now(timezone.utc):
        return None
    user = db.get(User, row.user_id)
    m = db.scalar(select(Membership).where(Membership.user_id == row.user_id,
                                           Membership.org_id == row.org_id))
    if user is None or not user.is_active or m is None:
        return None
    return Principal(user_id=user.id, org_id=row.org_id, role=m.role, via="session",  # type: ignore[arg-type]
                     username=user.email, session_id=row.id)


def _api_key_of(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return request.headers.get("x-api-key")


def get_principal(request: Request, db: Session = Depends(get_db)) -> Principal:
    """The caller: API key, else session cookie, else anonymous (never raises)."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    p: Principal | None = None
    key = _api_key_of(request)
    if key:
        p = _from_api_key(db, key)
    if p is None and not key:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            p = _from_session(db, token)
    p = p or ANONYMOUS
    request.state.principal = p
    return p


def _unauthenticated() -> ProblemError:
    return ProblemError(401, "Unauthorized", "authentication required",
                        headers={"WWW-Authenticate": 'Bearer realm="reslog"'})


def require_user(principal: Principal = Depends(get_principal)) -> Principal:
    """A logged-in user or a valid API key; else 401."""
    if not principal.is_authenticated:
        raise _unauthenticated()
    return principal


def require_role(min_role: str) -> Callable[..., Principal]:
    """Dependency factory: the caller must have ``min_role`` (viewer < analyst < admin)."""
    if min_role not in ROLE_RANK or min_role == "anonymous":
        raise ValueError(f"unknown role {min_role!r}; use viewer, analyst or admin")

    def _dep(principal: Principal = Depends(require_user)) -> Principal:
        if not principal.at_least(min_role):
            raise ProblemError(403, "Forbidden", f"this action needs the {min_role} role")
        return principal

    _dep.__name__ = f"require_{min_role}"
    return _dep


def _csrf_seed(request: Request) -> str:
    seed = request.cookies.get(CSRF_COOKIE)
    if seed:
        return seed
    seed = request.scope.setdefault("state", {}).get("csrf_seed")
    if not seed:
        seed = security.new_csrf_seed()
        request.scope["state"]["csrf_seed"] = seed
    return seed


def csrf_token(request: Request) -> str:
    """The CSRF token to put in a form's hidden ``csrf`` field (or the ``X-CSRF-Token`` header)."""
    return security.csrf_for(_state(request).settings.secret_key, _csrf_seed(request))


async def _check_csrf(request: Request) -> None:
    token = request.headers.get(CSRF_HEADER)
    if not token:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            v = form.get(CSRF_FIELD)
            token = v if isinstance(v, str) else None
    if not security.csrf_ok(_state(request).settings.secret_key, request.cookies.get(CSRF_COOKIE), token):
        raise ProblemError(403, "Forbidden", "missing or invalid CSRF token; reload the page "
                           "and submit the form again")


async def verify_csrf(request: Request, principal: Principal = Depends(get_principal)) -> None:
    """403 unless a state-changing request that carries the session cookie has a valid CSRF token.

    The token comes from the ``X-CSRF-Token`` header or the ``csrf`` form field. Requests with an
    API key, and requests with no session cookie at all (nothing ambient for a forged request to
    use; the route's own authentication answers them), are not checked.
    """
    if principal.via == "api_key" or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if principal.via == "anonymous" and SESSION_COOKIE not in request.cookies:
        return
    await _check_csrf(request)


async def verify_csrf_always(request: Request, principal: Principal = Depends(get_principal)) -> None:
    """Like :func:`verify_csrf`, but also for callers without a session (the login form: a forged
    login would sign the victim in to the attacker's account)."""
    if principal.via == "api_key" or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    await _check_csrf(request)


def client_ip(request: Request) -> str:
    """The peer address (no proxy headers are trusted; see docs/platform.md)."""
    return request.client.host if request.client else "unknown"
