"""Fingerprint figures: chondrite-normalised REE patterns (spider diagram, median and
inter-quartile band per class) and the 2-D embedding coloured by class."""

from __future__ import annotations

import pandas as pd

from reslog.model.fingerprint.features import REE


def spider_figure(normalised: pd.DataFrame, labels: pd.Series):
    """Median and 25–75 % band of X/X_CI per class, log scale."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for lab in sorted(labels.unique()):
        d = normalised[labels.to_numpy() == lab][list(REE)]
        q1, med, q3 = (d.quantile(q) for q in (0.25, 0.5, 0.75))
        fig.add_trace(go.Scatter(x=list(REE) + list(REE[::-1]), y=list(q3) + list(q1[::-1]),
                                 fill="toself", opacity=0.2, line={"width": 0}, showlegend=False,
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=list(REE), y=med, mode="lines+markers", name=f"{lab} (n={len(d)})"))
    fig.update_yaxes(type="log", title_text="sample / chondrite")
    fig.update_layout(template="plotly_white", height=420, title="Chondrite-normalised REE patterns")
    return fig


def embedding_figure(emb: pd.DataFrame):
    """Scatter of the 2-D embedding, coloured by class, hover = deposit."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for lab, g in emb.groupby("label"):
        fig.add_trace(go.Scatter(x=g["x"], y=g["y"], mode="markers", name=str(lab), text=g["deposit"],
                                 marker={"size": 6, "opacity": 0.75}))
    method = str(emb["method"].iloc[0]).upper() if len(emb) else ""
    fig.update_layout(template="plotly_white", height=440, title=f"{method} embedding of REE features",
                      xaxis_title=f"{method} 1", yaxis_title=f"{method} 2")
    return fig

