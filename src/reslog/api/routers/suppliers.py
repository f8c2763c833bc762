"""Organisation-private supplier lists: upload (CSV), list, read, delete, and supplier exposure.

``POST /api/platform/suppliers`` (multipart: ``file``, optional ``name``, ``csrf`` for browser
posts) needs the analyst role. A malformed file is refused with 422 naming the row and field,
and nothing is stored; a body over ``RESLOG_MAX_UPLOAD_BYTES`` gets 413. The list and its rows
are written in one transaction. Exposure is computed by :func:`reslog.platform.items.supplier_exposure`.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from sqlalchemy.orm import Session

from reslog.api.deps import get_reader
from reslog.api.pagination import Page, page_params, paginate
from reslog.api.problems import ProblemError
from reslog.errors import InputError
from reslog.platform import audit, items
from reslog.platform.deps import (Principal, get_db, get_principal, require_role, require_user,
                                  verify_csrf)
from reslog.platform.models import Supplier, SupplierList
from reslog.platform.schemas import NO_NUL
from reslog.sources.suppliers import parse_supplier_csv
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/platform/suppliers", tags=["platform: supplier lists"])

ListId = Path(ge=1, le=2**31 - 1, description="Supplier list id.")


def _out(db: Session, sl: SupplierList, principal: Principal) -> dict:
    return {"id": sl.id, "name": sl.name, "filename": sl.filename, "sha256": sl.sha256,
            "n_rows": sl.n_rows, "owner_org": sl.org_id, "created_at": sl.created_at.isoformat(),
            "published_at": sl.published_at.isoformat() if sl.published_at else None,
            "visibility": items.visibility(db, sl, "supplier_list"),
            "shared_with": (items.grantees(db, "supplier_list", sl.id)
                            if sl.org_id == principal.org_id else [])}


@router.get("")
def list_supplier_lists(request: Request, page: Page = Depends(page_params),
                        principal: Principal = Depends(get_principal),
                        db: Session = Depends(get_db)) -> dict:
    """Supplier lists you may read: your organisation's, shared with it, and published ones."""
    rows = list(db.scalars(items.select_visible("supplier_list", principal).order_by(SupplierList.id)))
    return paginate(request, [_out(db, sl, principal) for sl in rows], page)


@router.post("", status_code=201, dependencies=[Depends(verify_csrf)])
async def upload_supplier_list(
    request: Request,
    file: Annotated[UploadFile, File(description="CSV: supplier,country,commodity[,mine]")],
    name: Annotated[str, Form(max_length=200, pattern=NO_NUL)] = "",
    principal: Principal = Depends(require_role("analyst")),
    db: Session = Depends(get_db),
) -> dict:
    """Upload a supplier list (one transaction; nothing is kept if any row is bad)."""
    limit = int(request.app.state.platform.settings.max_upload_bytes)
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise ProblemError(413, "Content Too Large",
                           f"the file is more than {limit:,} bytes (RESLOG_MAX_UPLOAD_BYTES)")
    filename = (file.filename or "upload.csv").replace("\\", "/").rsplit("/", 1)[-1]
    filename = "".join(ch for ch in filename if ch.isprintable())[:255] or "upload.csv"
    try:
        rows = parse_supplier_csv(filename, data)
    except InputError as e:
        err = {"field": f"file.{e.field}" if e.field else "file", "message": e.message}
        if e.row is not None:
            err["row"] = e.row  # type: ignore[assignment]
        raise ProblemError(422, "Unprocessable Content", str(e), [err]) from None
    assert principal.org_id is not None
    sl = SupplierList(org_id=principal.org_id, name=(name.strip() or filename)[:200],
                      filename=filename, sha256=hashlib.sha256(data).hexdigest(),
                      n_rows=len(rows), created_by=principal.user_id)
    sl.rows = [Supplier(row_no=r.row, supplier=r.supplier, country=r.country,
                        commodity=r.commodity, mine=r.mine) for r in rows]
    try:
        db.add(sl)
        db.flush()
        audit.record(db, principal, "supplier_list.upload", "supplier_list", sl.id,
                     name=sl.name, rows=len(rows), sha256=sl.sha256)
        db.commit()
    except Exception:
        db.rollback()
        raise
    return _out(db, sl, principal)


@router.get("/exposure")
def my_supplier_exposure(principal: Principal = Depends(require_user),
                         db: Session = Depends(get_db),
                         reader: Warehouse = Depends(get_reader)) -> dict:
    """Exposure of all your organisation's supplier lists: events, concentration, alerts."""
    return items.supplier_exposure(db, reader, principal)


@router.get("/{list_id}")
def get_supplier_list(list_id: int = ListId, principal: Principal = Depends(get_principal),
                      db: Session = Depends(get_db)) -> dict:
    """One supplier list with its rows (404 unless you may read it)."""
    sl = items.get_visible(db, principal, "supplier_list", list_id)
    return {**_out(db, sl, principal),
            "rows": [{"row": r.row_no, "supplier": r.supplier, "country": r.country,
                      "commodity": r.commodity, "mine": r.mine} for r in sl.rows]}


@router.get("/{list_id}/exposure")
def supplier_list_exposure(list_id: int = ListId, principal: Principal = Depends(get_principal),
                           db: Session = Depends(get_db),
                           reader: Warehouse = Depends(get_reader)) -> dict:
    """Exposure of one supplier list you may read."""
    return items.supplier_exposure(db, reader, principal, list_id=list_id)


@router.delete("/{list_id}", status_code=204, dependencies=[Depends(verify_csrf)])
def delete_supplier_list(list_id: int = ListId, principal: Principal = Depends(require_user),
                         db: Session = Depends(get_db)) -> None:
    """Delete one of your organisation's lists (analyst); its shares go with it."""
    sl = items.get_owned(db, principal, "supplier_list", list_id)
    items.delete_item(db, "supplier_list", sl)
    audit.record(db, principal, "supplier_list.delete", "supplier_list", list_id, name=sl.name)
    db.commit()
