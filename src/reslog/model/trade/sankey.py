"""Sankey links mine country → refining country → consuming country.

:func:`calc_sankey_links` turns a :class:`~reslog.model.trade.tracing.TraceResult` into
three-column links (origin, via, consumer, tonnes) keeping the ``top`` countries of each column
and grouping the rest as "Other". Drawing them is the presentation layer's job
(:mod:`reslog.figures.sankey`).
"""

from __future__ import annotations

import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.trade.tracing import UNTRACED, TraceResult

OTHER = "Other"


def calc_sankey_links(result: TraceResult, stage: str | None = None, top: int = 12) -> pd.DataFrame:
    """Links ``origin, via, consumer, quantity_t`` of the consumption of ``stage`` (default last).

    Countries outside the ``top`` largest of each column become ``Other``. Flows without a
    ``via`` country (no via stage in the chain) use the consumer's own name.
    """
    st = stage or result.stages[-1]
    a = result.attribution[result.attribution["stage"] == st].copy()
    if a.empty:
        raise ModelInputError(f"nothing was consumed at stage {st!r}: no Sankey to draw")
    a["via"] = a["via"].where(a["via"] != "", a["consumer"])
    for col in ("origin", "via", "consumer"):
        keep = a.groupby(col)["quantity_t"].sum().nlargest(top).index
        a[col] = a[col].where(a[col].isin(keep) | (a[col] == UNTRACED), OTHER)
    return a.groupby(["origin", "via", "consumer"], as_index=False)["quantity_t"].sum()
