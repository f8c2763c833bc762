"""``/api/ledger``: the provenance ledger — every ingest with source, version, licence, sha256 —
and ``POST /api/ledger/ingests``, which loads an uploaded file through the one warehouse writer.

The upload is parsed and validated in a worker process *before* the writer is taken, so neither
the GIL nor the write lock is held by the server for the parsing; the lock covers only the
transaction itself, and reads go on meanwhile (docs/api.md, "Warehouse concurrency").
"""

from __future__ import annotations

import tempfile
from pathlib import Path as FsPath
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from starlette.responses import Response

from reslog.api.caching import cached_json, json_response
from reslog.api.deps import _platform_deps, get_hub, get_reader
from reslog.api.jsonio import records
from reslog.api.pagination import Page, page_params, paged
from reslog.api.problems import ProblemError, invalid, not_found
from reslog.services.provenance import LEDGER_FIELDS
from reslog.store import tables as T
from reslog.store.hub import WarehouseHub
from reslog.store.warehouse import Warehouse

router = APIRouter(prefix="/api/ledger", tags=["ledger"])


def _require_admin() -> Any:
    """An admin (API key, or session + CSRF token); 403 when the platform package is absent."""
    pdeps = _platform_deps()
    if pdeps is None:
        def _refuse() -> None:
            raise ProblemError(403, "Forbidden", "ingest over HTTP needs the platform (accounts) package")
        return _refuse
    admin = pdeps.require_role("admin")

    def _admin_with_csrf(principal: Any = Depends(admin), _csrf: None = Depends(pdeps.verify_csrf)) -> Any:
        return principal
    return _admin_with_csrf


@router.get("", summary="The provenance ledger (paginated)")
def ledger(request: Request, page: Page = Depends(page_params), wh: Warehouse = Depends(get_reader)) -> Response:
    """One entry per ingest: ledger_id, kind, source, version, licence, citation, files, sha256,
    rows, ingested_at, reslog_version."""
    def compute() -> dict:
        total = int(wh.con.execute("SELECT count(*) FROM ledger").fetchall()[0][0])
        df = wh.query("SELECT * FROM ledger ORDER BY ledger_id LIMIT ? OFFSET ?", [page.limit, page.offset])
        return paged(request, records(df), total, page)
    return cached_json(request, compute)


@router.get("/{ledger_id}", summary="One ingest and the rows it wrote per table")
def entry(request: Request, ledger_id: int = Path(ge=1, le=2**31 - 1), wh: Warehouse = Depends(get_reader)) -> Response:
    """The ledger entry and, per warehouse table, how many current rows point at it."""
    df = wh.query("SELECT * FROM ledger WHERE ledger_id = ?", [ledger_id])
    if df.empty:
        raise not_found("ledger entry", ledger_id, "path.ledger_id")

    def compute() -> dict:
        tables = {}
        for t in T.all_tables():
            if "ledger_id" in T.all_columns(t) and t != "ledger":
                n = int(wh.con.execute(f'SELECT count(*) FROM "{t}" WHERE ledger_id = ?', [ledger_id]).fetchall()[0][0])
                if n:
                    tables[t] = n
        return {"entry": records(df)[0], "rows_now": tables}
    return cached_json(request, compute)


@router.post("/ingests", summary="Ingest an uploaded file (admin)", status_code=201)
def ingest(request: Request, kind: str = Form(max_length=40, description="Ingest kind, as `reslog ingest KIND`."),
           file: UploadFile = File(description="The file (CSV, JSON lines …); at most RESLOG_MAX_UPLOAD_BYTES."),
           hub: WarehouseHub = Depends(get_hub), _admin: Any = Depends(_require_admin())) -> Response:
    """Validate the file with the reader of ``kind`` and load it in one transaction.

    Bad input is a 422 naming file, row and field, and changes nothing. Re-sending identical
    content is a no-op (``skipped: true``) that returns the earlier ledger entry.
    """
    from reslog.services.ingest import read_isolated
    from reslog.sources.registry import READERS

    if kind not in READERS or kind == "baci":
        raise invalid("form.kind", f"unknown or folder-only kind {kind!r}; kinds: "
                      f"{', '.join(k for k in sorted(READERS) if k != 'baci')}")
    name = FsPath(file.filename or "upload").name or "upload"
    with tempfile.TemporaryDirectory(prefix="reslog-upload-") as tmp:
        path = FsPath(tmp) / name
        with open(path, "wb") as f:
            while chunk := file.file.read(1 << 20):
                f.write(chunk)
        parsed = read_isolated(kind, path)   # parse + validate in a worker process, no lock held
        with hub.writer() as wh:
            res = wh.ingest(parsed, kind=kind)
    return json_response(request, {"ledger_id": res.ledger_id, "skipped": res.skipped, "rows": res.rows,
                                   "warehouse_version": hub.version,
                                   "notes": list(getattr(parsed, "notes", []))},
                         status_code=200 if res.skipped else 201)
