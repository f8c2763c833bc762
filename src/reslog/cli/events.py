"""CLI for text intelligence: ``reslog events extract | ingest | evaluate | alerts | train``.

Commands read files and warehouse frames, call :mod:`reslog.intel.text` and print. The lead's
``reslog demo`` calls :func:`demo_sections` (report sections) or :func:`demo_section` (text).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from reslog.cli.common import DbOption, open_warehouse, resolve_db
from reslog.errors import InputError, ReslogError
from reslog.paths import PACKAGE_DATA

console = Console()
err_console = Console(stderr=True)
events_app = typer.Typer(help="Risk events from news and social-media text (English, Japanese).",
                         no_args_is_help=True)

SAMPLE_ARTICLES = PACKAGE_DATA / "sample_articles.jsonl"


# ----------------------------------------------------------------------------- helpers


def _warehouse_frames(db: Path | None) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """``(mine_sites, production)`` from the warehouse when it exists, else ``(None, None)``."""
    path = resolve_db(db)
    if not path.exists():
        return None, None
    from reslog.store.warehouse import Warehouse

    with Warehouse.open(path, read_only=True) as wh:
        mines = wh.query("SELECT mine_id, name, lat, lon, country, commodities FROM mine_sites")
        prod = wh.query("SELECT country, commodity, year, stage, quantity FROM production")
    return mines, prod


def _context(db: Path | None):
    """Gazetteer with warehouse mines and a supply-share lookup."""
    from reslog.intel.text.gazetteer import Gazetteer, default_gazetteer
    from reslog.intel.text.severity import calc_share_lookup, share_lookup_from_table

    mines, prod = _warehouse_frames(db)
    gaz = Gazetteer.build(mines) if mines is not None and len(mines) else default_gazetteer()
    share = share_lookup_from_table(calc_share_lookup(prod)) if prod is not None else None
    return gaz, share


def _report_problems(problems: list, limit: int = 50) -> None:
    errors = [p for p in problems if p.level == "error"]
    for p in problems[:limit]:
        err_console.print(str(p), style="red" if p.level == "error" else "yellow", markup=False,
                          highlight=False)
    if len(problems) > limit:
        err_console.print(f"… and {len(problems) - limit} more problems")
    if errors:
        err_console.print(f"{len(errors)} line(s) skipped", style="red")


# ----------------------------------------------------------------------------- commands


@events_app.command("extract", help="Extract risk events from articles: one output line per input id.")
def extract_cmd(
    input: Annotated[str, typer.Option("--input", "-i", help="Articles: JSON lines (id, title, text, "
                                       "lang?, published?, url?), an RSS/Atom feed or an HTML page "
                                       "(file or URL).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write EVENTS.jsonl.")],
    db: DbOption = None,
) -> None:
    """Extract events; bad input lines are reported with their line numbers and skipped."""
    from reslog.intel.text.extract import extract_file
    from reslog.intel.text.model import load_or_train

    gaz, share = _context(db)
    try:
        model = load_or_train()
    except FileNotFoundError as e:
        raise ReslogError(f"{e}; the text model is trained from the bundled corpus") from e
    rep = extract_file(input, output, model=model, gazetteer=gaz, share_lookup=share)
    _report_problems(rep.problems)
    console.print(f"{rep.n_written} event records written to {output} "
                  f"({rep.n_read} articles read, {sum(p.level == 'error' for p in rep.problems)} bad lines)")


@events_app.command("ingest", help="De-duplicate extracted events and store them in the warehouse "
                                   "(risk_events, with provenance).")
def ingest_cmd(
    events: Annotated[Path, typer.Argument(help="EVENTS.jsonl written by `reslog events extract`.")],
    db: DbOption = None,
    max_days: Annotated[int, typer.Option(help="Largest date gap (days) between reports of one event.")] = 7,
) -> None:
    """Merge articles about one event and ingest the events in one transaction."""
    from reslog.intel.text.dedup import deduplicate
    from reslog.intel.text.persist import build_parsed, read_events_jsonl

    evs, problems = read_events_jsonl(events)
    _report_problems(problems)
    if not evs:
        raise InputError(events, "no valid event record to ingest")
    merged = deduplicate(evs, [e.snippet or e.title for e in evs], max_days=max_days)
    parsed = build_parsed(merged, events)
    wh = open_warehouse(db)
    try:
        res = wh.ingest(parsed, kind="text_events")
    finally:
        wh.close()
    if res.skipped:
        console.print(f"{events} was already ingested (ledger #{res.ledger_id}); nothing to do")
    else:
        console.print(f"{len(evs)} article records → {len(merged)} events stored "
                      f"(ledger #{res.ledger_id})")


@events_app.command("evaluate", help="Held-out evaluation on the bundled corpus (split by event cluster).")
def evaluate_cmd(
    markdown: Annotated[Optional[Path], typer.Option("--markdown", help="Write the result as Markdown here.")] = None,
    test_share: Annotated[float, typer.Option(help="Share of event clusters held out.")] = 0.2,
    folds: Annotated[int, typer.Option(help="Folds for the whole-corpus out-of-fold de-dup score (0 = skip).")] = 5,
    errors: Annotated[bool, typer.Option(help="List the held-out errors.")] = False,
) -> None:
    """Train on the training split, measure on the held-out split, print (and write) the tables."""
    from reslog.intel.text.evaluate import evaluate_corpus, render_markdown

    r = evaluate_corpus(test_share=test_share, oof_folds=folds)
    md = render_markdown(r)
    console.print(md, markup=False, highlight=False)
    if errors:
        console.print(r.errors.to_string(), markup=False, highlight=False)
    if markdown is not None:
        markdown.write_text(md + "\n", encoding="utf-8")
        console.print(f"written to {markdown}")


@events_app.command("alerts", help="Match events against watch-lists (countries, commodities, mines, "
                                   "suppliers) and print alert records as JSON lines.")
def alerts_cmd(
    watchlist: Annotated[Path, typer.Option("--watchlist", "-w", help="Watch-list file (.json or .toml).")],
    events: Annotated[Optional[Path], typer.Option("--events", help="EVENTS.jsonl (default: the "
                                                   "warehouse risk_events).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write alerts here (JSON lines).")] = None,
    db: DbOption = None,
) -> None:
    """Alerts for every event that touches a watch-list, most severe first."""
    from reslog.intel.text.alerts import calc_alerts, read_watchlist
    from reslog.intel.text.persist import read_events_jsonl

    wls = read_watchlist(watchlist)
    if events is not None:
        evs, problems = read_events_jsonl(events)
        _report_problems(problems)
        items: list[Any] = evs
    else:
        wh = open_warehouse(db, read_only=True)
        try:
            df = wh.query("SELECT * FROM risk_events")
        finally:
            wh.close()
        df = df.astype(object).where(df.notna(), None)
        for c in ("start_time", "end_time"):
            df[c] = df[c].map(lambda v: str(v)[:10] if v is not None else None)
        items = df.to_dict("records")
    alerts = calc_alerts(items, wls)
    lines = [json.dumps(a.to_record(), ensure_ascii=False) for a in alerts]
    if output is not None:
        output.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
        console.print(f"{len(alerts)} alerts written to {output}")
    else:
        for x in lines:
            sys.stdout.write(x + "\n")


@events_app.command("train", help="Train the text model from the bundled corpus and cache it.")
def train_cmd() -> None:
    """Retrain now (normally done automatically at first use)."""
    from reslog.intel.text.model import cache_dir, load_or_train

    m = load_or_train(retrain=True)
    console.print(f"trained on {m.n_train} articles (key {m.trained_on}); cache: {cache_dir()}")


def register(app: typer.Typer) -> None:
    """Add the ``events`` command group to the root app."""
    app.add_typer(events_app, name="events")


# ----------------------------------------------------------------------------- demo


def demo_frame(db_path: Path | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Extract and de-duplicate the bundled sample articles; return (per-article, events) frames.

    The events frame lists each event next to the mine it hit (name from ``mine_sites``) and the
    country's share of world mine production of the commodity (from ``production``).
    """
    from reslog.intel.text.dedup import deduplicate
    from reslog.intel.text.extract import extract_events
    from reslog.intel.text.ingest import read_jsonl
    from reslog.intel.text.severity import calc_share_lookup
    from reslog.schema import country_name

    mines, prod = _warehouse_frames(db_path)
    gaz, share = _context(db_path)
    arts, _ = read_jsonl(SAMPLE_ARTICLES)
    evs = extract_events(arts, gazetteer=gaz, share_lookup=share)
    per_article = pd.DataFrame([{
        "id": e.id, "lang": e.lang, "event_type": e.event_type, "country": e.country,
        "commodity": e.commodity, "mine_id": e.mine_id, "severity": e.severity,
        "confidence": e.confidence, "title": e.title[:70]} for e in evs])
    merged = deduplicate(evs, [e.snippet for e in evs])
    shares = calc_share_lookup(prod) if prod is not None else {}
    mine_names = dict(zip(mines["mine_id"], mines["name"])) if mines is not None else {}
    rows = []
    for m in merged:
        s = shares.get((m.country, m.commodity)) if m.country and m.commodity else None
        rows.append({
            "date": m.start_time, "event_type": m.event_type,
            "country": f"{country_name(m.country)} ({m.country})" if m.country else None,
            "commodity": m.commodity, "mine": mine_names.get(m.mine_id, m.mine_id),
            "world_share_of_country": None if s is None else round(100 * s, 1),
            "severity": m.severity, "confidence": m.confidence, "sources": len(m.members),
            "languages": "+".join(m.langs), "title": m.title[:80]})
    events = pd.DataFrame(rows)
    if len(events):
        events = events.sort_values(["severity", "date"], ascending=[False, True]).reset_index(drop=True)
    return per_article, events


