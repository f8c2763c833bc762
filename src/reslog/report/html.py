"""Write a self-contained HTML report from titled sections (tables, text, inline figures)."""

from __future__ import annotations

import datetime as _dt
import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from reslog import __version__


@dataclass
class Section:
    """One report section: a title, an explanation, optional table, optional raw HTML (figures)."""

    title: str
    text: str = ""
    table: pd.DataFrame | None = None
    html: str = ""
    notes: list[str] = field(default_factory=list)


def format_number(v: float) -> str:
    """Readable number: thousands separators for large values, 4 significant digits otherwise."""
    if v != v:  # NaN
        return "—"
    if abs(v) >= 1e4:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def _table_html(df: pd.DataFrame) -> str:
    return df.to_html(index=False, classes="data", border=0, na_rep="—", escape=True,
                      float_format=format_number)


def write_report(path: str | Path, title: str, sections: list[Section], ledger: pd.DataFrame) -> Path:
    """Render ``sections`` and the provenance ``ledger`` to one HTML file at ``path``."""
    env = Environment(loader=PackageLoader("reslog", "report/templates"),
                      autoescape=select_autoescape(["html"]))
    tpl = env.get_template("report.html")
    rendered = [
        {"title": s.title, "text": s.text, "table": _table_html(s.table) if s.table is not None else "",
         "html": s.html, "notes": s.notes}
        for s in sections
    ]
    led = ledger[["ledger_id", "kind", "source", "version", "licence", "citation", "sha256", "rows",
                  "ingested_at"]].copy() if len(ledger) else ledger
    out = tpl.render(title=title, sections=rendered, ledger=_table_html(led) if len(led) else "",
                     version=__version__,
                     generated=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                     escape=html.escape)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out, encoding="utf-8")
    return path
