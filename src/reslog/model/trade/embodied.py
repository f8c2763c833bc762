r"""Embodied-metal trade: bilateral flows of contained metal per metal, stage and year.

For a shipment of item :math:`k` from :math:`i` to :math:`j` in year :math:`t` with mass
:math:`q_{ijkt}` (tonnes) and metal fraction :math:`w_{km}` (kg/kg, from
:mod:`reslog.model.trade.metal_content`),

.. math:: f_{ijmt}^{(s)} = \sum_{k \in K_{m}^{(s)}} q_{ijkt}\, w_{km}

where :math:`K_m^{(s)}` are the codes of stage :math:`s` of metal :math:`m`. ``low``/``high``
bounds use the content table's ranges. Rows whose content entry is restricted to some
exporters (``exporters`` column, e.g. spodumene under 2530.90) count only for those exporters.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError


def _hs6(k: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(k):
        return k.astype(np.int64).astype(str).str.zfill(6)
    return k.astype(str).str.strip().str.zfill(6)


def calc_embodied_flows(trade: pd.DataFrame, content: pd.DataFrame, metal: str | None = None,
                        *, quantity: str = "q", missing: str = "error") -> pd.DataFrame:
    """Contained-metal flows from item-level trade.

    Parameters
    ----------
    trade : DataFrame
        ``t, exporter, importer, k`` and the quantity column (tonnes). ``k`` is the HS6 code
        (BACI integer or 6-digit string). Exporter/importer labels are used as given (ISO3 in
        the CLI).
    content : DataFrame
        Metal-content rows *of the trade's HS edition* (``metal_content_table(revision)``):
        ``hs6, metal, stage, fraction, low, high, exporters``.
    metal : keep one metal (``None`` = every metal in ``content``).
    quantity : the quantity column (``q`` raw, ``q_clean`` cleaned).
    missing : ``error`` (default) raises on a missing quantity of a metal-bearing item;
        ``drop`` leaves such rows out and records their count in ``result.attrs['dropped']``.

    Returns
    -------
    DataFrame
        ``t, exporter, importer, hs6, metal, stage, q_t, metal_t, metal_low_t, metal_high_t``,
        one row per shipment and metal it carries.
    """
    need = {"t", "exporter", "importer", "k", quantity}
    if not need <= set(trade.columns):
        raise ModelInputError(f"trade block lacks {sorted(need - set(trade.columns))}")
    if missing not in ("error", "drop"):
        raise ModelInputError(f"missing must be 'error' or 'drop', got {missing!r}")
    cont = content if metal is None else content[content["metal"] == metal]
    if metal is not None and cont.empty:
        raise ModelInputError(f"no metal-content rows for {metal!r} in this HS edition")
    df = trade[["t", "exporter", "importer", "k", quantity]].copy()
    df["hs6"] = _hs6(df["k"])
    df = df[df["hs6"].isin(set(cont["hs6"]))]
    m = df.merge(cont[["hs6", "metal", "stage", "fraction", "low", "high", "exporters"]],
                 on="hs6", how="inner")
    restricted = m["exporters"] != ""
    if restricted.any():
        allowed = m.loc[restricted, "exporters"].str.split(";")
        ok = [str(e) in a for e, a in zip(m.loc[restricted, "exporter"], allowed)]
        keep = np.ones(len(m), dtype=bool)
        keep[np.flatnonzero(restricted.to_numpy())] = ok
        m = m[keep]
    q = m[quantity].to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(q) | (q < 0)
    dropped = 0
    if bad.any():
        neg = q[bad] < 0
        r = m[bad].iloc[0]
        if neg.any() or missing == "error":
            raise ModelInputError(
                f"trade block: {'negative' if neg.any() else 'missing'} quantity '{quantity}' for "
                f"t={r['t']}, {r['exporter']}→{r['importer']}, HS {r['hs6']} ({int(bad.sum())} "
                "row(s)); clean the trade first (reslog trade clean) or pass missing='drop'")
        dropped = int(bad.sum())
        m, q = m[~bad], q[~bad]
    out = pd.DataFrame({
        "t": m["t"].to_numpy(), "exporter": m["exporter"].to_numpy(),
        "importer": m["importer"].to_numpy(), "hs6": m["hs6"].to_numpy(),
        "metal": m["metal"].to_numpy(), "stage": m["stage"].to_numpy(), "q_t": q,
        "metal_t": q * m["fraction"].to_numpy(float), "metal_low_t": q * m["low"].to_numpy(float),
        "metal_high_t": q * m["high"].to_numpy(float),
    })
    out.attrs["dropped"] = dropped
    return out


def aggregate_flows(flows: pd.DataFrame, by: Sequence[str] = ("t", "metal", "stage", "exporter",
                                                              "importer")) -> pd.DataFrame:
    """Sum embodied flows over HS items: one row per (year, metal, stage, exporter, importer)."""
    cols = [c for c in ("q_t", "metal_t", "metal_low_t", "metal_high_t") if c in flows.columns]
    return flows.groupby(list(by), as_index=False, sort=True)[cols].sum()


def flows_to_matrix(flows: pd.DataFrame, countries: Sequence[str] | None = None,
                    value: str = "metal_t") -> pd.DataFrame:
    """Square exporter × importer matrix of ``value`` (sum over items, years and stages given).

    ``countries`` fixes the order (and adds zero rows/columns); flows with a country outside it
    raise :class:`ModelInputError`.
    """
    piv = flows.groupby(["exporter", "importer"])[value].sum()
    labels = sorted(set(piv.index.get_level_values(0)) | set(piv.index.get_level_values(1)))
    if countries is not None:
        extra = sorted(set(labels) - set(countries))
        if extra:
            raise ModelInputError(f"flows name countries outside the given list: {extra[:10]}")
        labels = list(countries)
    mat = piv.unstack(fill_value=0.0).reindex(index=labels, columns=labels, fill_value=0.0)
    return mat.astype(float)
