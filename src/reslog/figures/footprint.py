"""Footprint by origin as horizontal bars: which mining countries carry a product's (or a final
demand's) material requirement, one bar group per product or scenario.

Built once here, used by the HTML report and the dashboard. Input: a table of shares or amounts
by origin country, one column per product (e.g. ``icev``, ``bev``), as from
:meth:`reslog.model.product.ProductFootprint.by_country`.
"""

from __future__ import annotations

import pandas as pd

from reslog.errors import ModelInputError

PALETTE = ("#2c7fb8", "#d95f0e", "#1b9e77", "#7570b3", "#e7298a")


def footprint_bars_frame(by_origin: pd.DataFrame, top: int = 12) -> pd.DataFrame:
    """The ``top`` origins by the first column, the rest summed as "Other"; NaN read as 0.

    Raises
    ------
    ModelInputError
        No numeric column, or negative values.
    """
    if by_origin.empty or not len(by_origin.columns):
        raise ModelInputError("footprint bars: the table is empty")
    d = by_origin.apply(pd.to_numeric, errors="coerce").fillna(0.0)
    if (d < 0).any().any():
        raise ModelInputError(f"footprint bars: negative values for {d.index[(d < 0).any(axis=1)].tolist()}")
    d = d.sort_values(d.columns[0], ascending=False)
    head, rest = d.iloc[:top], d.iloc[top:]
    if len(rest):
        head = pd.concat([head, rest.sum().to_frame("Other").T])
    return head


def footprint_bars_figure(by_origin: pd.DataFrame, *, title: str = "", unit: str = "% of total",
                          labels: dict[str, str] | None = None, top: int = 12):
    """Plotly grouped horizontal bars, largest origin on top."""
    import plotly.graph_objects as go

    d = footprint_bars_frame(by_origin, top)
    labels = labels or {}
    names = [labels.get(str(c), str(c)) for c in d.index]
    fig = go.Figure()
    for k, col in enumerate(d.columns):
        fig.add_trace(go.Bar(y=names, x=d[col], name=str(col), orientation="h",
                             marker={"color": PALETTE[k % len(PALETTE)]},
                             hovertemplate=f"%{{y}}: %{{x:,.3g}} {unit}<extra>{col}</extra>"))
    fig.update_layout(title=title, barmode="group", template="plotly_white", xaxis_title=unit,
                      yaxis={"autorange": "reversed"}, height=max(320, 28 * len(d) * max(1, len(d.columns))),
                      legend={"orientation": "h", "y": -0.12})
    return fig


def footprint_bars_html(by_origin: pd.DataFrame, *, include_plotlyjs: bool = True, **kwargs: object) -> str:
    """HTML div (plotly.js inlined unless ``include_plotlyjs=False``; never a CDN)."""
    fig = footprint_bars_figure(by_origin, **kwargs)  # type: ignore[arg-type]
    return fig.to_html(full_html=False, include_plotlyjs=bool(include_plotlyjs), include_mathjax=False,
                       config={"displaylogo": False})
