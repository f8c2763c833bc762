"""``reslog serve``: the HTTP API and dashboard (FastAPI under uvicorn)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from reslog.cli.common import DbOption, resolve_db

console = Console()


def register(app: typer.Typer) -> None:
    """Add ``reslog serve`` to the root app."""
    app.command("serve")(serve_cmd)


def serve_cmd(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    db: DbOption = None,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "warning",
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) and the dashboard.

    The server owns the warehouse file while it runs: it answers reads on many threads and writes
    through one writer (docs/api.md). Stop it with Ctrl-C.
    """
    import uvicorn

    from reslog.api.app import create_app
    from reslog.api.settings import Settings

    path: Path = resolve_db(db)
    if not path.exists():
        console.print(f"note: no warehouse at {path} yet; it is created empty (run `reslog demo` "
                      "first for the demo data, or ingest through POST /api/ledger/ingests)",
                      highlight=False, soft_wrap=True)
    # Library code that resolves the default warehouse (``$RESLOG_DB``) finds the served one; inside
    # this process ``Warehouse.open`` then hands out readers on the server's connection.
    os.environ["RESLOG_DB"] = str(path)
    settings = Settings(db=path)
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"reslog serving {path} — open http://{shown}:{port}/  (API docs: "
                  f"http://{shown}:{port}/docs; Ctrl-C stops)", highlight=False, soft_wrap=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
