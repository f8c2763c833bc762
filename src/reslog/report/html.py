"""Write a self-contained HTML report from titled sections (tables, text, inline figures).

Tables never print "nan": every missing value is "—". A ``source``/``sources`` column is moved
out of the table into a compact numbered footnote under it ("[1] …"), with a narrow reference
column left only when rows differ in their sources. plotly.js is embedded once per report, however
many figures there are (figures are built with ``include_plotlyjs=False``; no CDN).
"""

from __future__ import annotations

import datetime as _dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from reslog import __version__

MISSING = "—"
SOURCE_COLUMNS = ("source", "sources")
_NAN_TEXT = {"nan", "none", "<na>", "nat", "null"}
_NAN_WORD = __import__("re").compile(r"\b(nan|NaN|None)\b")


@dataclass
class Section:
    """One report section: a title, an explanation, optional table, optional raw HTML (figures),
    notes (footnotes) printed under it."""

    title: str
    text: str = ""
    table: pd.DataFrame | None = None
    html: str = ""
    notes: list[str] = field(default_factory=list)


def format_number(v: float) -> str:
    """Readable number: thousands separators for large values, 4 significant digits otherwise."""
    if v is None or v != v:  # NaN
        return MISSING
    if abs(v) >= 1e4:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def _cell(v: object) -> object:
    if v is None or v is pd.NA or v is pd.NaT:
        return MISSING
    if isinstance(v, float):
        return MISSING if v != v else format_number(v)
    if isinstance(v, str) and (v.strip().lower() in _NAN_TEXT or not v.strip()):
        return MISSING
    return v


def clean_missing(df: pd.DataFrame) -> pd.DataFrame:
    """Every missing value (NaN, None, pd.NA, the strings "nan"/"None") as "—"; numbers formatted."""
    out = df.copy()
    for c in out.columns:
        out[c] = [_cell(v) for v in out[c].tolist()]
    return out


def clean_text(text: str) -> str:
    """Section text and notes: a stray "nan"/"None" word (a missing value formatted into a sentence)
    becomes "—"."""
    return _NAN_WORD.sub(MISSING, text or "")


def split_sources(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Move source columns into numbered footnotes.

    Each distinct source (cells split on "|") gets a number. When every row has the same sources
    the column is dropped; otherwise it becomes a narrow ``src`` column of numbers ("1, 3").

    Returns
    -------
    (DataFrame, list of str)
        The table without the wide column, and the footnote lines "[n] source".
    """
    cols = [c for c in df.columns if str(c).lower() in SOURCE_COLUMNS]
    if not cols:
        return df, []
    order: dict[str, int] = {}
    refs: list[str] = []
    for _, r in df[cols].iterrows():
        nums = []
        for c in cols:
            v = r[c]
            if v is None or (isinstance(v, float) and v != v):
                continue
            for part in str(v).split("|"):
                part = part.strip()
                if not part or part.lower() in _NAN_TEXT:
                    continue
                if part not in order:
                    order[part] = len(order) + 1
                nums.append(order[part])
        refs.append(", ".join(str(n) for n in sorted(set(nums))) or MISSING)
    out = df.drop(columns=cols)
    if len(set(refs)) > 1:
        out = out.assign(src=refs)
    notes = [f"[{n}] {s}" for s, n in order.items()]
    return out, notes


def _table_html(df: pd.DataFrame) -> str:
    return clean_missing(df).to_html(index=False, classes="data", border=0, na_rep=MISSING, escape=True)


_PLOTLY_CALL = re.compile(r"Plotly\.newPlot")


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return f'<script type="text/javascript">{get_plotlyjs()}</script>'


def write_report(path: str | Path, title: str, sections: list[Section], ledger: pd.DataFrame) -> Path:
    """Render ``sections`` and the provenance ``ledger`` to one HTML file at ``path``."""
    env = Environment(loader=PackageLoader("reslog", "report/templates"),
                      autoescape=select_autoescape(["html"]))
    tpl = env.get_template("report.html")
    rendered = []
    for s in sections:
        table, notes = "", list(s.notes)
        if s.table is not None:
            t, src_notes = split_sources(s.table)
            table = _table_html(t)
            if src_notes:
                notes.append("Sources: " + " ".join(src_notes))
        rendered.append({"title": s.title, "text": clean_text(s.text), "table": table, "html": s.html,
                         "notes": [clean_text(n) for n in notes]})
    needs_plotly = any(_PLOTLY_CALL.search(s["html"]) for s in rendered)
    has_plotly = any("plotly.js v" in s["html"] or "window.PlotlyConfig" in s["html"] for s in rendered)
    led = ledger[["ledger_id", "kind", "source", "version", "licence", "citation", "sha256", "rows",
                  "ingested_at"]].copy() if len(ledger) else ledger
    out = tpl.render(title=title, sections=rendered,
                     ledger=(clean_missing(led).to_html(index=False, classes="data", border=0, escape=True)
                             if len(led) else ""),
                     version=__version__, plotly_js=_plotly_js() if needs_plotly and not has_plotly else "",
                     generated=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                     escape=html.escape)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out, encoding="utf-8")
    return path
