"""Sankey of a metal from mine through refining to consumption (plotly figure dict and offline HTML).

Built once here and used by the HTML report, the CLI and the dashboard. Input is the link table of
:func:`reslog.model.trade.sankey.calc_sankey_links` (columns origin, via, consumer, quantity_t).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def sankey_figure(links: pd.DataFrame, title: str = "", labels: dict[str, str] | None = None):
    """Plotly Sankey figure from :func:`calc_sankey_links` output (three node columns)."""
    import plotly.graph_objects as go

    labels = labels or {}
    cols = ("origin", "via", "consumer")
    nodes: list[tuple[str, str]] = []
    for c in cols:
        order = links.groupby(c)["quantity_t"].sum().sort_values(ascending=False).index
        nodes += [(c, v) for v in order]
    pos = {n: k for k, n in enumerate(nodes)}
    src, dst, val = [], [], []
    for a, b in (("origin", "via"), ("via", "consumer")):
        g = links.groupby([a, b])["quantity_t"].sum()
        for (x, y), q in g.items():
            if q > 0:
                src.append(pos[(a, x)])
                dst.append(pos[(b, y)])
                val.append(float(q))
    xs = {"origin": 0.01, "via": 0.5, "consumer": 0.99}
    col_of = [c for c, _ in nodes]
    counts = {c: col_of.count(c) for c in cols}
    ys, seen = [], {c: 0 for c in cols}
    for c, _v in nodes:
        seen[c] += 1
        ys.append(float(np.clip(seen[c] / (counts[c] + 1), 0.01, 0.99)))
    names = {"origin": "mine", "via": "refining", "consumer": "consumption"}
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=[f"{labels.get(v, v)}" for _c, v in nodes], pad=12, thickness=14,
                  x=[xs[c] for c, _ in nodes], y=ys,
                  customdata=[names[c] for c, _ in nodes],
                  hovertemplate="%{label} (%{customdata}): %{value:,.0f} t<extra></extra>"),
        link=dict(source=src, target=dst, value=val,
                  hovertemplate="%{source.label} → %{target.label}: %{value:,.0f} t<extra></extra>"),
    ))
    fig.update_layout(title=title, font=dict(size=12))
    return fig


def sankey_html(links: pd.DataFrame, title: str = "", labels: dict[str, str] | None = None) -> str:
    """Self-contained HTML (plotly.js inline, no external script, no MathJax)."""
    fig = sankey_figure(links, title, labels)
    return fig.to_html(full_html=True, include_plotlyjs=True, include_mathjax=False,
                       config={"displaylogo": False})


def sankey_div(links: pd.DataFrame, title: str = "", labels: dict[str, str] | None = None,
               include_plotlyjs: bool = False) -> str:
    """The Sankey as an HTML fragment for a report that carries plotly.js once."""
    fig = sankey_figure(links, title, labels)
    return fig.to_html(full_html=False, include_plotlyjs=include_plotlyjs, include_mathjax=False,
                       config={"displaylogo": False})
