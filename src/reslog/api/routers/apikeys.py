"""API keys for programs, scoped to the organisation that made them (admins manage them).

The key (``rsk_<prefix>_<secret>``) is returned ONCE by ``POST``; the database keeps only its
SHA-256. Send it as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``. A key acts with
its own role, capped by its creator's current role; it sees exactly what its organisation sees.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path
from sqlalchemy import select
from sqlalchemy.orm import Session

from reslog.api.problems import ProblemError
from reslog.platform import accounts, audit
from reslog.platform.deps import Principal, get_db, require_role, verify_csrf
from reslog.platform.models import ROLE_RANK, ApiKey, utcnow
from reslog.platform.schemas import ApiKeyIn

router = APIRouter(prefix="/api/platform/apikeys", tags=["platform: API keys"])

KeyId = Path(ge=1, le=2**31 - 1, description="API key id (only your organisation's answer).")


def _out(k: ApiKey) -> dict:
    return {"id": k.id, "name": k.name, "prefix": k.prefix, "role": k.role, "org_id": k.org_id,
            "created_by": k.created_by, "created_at": k.created_at.isoformat(),
            "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None}


@router.get("")
def list_keys(principal: Principal = Depends(require_role("admin")),
              db: Session = Depends(get_db)) -> dict:
    """Your organisation's keys (never the secrets)."""
    rows = db.scalars(select(ApiKey).where(ApiKey.org_id == principal.org_id).order_by(ApiKey.id))
    return {"items": [_out(k) for k in rows]}


@router.post("", status_code=201, dependencies=[Depends(verify_csrf)])
def create_key(body: ApiKeyIn, principal: Principal = Depends(require_role("admin")),
               db: Session = Depends(get_db)) -> dict:
    """Create a key; the response holds the key itself, shown this once."""
    if ROLE_RANK[body.role] > ROLE_RANK[principal.role]:
        raise ProblemError(403, "Forbidden", f"a key cannot have more rights ({body.role}) than "
                           f"its creator ({principal.role})",
                           [{"field": "body.role", "message": "at most your own role"}])
    assert principal.org_id is not None
    new = accounts.create_api_key(db, principal.org_id, principal.user_id, body.name, body.role)
    audit.record(db, principal, "api_key.create", "api_key", new.row.id, name=body.name, role=body.role)
    db.commit()
    return {**_out(new.row), "key": new.key,
            "note": "store this key now: it is not shown again"}


@router.delete("/{key_id}", status_code=204, dependencies=[Depends(verify_csrf)])
def revoke_key(key_id: int = KeyId, principal: Principal = Depends(require_role("admin")),
               db: Session = Depends(get_db)) -> None:
    """Revoke one of your organisation's keys (404 for any other)."""
    k = db.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.org_id == principal.org_id))
    if k is None:
        raise ProblemError(404, "Not Found", f"no API key {key_id}",
                           [{"field": "path.key_id", "message": f"no API key {key_id}"}])
    if k.revoked_at is None:
        k.revoked_at = utcnow()
        audit.record(db, principal, "api_key.revoke", "api_key", k.id, name=k.name)
    db.commit()
