"""Audit log: who changed or shared what (written in the same transaction as the change)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from reslog.platform.models import AuditEntry


def record(db: Session, principal: Any, action: str, item_type: str | None = None,
           item_id: int | None = None, *, org_id: int | None = None, **detail: Any) -> AuditEntry:
    """Add an audit entry to ``db`` (committed with the change it describes).

    ``org_id`` defaults to the caller's organisation: the admins of that organisation see it.
    """
    if getattr(principal, "api_key_id", None) is not None:
        detail.setdefault("api_key_id", principal.api_key_id)
    entry = AuditEntry(org_id=org_id if org_id is not None else principal.org_id,
                       user_id=principal.user_id, via=principal.via, action=action,
                       item_type=item_type, item_id=item_id,
                       detail={k: v for k, v in detail.items() if v is not None})
    db.add(entry)
    return entry
