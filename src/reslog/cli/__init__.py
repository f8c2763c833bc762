"""The ``reslog`` command line (Typer). Commands only call the layers below; no analysis here.

Area modules add their commands through ``register(app)``: ``cli.io`` (MRIO engine),
``cli.trade`` (trade flows), ``cli.risk`` (criticality, shocks, products), ``cli.events``
(news intelligence). Errors a user can cause (:class:`~reslog.errors.ReslogError`) print one
message and exit with code 2.
"""

from __future__ import annotations

import pkgutil
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from reslog import __version__
from reslog.cli.common import OPTIONAL_EXTRAS, DbOption, import_area, missing_extra_message, open_warehouse
from reslog.errors import ReslogError

app = typer.Typer(
    name="reslog",
    help="reslog — Resource Logistics: the risks hidden behind mineral resources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Full official datasets: fetch them (the only online command).",
                       no_args_is_help=True)
app.add_typer(data_app, name="data")
console = Console()

# Every module of this package except ``common`` is an area: it exposes ``register(app)``.
# A new area (imagery, sites, scenario …) only adds ``reslog/cli/<area>.py``.
AREA_MODULES = tuple(f"reslog.cli.{m.name}" for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
                     if m.name != "common")


def _version(value: bool) -> None:
    if value:
        console.print(f"reslog {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """reslog — Resource Logistics: exposure, shocks, watch, criticality and provenance of minerals."""


@app.command("ingest")
def ingest_cmd(
    kind: Annotated[str, typer.Argument(help="What the file is; see the list above.")],
    path: Annotated[Path, typer.Argument(help="File (or, for BACI, a release folder) to ingest.")],
    db: DbOption = None,
) -> None:
    """Validate a file of a real format and load it into the warehouse in one transaction.

    Re-ingesting identical content is a no-op. Bad input exits 2 naming file, row and field,
    and leaves the warehouse unchanged. KIND is one of: baci, usgs, production, wgi, mines,
    lithium-deposits, events, tailings, niosh, hs, mrio (see docs/readers.md).
    """
    from reslog.sources.registry import read

    parsed = read(kind, path)
    with open_warehouse(db) as wh:
        res = wh.ingest(parsed, kind=kind)
    if res.skipped:
        console.print(f"{path}: already ingested (ledger #{res.ledger_id}, same sha256); nothing to do")
        return
    rows = ", ".join(f"{t} {n:,}" for t, n in res.rows.items())
    console.print(f"{path}: ingested as ledger #{res.ledger_id} ({rows})")
    for note in parsed.notes:
        console.print(f"  note: {note}")


@app.command("ledger")
def ledger_cmd(db: DbOption = None) -> None:
    """List the provenance ledger: every ingest with source, version, licence, sha256, rows, time."""
    with open_warehouse(db, read_only=True) as wh:
        df = wh.ledger()
    t = Table(title=f"ledger ({len(df)} ingests)")
    for col in ("ledger_id", "kind", "source", "version", "licence", "rows", "sha256", "ingested_at", "files"):
        t.add_column(col, overflow="fold")
    for r in df.itertuples(index=False):
        t.add_row(str(r.ledger_id), r.kind, r.source, str(r.version), str(r.licence), f"{r.rows:,}",
                  r.sha256[:12], str(r.ingested_at)[:19], str(r.files))
    console.print(t)


@app.command("status")
def status_cmd(db: DbOption = None) -> None:
    """Row counts of every warehouse table."""
    with open_warehouse(db, read_only=True) as wh:
        counts = wh.counts()
    t = Table(title=str(wh.path))
    t.add_column("table")
    t.add_column("rows", justify="right")
    for k, v in counts.items():
        t.add_row(k, f"{v:,}")
    console.print(t)


@app.command("demo")
def demo_cmd(
    db: DbOption = None,
    report: Annotated[Path, typer.Option("--report", help="Where to write the HTML report.")] = Path("reslog-data/report.html"),
    fresh: Annotated[bool, typer.Option("--fresh", help="Delete the warehouse file first.")] = False,
) -> None:
    """The main job: build the warehouse from the bundled starter data and show a first analysis."""
    from reslog.jobs.demo import run_demo

    run_demo(db, report, fresh=fresh, console=console)


@data_app.command("fetch")
def fetch_cmd(
    name: Annotated[str, typer.Argument(help="Dataset: baci, wgi, usgs, exiobase.")],
    db: DbOption = None,
    year: Annotated[Optional[int], typer.Option(help="Year (BACI, EXIOBASE).")] = None,
    timeout: Annotated[float, typer.Option(help="Network timeout in seconds.")] = 10.0,
) -> None:
    """Download a full official dataset into the data folder, check it, and ingest it (ledger entry)."""
    from reslog.sources.fetch import DATASETS, fetch

    path = fetch(name, year=year, timeout=timeout, log=console.print)
    console.print(f"downloaded to {path}")
    kind = DATASETS[name].kind
    if kind is None:
        console.print(DATASETS[name].after)
    else:
        ingest_cmd(kind, path, db)


@data_app.command("list")
def data_list_cmd() -> None:
    """List the datasets `reslog data fetch` knows, with their official addresses."""
    from reslog.sources.fetch import DATASETS

    for k, d in DATASETS.items():
        console.print(f"[bold]{k}[/bold]: {d.title}\n  {d.url}\n  licence: {d.licence}")


def _register_areas() -> None:
    for mod_name in AREA_MODULES:
        mod = import_area(mod_name)
        if mod is not None:
            mod.register(app)


_register_areas()


def main() -> None:
    """Entry point: run the app, mapping reslog errors to one message and exit code 2."""
    try:
        app(standalone_mode=False)
    except ReslogError as e:
        Console(stderr=True).print(f"[red]error:[/red] {escape(str(e))}", highlight=False, soft_wrap=True)
        sys.exit(e.exit_code)
    except ModuleNotFoundError as e:
        if str(e.name).split(".")[0] not in OPTIONAL_EXTRAS:
            raise
        Console(stderr=True).print(f"[red]error:[/red] {escape(missing_extra_message(e))}", highlight=False,
                                   soft_wrap=True)
        sys.exit(2)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except typer.Abort:
        sys.exit(1)
    except SystemExit:
        raise
    except Exception as e:  # usage errors of (Typer's) click
        if hasattr(e, "show") and hasattr(e, "exit_code"):
            e.show()
            sys.exit(e.exit_code)
        raise


if __name__ == "__main__":  # pragma: no cover
    main()
