"""Organisations and their members (admins manage their own organisation only).

``GET /api/platform/orgs`` lists organisation names (to pick whom to share with). Everything
under ``/api/platform/orgs/{org_id}`` answers 404 for any organisation but the caller's.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path
from sqlalchemy import select
from sqlalchemy.orm import Session

from reslog.api.problems import ProblemError
from reslog.platform import accounts, audit
from reslog.platform.deps import Principal, get_db, require_role, require_user, verify_csrf
from reslog.platform.models import Membership, Organisation, User, UserSession, utcnow
from reslog.platform.schemas import MemberIn, MemberPatch

router = APIRouter(prefix="/api/platform/orgs", tags=["platform: organisations"])

OrgId = Path(ge=1, le=2**31 - 1, description="Organisation id (only your own answers).")
UserId = Path(ge=1, le=2**31 - 1, description="User id (a member of your organisation).")


def _own_org(db: Session, principal: Principal, org_id: int) -> Organisation:
    org = db.get(Organisation, org_id) if org_id == principal.org_id else None
    if org is None:
        raise ProblemError(404, "Not Found", f"no organisation {org_id}",
                           [{"field": "path.org_id", "message": f"no organisation {org_id}"}])
    return org


def _member(db: Session, org_id: int, user_id: int) -> tuple[Membership, User]:
    row = db.execute(select(Membership, User).join(User, User.id == Membership.user_id)
                     .where(Membership.org_id == org_id, Membership.user_id == user_id)).first()
    if row is None:
        raise ProblemError(404, "Not Found", f"no member {user_id}",
                           [{"field": "path.user_id", "message": f"no member {user_id}"}])
    return row[0], row[1]


def _member_out(m: Membership, u: User) -> dict:
    return {"user_id": u.id, "email": u.email, "display_name": u.display_name, "role": m.role,
            "is_active": u.is_active, "member_since": m.created_at.isoformat()}


@router.get("")
def list_orgs(principal: Principal = Depends(require_user), db: Session = Depends(get_db)) -> dict:
    """Organisation ids and names (the directory used to share an item)."""
    rows = db.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name)).all()
    return {"items": [{"id": i, "name": n, "is_mine": i == principal.org_id} for i, n in rows]}


@router.get("/{org_id}")
def get_org(org_id: int = OrgId, principal: Principal = Depends(require_user),
            db: Session = Depends(get_db)) -> dict:
    """Your organisation (404 for any other)."""
    org = _own_org(db, principal, org_id)
    return {"id": org.id, "name": org.name, "created_at": org.created_at.isoformat(),
            "your_role": principal.role}


@router.get("/{org_id}/members")
def list_members(org_id: int = OrgId, principal: Principal = Depends(require_user),
                 db: Session = Depends(get_db)) -> dict:
    """Members of your organisation with their roles."""
    _own_org(db, principal, org_id)
    rows = db.execute(select(Membership, User).join(User, User.id == Membership.user_id)
                      .where(Membership.org_id == org_id).order_by(User.email)).all()
    return {"items": [_member_out(m, u) for m, u in rows]}


@router.post("/{org_id}/members", status_code=201, dependencies=[Depends(verify_csrf)])
def add_member(body: MemberIn, org_id: int = OrgId,
               principal: Principal = Depends(require_role("admin")),
               db: Session = Depends(get_db)) -> dict:
    """Create a user in your organisation (admin)."""
    org = _own_org(db, principal, org_id)
    try:
        user = accounts.create_user(db, org, body.email, body.password, body.role, body.display_name)
    except accounts.AccountError as e:
        status = 409 if "already exists" in str(e) else 422
        raise ProblemError(status, "Conflict" if status == 409 else "Unprocessable Content", str(e),
                           [{"field": "body.email" if status == 409 or "e-mail" in str(e) else
                             "body.password", "message": str(e)}]) from None
    audit.record(db, principal, "member.create", "user", user.id, email=user.email, role=body.role)
    db.commit()
    m, u = _member(db, org.id, user.id)
    return _member_out(m, u)


@router.patch("/{org_id}/members/{user_id}", dependencies=[Depends(verify_csrf)])
def change_role(body: MemberPatch, org_id: int = OrgId, user_id: int = UserId,
                principal: Principal = Depends(require_role("admin")),
                db: Session = Depends(get_db)) -> dict:
    """Change a member's role (admin); the last admin cannot be demoted."""
    _own_org(db, principal, org_id)
    m, u = _member(db, org_id, user_id)
    if m.role == "admin" and body.role != "admin" and accounts.count_admins(db, org_id) <= 1:
        raise ProblemError(409, "Conflict", "the organisation would have no admin left",
                           [{"field": "body.role", "message": "keep at least one admin"}])
    old, m.role = m.role, body.role
    audit.record(db, principal, "member.role", "user", user_id, email=u.email, old=old, new=body.role)
    db.commit()
    return _member_out(m, u)


@router.delete("/{org_id}/members/{user_id}", status_code=204, dependencies=[Depends(verify_csrf)])
def remove_member(org_id: int = OrgId, user_id: int = UserId,
                  principal: Principal = Depends(require_role("admin")),
                  db: Session = Depends(get_db)) -> None:
    """Remove a member (admin); their sessions in this organisation end at once."""
    _own_org(db, principal, org_id)
    m, u = _member(db, org_id, user_id)
    if m.role == "admin" and accounts.count_admins(db, org_id) <= 1:
        raise ProblemError(409, "Conflict", "the organisation would have no admin left",
                           [{"field": "path.user_id", "message": "keep at least one admin"}])
    for s in db.scalars(select(UserSession).where(UserSession.user_id == user_id,
                                                  UserSession.org_id == org_id,
                                                  UserSession.revoked_at.is_(None))):
        s.revoked_at = utcnow()
    db.delete(m)
    audit.record(db, principal, "member.remove", "user", user_id, email=u.email)
    db.commit()
