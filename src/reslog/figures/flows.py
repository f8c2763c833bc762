"""Flows view: the mine → refining → consumption Sankey with display names (e.g. Japanese).

Drawing is :func:`reslog.figures.sankey.sankey_figure`; this adds the dashboard's node names and
layout so the report and the dashboard show the same figure.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from reslog.figures.sankey import sankey_figure


def flows_figure(links: pd.DataFrame, *, names: Mapping[str, str] | None = None, title: str = "",
                 height: int = 560):
    """Sankey of ``links`` (``origin, via, consumer, quantity_t``; see
    :func:`reslog.model.trade.sankey.calc_sankey_links`) with ``names`` for the node labels."""
    fig = sankey_figure(links, title, dict(names or {}))
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10})
    return fig
