"""Exposure explorer: origin breakdown by country and risk type (stacked horizontal bars)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

RISK_COLORS = ("#b2182b", "#ef8a62", "#67a9cf", "#2166ac", "#8073ac", "#e08214", "#5aae61",
               "#878787", "#c51b7d", "#35978f")


def origin_breakdown_figure(table: pd.DataFrame, *, value: str = "exposure", names: Mapping[str, str] | None = None,
                            risk_names: Mapping[str, str] | None = None, value_label: str = "",
                            top: int = 15, height: int = 520, barmode: str = "stack"):
    """Stacked bars: one bar per origin country, one segment per risk type.

    Parameters
    ----------
    table : DataFrame
        Long table with ``country``, ``risk_type`` and the ``value`` column
        (e.g. :func:`reslog.model.product.calc_risk_exposure`).
    top : the ``top`` countries by total value are shown (largest at the top).
    barmode : ``stack`` when the segments add up (metals), ``group`` when they do not (risk types).
    """
    import plotly.graph_objects as go

    names = dict(names or {})
    risk_names = dict(risk_names or {})
    t = table.dropna(subset=[value])
    tot = t.groupby("country")[value].sum().sort_values(ascending=False).head(top)
    order = list(tot.index[::-1])
    fig = go.Figure()
    for n, (rt, grp) in enumerate(t[t["country"].isin(order)].groupby("risk_type", sort=False)):
        g = grp.set_index("country")[value].reindex(order).fillna(0.0)
        fig.add_trace(go.Bar(
            y=[names.get(c, c) for c in order], x=g.tolist(), orientation="h",
            name=risk_names.get(str(rt), str(rt)), marker_color=RISK_COLORS[n % len(RISK_COLORS)],
            hovertemplate="%{y}: %{x:,.3g}<extra>" + risk_names.get(str(rt), str(rt)) + "</extra>"))
    fig.update_layout(barmode=barmode, template="plotly_white", height=height,
                      xaxis_title=value_label, margin={"l": 10, "r": 10, "t": 10, "b": 40},
                      legend={"orientation": "h", "y": -0.15})
    return fig


def origin_share_figure(shares: pd.DataFrame, *, names: Mapping[str, str] | None = None,
                        value_label: str = "", top: int = 15, height: int = 420):
    """Horizontal bars of a quantity by origin country (``country``, ``value``)."""
    import plotly.graph_objects as go

    names = dict(names or {})
    s = shares.dropna(subset=["value"]).sort_values("value", ascending=False).head(top)[::-1]
    fig = go.Figure(go.Bar(y=[names.get(c, c) for c in s["country"]], x=s["value"].tolist(),
                           orientation="h", marker_color="#2c7fb8",
                           hovertemplate="%{y}: %{x:,.3g}<extra></extra>"))
    fig.update_layout(template="plotly_white", height=height, xaxis_title=value_label,
                      margin={"l": 10, "r": 10, "t": 10, "b": 40})
    return fig