def demo_section(db_path: Path | None) -> str:
    """Plain-text demo section: events from the bundled sample articles next to their mines/countries."""
    per_article, events = demo_frame(db_path)
    n_lang = per_article["lang"].value_counts().to_dict() if len(per_article) else {}
    head = (f"Risk events from {len(per_article)} sample articles "
            f"({n_lang.get('en', 0)} English, {n_lang.get('ja', 0)} Japanese) → "
            f"{len(events)} de-duplicated events\n")
    if events.empty:
        return head
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        return head + events.drop(columns=["title"]).to_string(index=False)


def _txt(v: object) -> str:
    """A cell for the console: missing (None, NaN, pd.NA, empty) → "—", never "nan"."""
    if v is None or v is pd.NA or (isinstance(v, float) and v != v) or str(v).strip() == "":
        return "—"
    return str(v)


def demo_sections(db_path: Path | None, console: Console) -> list:  # -> list[Section]
    """Report sections and console output for ``reslog demo``."""
    from reslog.report.html import Section

    per_article, events = demo_frame(db_path)
    t = Table(title="Risk events extracted from the sample news (EN + JA), de-duplicated")
    for c in ("date", "type", "country", "commodity", "mine", "share %", "sev.", "src", "lang"):
        t.add_column(c)
    for r in events.itertuples(index=False):
        t.add_row(_txt(r.date), r.event_type, _txt(r.country), _txt(r.commodity), _txt(r.mine),
                  "—" if r.world_share_of_country is None or pd.isna(r.world_share_of_country)
                  else f"{r.world_share_of_country:.1f}", f"{r.severity:.2f}", str(r.sources), r.languages)
    console.print(t)
    return [Section(
        "Watch: risk events from news text (English and Japanese)",
        f"{len(per_article)} sample articles written for the demo (data/sample_articles.jsonl) were "
        "classified into the risk taxonomy, located (country, mine from the warehouse mine_sites), "
        "scored (severity rules in docs/text-intel.md) and de-duplicated across languages. "
        "'world_share_of_country' is the country's share of world mine production of the "
        "commodity in the warehouse production table.",
        table=events)]
