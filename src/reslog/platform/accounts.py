"""Organisations, users, memberships, sessions and API keys (the functions routes and CLI call)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reslog.errors import ReslogError
from reslog.platform import security
from reslog.platform.models import (ROLES, ApiKey, Membership, Organisation, User, UserSession,
                                    utcnow)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
SESSION_HOURS = 12


class AccountError(ReslogError):
    """A request on accounts that cannot be carried out (the message says why and what to do)."""


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password has {len(password)} characters; use at least {MIN_PASSWORD}")
    return password


def normalise_email(email: str) -> str:
    e = email.strip().lower()
    if not EMAIL_RE.match(e):
        raise AccountError(f"{email!r} is not an e-mail address (name@domain.tld)")
    return e


def get_or_create_org(db: Session, name: str) -> Organisation:
    name = name.strip()
    if not name:
        raise AccountError("an organisation needs a name")
    org = db.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name)
        db.add(org)
        db.flush()
    return org


def create_user(db: Session, org: Organisation, email: str, password: str, role: str,
                display_name: str = "") -> User:
    """A new user who is a member of ``org`` with ``role`` (409-style error if the e-mail exists)."""
    email = normalise_email(email)
    check_role(role)
    check_password(password)
    if db.scalar(select(User).where(User.email == email)) is not None:
        raise AccountError(f"a user {email} already exists")
    user = User(email=email, display_name=display_name or email.split("@")[0],
                password_hash=security.hash_password(password))
    db.add(user)
    db.flush()
    db.add(Membership(user_id=user.id, org_id=org.id, role=role))
    db.flush()
    return user


def authenticate(db: Session, email: str, password: str) -> tuple[User, Membership] | None:
    """The user and their (first) membership if the password is right, else ``None``.

    Unknown user, wrong password, inactive user and user without organisation all give ``None``
    after the same argon2 work.
    """
    try:
        email = normalise_email(email)
    except AccountError:
        email = ""
    user = db.scalar(select(User).where(User.email == email)) if email else None
    ok, new_hash = security.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    m = db.scalar(select(Membership).where(Membership.user_id == user.id).order_by(Membership.id))
    if m is None:
        return None
    if new_hash:
        user.password_hash = new_hash
    return user, m


def start_session(db: Session, user: User, org_id: int, hours: float = SESSION_HOURS) -> str:
    """Create a session row; returns the raw token for the cookie (only its hash is stored)."""
    token = security.new_session_token()
    now = utcnow()
    db.add(UserSession(token_hash=security.sha256_hex(token), user_id=user.id, org_id=org_id,
                       created_at=now, expires_at=now + timedelta(hours=hours)))
    db.flush()
    return token


def end_session(db: Session, token: str) -> bool:
    """Revoke the session of ``token``; ``True`` if there was one."""
    row = db.scalar(select(UserSession).where(UserSession.token_hash == security.sha256_hex(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


@dataclass(frozen=True)
class NewApiKey:
    """A created key: ``key`` is shown once and never stored."""

    row: ApiKey
    key: str


def create_api_key(db: Session, org_id: int, user_id: int | None, name: str, role: str) -> NewApiKey:
    check_role(role)
    if not name.strip():
        raise AccountError("an API key needs a name")
    key, prefix, digest = security.new_api_key()
    row = ApiKey(org_id=org_id, created_by=user_id, name=name.strip(), prefix=prefix,
                 key_hash=digest, role=role)
    db.add(row)
    db.flush()
    return NewApiKey(row=row, key=key)


def count_admins(db: Session, org_id: int) -> int:
    return int(db.scalar(select(func.count()).select_from(Membership).where(
        Membership.org_id == org_id, Membership.role == "admin")) or 0)


# ------------------------------------------------------------------------------ demo
DEMO_ORG = "Demo Motors"
OTHER_ORG = "Other Corp"
DEMO_USERS: tuple[tuple[str, str, str, str], ...] = (
    # (organisation, e-mail, role, password) — documented demo credentials, never for production
    (DEMO_ORG, "demo@reslog.example", "admin", "demo-admin-password"),
    (DEMO_ORG, "analyst@reslog.example", "analyst", "demo-analyst-password"),
    (DEMO_ORG, "viewer@reslog.example", "viewer", "demo-viewer-password"),
    (OTHER_ORG, "other@reslog.example", "admin", "other-admin-password"),
)


def demo_org_id(db: Session) -> int:
    """Id of the demo organisation (:data:`DEMO_ORG`), created if missing."""
    return get_or_create_org(db, DEMO_ORG).id


def ensure_demo_users(db: Session) -> list[dict[str, str]]:
    """Create the demo organisations and users (idempotent); returns their credentials.

    Existing demo users keep their password hash untouched unless the password differs, in which
    case it is reset to the documented demo password.
    """
    out = []
    for org_name, email, role, password in DEMO_USERS:
        org = get_or_create_org(db, org_name)
        user = db.scalar(select(User).where(User.email == email))
        if user is None:
            create_user(db, org, email, password, role)
        else:
            ok, _ = security.verify_password(user.password_hash, password)
            if not ok:
                user.password_hash = security.hash_password(password)
        out.append({"organisation": org_name, "email": email, "role": role, "password": password})
    db.commit()
    return out


