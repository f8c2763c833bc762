"""Criticality matrix: supply risk (SR) vs economic importance (EI) with the EU thresholds
(SR ≥ 1, EI ≥ 2.8), as static PNG/SVG (matplotlib, Agg backend) and interactive offline HTML
(plotly, plotly.js inlined — no CDN, no network).

Input: a table with ``commodity``, an SR column and an EI column (e.g. the output of
:func:`reslog.model.criticality.criticality_table`, or published values). Rows lacking either
value cannot be placed and are listed in the figure's note.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.criticality import EI_THRESHOLD, SR_THRESHOLD


def matrix_points(df: pd.DataFrame, sr_col: str = "sr", ei_col: str = "ei") -> tuple[pd.DataFrame, list[str]]:
    """Points with both SR and EI, flagged ``critical``; and the commodities that cannot be placed."""
    for c in ("commodity", sr_col, ei_col):
        if c not in df.columns:
            raise ModelInputError(f"criticality matrix: missing column '{c}'; found {list(df.columns)}")
    keep = ["commodity", sr_col, ei_col] + (["basis"] if "basis" in df.columns else [])
    d = df[keep].rename(columns={sr_col: "sr", ei_col: "ei"}).copy()
    if "basis" not in d.columns:
        d["basis"] = ""
    d["computed"] = d["basis"].astype(str).str.startswith("SR computed")
    d["sr"] = pd.to_numeric(d["sr"], errors="coerce")
    d["ei"] = pd.to_numeric(d["ei"], errors="coerce")
    ok = d["sr"].notna() & d["ei"].notna()
    neg = d.loc[ok & ((d["sr"] < 0) | (d["ei"] < 0)), "commodity"].tolist()
    if neg:
        raise ModelInputError(f"criticality matrix: negative SR/EI for {neg}")
    pts = d[ok].copy()
    pts["critical"] = (pts["sr"] >= SR_THRESHOLD) & (pts["ei"] >= EI_THRESHOLD)
    return pts.reset_index(drop=True), d.loc[~ok, "commodity"].astype(str).tolist()


def write_static(df: pd.DataFrame, path: str | Path, *, sr_col: str = "sr", ei_col: str = "ei",
                 title: str = "Criticality matrix") -> Path:
    """Write PNG or SVG (by suffix) with matplotlib's Agg backend."""
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise ModelInputError(f"criticality matrix: static output must be .png or .svg, got {path.name}")
    pts, missing = matrix_points(df, sr_col, ei_col)
    fig, ax = plt.subplots(figsize=(7, 5.5))
    xmax = max(10.0, float(pts["ei"].max()) * 1.1 if len(pts) else 10.0)
    ymax = max(2.0 * SR_THRESHOLD, float(pts["sr"].max()) * 1.15 if len(pts) else 2.0)
    ax.axvspan(EI_THRESHOLD, xmax, ymin=SR_THRESHOLD / ymax, ymax=1, color="#f4cccc", alpha=0.5, lw=0)
    ax.axvline(EI_THRESHOLD, color="grey", ls="--", lw=1)
    ax.axhline(SR_THRESHOLD, color="grey", ls="--", lw=1)
    colors = np.where(pts["critical"], "#c0392b", "#2c7fb8")
    for comp, marker in ((True, "o"), (False, "D")):
        m = (pts["computed"] == comp).to_numpy()
        if m.any():
            ax.scatter(pts["ei"][m], pts["sr"][m], c=colors[m], s=36 if comp else 28, marker=marker, zorder=3,
                       label="SR computed" if comp else "SR published")
    if pts["computed"].any():
        ax.legend(loc="upper left", fontsize=8)
    for r in pts.itertuples():
        ax.annotate(r.commodity, (r.ei, r.sr), textcoords="offset points", xytext=(4, 3), fontsize=8)
    ax.set_xlim(0, xmax)
    ax.set_ylim(0, ymax)
    ax.set_xlabel(f"Economic importance (EI; threshold {EI_THRESHOLD})")
    ax.set_ylabel(f"Supply risk (SR; threshold {SR_THRESHOLD:g})")
    ax.set_title(title)
    if missing:
        ax.text(0.01, -0.13, "not placed (SR or EI unknown): " + ", ".join(missing[:12])
                + (" …" if len(missing) > 12 else ""), transform=ax.transAxes, fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def matrix_figure(df: pd.DataFrame, *, sr_col: str = "sr", ei_col: str = "ei", title: str = "",
                  labels: dict[str, str] | None = None, names: dict[str, str] | None = None):
    """Interactive plotly figure of the matrix (used by :func:`figure_html` and the dashboard).

    ``labels`` may override the texts ``critical``, ``not_critical``, ``x``, ``y``, ``not_placed``,
    ``computed``, ``published`` (e.g. Japanese); ``names`` maps commodity → display name.
    """
    import plotly.graph_objects as go

    lab = {"critical": "critical", "not_critical": "not critical",
           "x": f"Economic importance (EI; threshold {EI_THRESHOLD})",
           "y": f"Supply risk (SR; threshold {SR_THRESHOLD:g})",
           "not_placed": "not placed (SR or EI unknown)", "computed": "SR computed",
           "published": "SR published", **(labels or {})}
    names = names or {}
    pts, missing = matrix_points(df, sr_col, ei_col)
    fig = go.Figure()
    for crit, key, color in ((True, "critical", "#c0392b"), (False, "not_critical", "#2c7fb8")):
        for comp, symbol, how in ((True, "circle", "SR computed"), (False, "diamond", "SR published")):
            sel = pts["critical"] == crit
            if "computed" in pts:
                sel &= pts["computed"] == comp
            elif not comp:
                continue
            p = pts[sel]
            if p.empty:
                continue
            basis = p["basis"] if "basis" in p else pd.Series([how] * len(p), index=p.index)
            fig.add_trace(go.Scatter(
                x=p["ei"], y=p["sr"], mode="markers+text", text=[names.get(c, c) for c in p["commodity"]],
                customdata=basis, textposition="top right", name=f"{lab[key]}, {lab['computed' if comp else 'published']}", textfont={"size": 9},
                marker={"color": color, "size": 9 if comp else 7, "symbol": symbol},
                hovertemplate="%{text}<br>EI %{x:.2f}<br>SR %{y:.2f}<br>%{customdata}<extra></extra>"))
    fig.add_vline(x=EI_THRESHOLD, line_dash="dash", line_color="grey")
    fig.add_hline(y=SR_THRESHOLD, line_dash="dash", line_color="grey")
    fig.update_layout(title=title or None, xaxis_title=lab["x"], yaxis_title=lab["y"], template="plotly_white")
    fig.update_xaxes(range=[0, max(2 * EI_THRESHOLD, float(pts["ei"].max()) * 1.2 if len(pts) else 0.0)])
    fig.update_yaxes(range=[0, max(2.0 * SR_THRESHOLD, float(pts["sr"].max()) * 1.15 if len(pts) else 0.0)])
    if missing:
        fig.add_annotation(text=f"{lab['not_placed']}: " + ", ".join(names.get(m, m) for m in missing[:20]),
                           xref="paper", yref="paper", x=0, y=-0.18, showarrow=False, font={"size": 10})
    return fig


def sr_bound_figure(table: pd.DataFrame, *, names: dict[str, str] | None = None, x_label: str = "",
                    top: int = 40, height: int = 560, stage_names: dict[str, str] | None = None):
    """Horizontal bars of an upper end of supply risk ``sr_upper`` per commodity (the dashboard
    passes ``sr_computed + sr_gap`` of the criticality table; formerly the EoL-RIR = 0, SI = 1
    bound HHI_WGI), with the SR threshold; computed SR
    where every input is cited is drawn as a dark tick. Input: the criticality table."""
    import plotly.graph_objects as go

    names = names or {}
    d = table.dropna(subset=["sr_upper"]).sort_values("sr_upper", ascending=False).head(top)[::-1]
    stage_names = stage_names or {}
    lab = [names.get(c, c) + (f" ({stage_names.get(s, s)})" if s not in ("mine", "") else "") for c, s in
           zip(d["commodity"], d.get("stage", pd.Series([""] * len(d), index=d.index)))]
    colors = ["#c0392b" if v >= SR_THRESHOLD else "#2c7fb8" for v in d["sr_upper"]]
    fig = go.Figure(go.Bar(y=lab, x=d["sr_upper"].astype(float).tolist(), orientation="h", marker_color=colors,
                           hovertemplate="%{y}: %{x:.2f}<extra></extra>", name="SR upper"))
    if "sr" in d and d["sr"].notna().any():
        s = d[d["sr"].notna()]
        fig.add_trace(go.Scatter(y=[lab[i] for i, ok in enumerate(d["sr"].notna()) if ok], x=s["sr"].tolist(),
                                 mode="markers", marker={"symbol": "line-ns-open", "size": 14, "color": "#111"},
                                 name="SR", hovertemplate="SR %{x:.2f}<extra></extra>"))
    fig.add_vline(x=SR_THRESHOLD, line_dash="dash", line_color="grey")
    fig.update_layout(template="plotly_white", height=height, xaxis_title=x_label, showlegend=False,
                      margin={"l": 10, "r": 10, "t": 10, "b": 40})
    return fig


def figure_html(df: pd.DataFrame, *, sr_col: str = "sr", ei_col: str = "ei",
                title: str = "Criticality matrix", full_html: bool = True,
                include_plotlyjs: bool = True) -> str:
    """Interactive plotly figure as HTML with plotly.js inlined (works offline)."""
    fig = matrix_figure(df, sr_col=sr_col, ei_col=ei_col, title=title)
    fig.update_layout(height=620)
    return fig.to_html(include_plotlyjs=include_plotlyjs, full_html=full_html, config={"displaylogo": False})


def write_matrix(df: pd.DataFrame, path: str | Path, **kwargs: str) -> Path:
    """Write the matrix to ``.html`` (interactive), ``.png`` or ``.svg``."""
    path = Path(path)
    suf = path.suffix.lower()
    if suf in (".html", ".htm"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(figure_html(df, **kwargs), encoding="utf-8")
        return path
    return write_static(df, path, **kwargs)
