"""The audit log of your organisation (admins): who logged in, changed, shared or published what."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reslog.api.pagination import Page, page_params, paged
from reslog.platform.deps import Principal, get_db, require_role
from reslog.platform.models import AuditEntry, User
from reslog.platform.schemas import NO_NUL

router = APIRouter(prefix="/api/platform/audit", tags=["platform: audit"])


@router.get("")
def list_audit(request: Request, page: Page = Depends(page_params),
               action: str | None = Query(None, max_length=64, pattern=NO_NUL),
               item_type: str | None = Query(None, max_length=32, pattern=NO_NUL),
               principal: Principal = Depends(require_role("admin")),
               db: Session = Depends(get_db)) -> dict:
    """Audit entries of your organisation, newest first."""
    cond = [AuditEntry.org_id == principal.org_id]
    if action:
        cond.append(AuditEntry.action == action)
    if item_type:
        cond.append(AuditEntry.item_type == item_type)
    total = int(db.scalar(select(func.count()).select_from(AuditEntry).where(*cond)) or 0)
    rows = db.execute(select(AuditEntry, User.email).outerjoin(User, User.id == AuditEntry.user_id)
                      .where(*cond).order_by(AuditEntry.id.desc())
                      .limit(page.limit).offset(page.offset)).all()
    out = [{"id": e.id, "at": e.at.isoformat(), "user_id": e.user_id, "user": email, "via": e.via,
            "action": e.action, "item_type": e.item_type, "item_id": e.item_id, "detail": e.detail}
           for e, email in rows]
    return paged(request, out, total, page)
