"""Share an item with another organisation, or publish it to everyone.

Items: ``supplier_list``, ``org_event``, ``watchlist``. Sharing needs the analyst role in the
owning organisation; publishing and unpublishing need admin. Every grant, revocation and
publication goes to the audit log. Items you cannot see answer 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reslog.api.problems import ProblemError
from reslog.platform import audit, items
from reslog.platform.deps import Principal, get_db, require_role, require_user, verify_csrf
from reslog.platform.models import Organisation, ShareGrant, utcnow
from reslog.platform.schemas import PublishIn, ShareIn

router = APIRouter(prefix="/api/platform/sharing", tags=["platform: sharing"])

GrantId = Path(ge=1, le=2**31 - 1, description="Share grant id.")


def _grant_out(g: ShareGrant, names: dict[int, str]) -> dict:
    return {"id": g.id, "item_type": g.item_type, "item_id": g.item_id,
            "owner_org": g.owner_org_id, "owner_org_name": names.get(g.owner_org_id),
            "org_id": g.grantee_org_id, "org_name": names.get(g.grantee_org_id),
            "created_at": g.created_at.isoformat()}


@router.get("/shares")
def list_shares(principal: Principal = Depends(require_user), db: Session = Depends(get_db)) -> dict:
    """Grants your organisation made (``given``) and received (``received``)."""
    rows = list(db.scalars(select(ShareGrant).where(or_(
        ShareGrant.owner_org_id == principal.org_id,
        ShareGrant.grantee_org_id == principal.org_id)).order_by(ShareGrant.id)))
    names = dict(db.execute(select(Organisation.id, Organisation.name)).all())
    return {"given": [_grant_out(g, names) for g in rows if g.owner_org_id == principal.org_id],
            "received": [_grant_out(g, names) for g in rows if g.grantee_org_id == principal.org_id]}


@router.post("/shares", status_code=201, dependencies=[Depends(verify_csrf)])
def share_item(body: ShareIn, principal: Principal = Depends(require_role("analyst")),
               db: Session = Depends(get_db)) -> dict:
    """Share one of your organisation's items with another organisation."""
    obj = items.get_owned(db, principal, body.item_type, body.item_id)
    target = db.get(Organisation, body.org_id)
    if target is None or target.id == principal.org_id:
        msg = "that is your own organisation" if target else f"no organisation {body.org_id}"
        raise ProblemError(422, "Unprocessable Content", msg, [{"field": "body.org_id", "message": msg}])
    g = ShareGrant(item_type=body.item_type, item_id=obj.id, owner_org_id=principal.org_id,
                   grantee_org_id=target.id, created_by=principal.user_id)
    db.add(g)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise ProblemError(409, "Conflict", f"already shared with organisation {target.id}",
                           [{"field": "body.org_id", "message": "already shared"}]) from None
    audit.record(db, principal, "share.grant", body.item_type, obj.id, org_id_to=target.id,
                 org_name_to=target.name)
    db.commit()
    return _grant_out(g, {principal.org_id or 0: "", target.id: target.name})


@router.delete("/shares/{grant_id}", status_code=204, dependencies=[Depends(verify_csrf)])
def revoke_share(grant_id: int = GrantId, principal: Principal = Depends(require_role("analyst")),
                 db: Session = Depends(get_db)) -> None:
    """Withdraw a grant your organisation made (404 for any other)."""
    g = db.scalar(select(ShareGrant).where(ShareGrant.id == grant_id,
                                           ShareGrant.owner_org_id == principal.org_id))
    if g is None:
        raise ProblemError(404, "Not Found", f"no share {grant_id}",
                           [{"field": "path.grant_id", "message": f"no share {grant_id}"}])
    audit.record(db, principal, "share.revoke", g.item_type, g.item_id, org_id_from=g.grantee_org_id)
    db.delete(g)
    db.commit()


@router.post("/publish", dependencies=[Depends(verify_csrf)])
def publish_item(body: PublishIn, principal: Principal = Depends(require_role("admin")),
                 db: Session = Depends(get_db)) -> dict:
    """Publish one of your organisation's items: everyone can read it, anonymous callers too."""
    obj = items.get_owned(db, principal, body.item_type, body.item_id, min_role="admin")
    if obj.published_at is None:
        obj.published_at = utcnow()
        audit.record(db, principal, "publish", body.item_type, obj.id)
    db.commit()
    return {"item_type": body.item_type, "item_id": obj.id, "visibility": "public",
            "published_at": obj.published_at.isoformat()}


@router.post("/unpublish", dependencies=[Depends(verify_csrf)])
def unpublish_item(body: PublishIn, principal: Principal = Depends(require_role("admin")),
                   db: Session = Depends(get_db)) -> dict:
    """Withdraw a publication (the item is private or shared again)."""
    obj = items.get_owned(db, principal, body.item_type, body.item_id, min_role="admin")
    if obj.published_at is not None:
        obj.published_at = None
        audit.record(db, principal, "unpublish", body.item_type, obj.id)
    db.commit()
    return {"item_type": body.item_type, "item_id": obj.id,
            "visibility": items.visibility(db, obj, body.item_type), "published_at": None}
