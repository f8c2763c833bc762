"""Severity of a risk event in [0, 1] from documented rules.

.. math::

    s = b_t + (1 - b_t)\\left[1 - \\prod_i (1 - w_{t,i}\\, x_i)\\right]

where :math:`b_t` is the base severity of event type :math:`t` (:data:`BASE`) and the
:math:`x_i \\in [0, 1]` are impact components, combined like independent probabilities so
that each adds to but never pushes the result past 1:

=================  ===========================================================  ==========
component          :math:`x_i`                                                  half-point
=================  ===========================================================  ==========
casualties         :math:`1 - e^{-d/10}` for :math:`d` deaths                    7 deaths
volume released    :math:`\\log_{10}(V/10^3) / 5`, clipped to [0, 1], V in m³    316,000 m³
duration           :math:`1 - e^{-D/30}` for :math:`D` days                      21 days
supply share       :math:`\\min(1, S / 0.5)` for world-supply share :math:`S`     25 %
=================  ===========================================================  ==========

Weights :math:`w_{t,i}` (:data:`WEIGHTS`) are 1 for casualties and volume; duration 0.6;
supply share 0.8 for supply-channel event types (strikes, accidents, export bans …) and 0.3
for social and environmental types (artisanal mining, pollution, human rights) whose harm is
not a supply loss. ``none`` events have severity 0. The supply share is that of the matched
mine when known, else of the country, in world mine production of the commodity, supplied by
the caller (:func:`calc_share_lookup` builds it from the warehouse ``production`` table).

Example: a tailings-dam failure (b = 0.5) with 7 deaths and 12 Mm³ released:
x_cas = 0.50, x_vol = 0.82 → s = 0.5 + 0.5 · (1 − 0.50 · 0.18) = 0.955.
"""

from __future__ import annotations

import math
from typing import Callable

import pandas as pd

from reslog.schema import EVENT_TYPES

BASE: dict[str, float] = {
    "tailings_failure": 0.50, "mine_accident": 0.35, "armed_conflict": 0.40,
    "export_restriction": 0.40, "sanctions": 0.35, "natural_hazard": 0.30, "labour_unrest": 0.25,
    "community_conflict": 0.25, "regulatory_change": 0.25, "logistics_disruption": 0.30,
    "pollution": 0.30, "asgm": 0.25, "human_rights": 0.30, "production_disruption": 0.35, "none": 0.0,
}
WEIGHTS: dict[str, float] = {"casualties": 1.0, "volume": 1.0, "duration": 0.6,
                             "share_supply": 0.8, "share_other": 0.3}

ShareLookup = Callable[[str | None, str | None, str | None], float | None]
"""``lookup(country, commodity, mine_id) -> share of world supply in [0, 1] or None``."""


def calc_casualty_component(deaths: float | None) -> float:
    """:math:`1 - e^{-d/10}` (0 when unknown)."""
    return 0.0 if not deaths or deaths <= 0 else 1.0 - math.exp(-deaths / 10.0)


def calc_volume_component(release_m3: float | None) -> float:
    """:math:`\\log_{10}(V/1000)/5` clipped to [0, 1] (0 when unknown)."""
    if not release_m3 or release_m3 <= 1000:
        return 0.0
    return min(1.0, math.log10(release_m3 / 1e3) / 5.0)


def calc_duration_component(days: float | None) -> float:
    """:math:`1 - e^{-D/30}` (0 when unknown)."""
    return 0.0 if not days or days <= 0 else 1.0 - math.exp(-days / 30.0)


def calc_share_component(share: float | None) -> float:
    """:math:`\\min(1, S/0.5)` (0 when unknown)."""
    if share is None or not share == share or share <= 0:
        return 0.0
    return min(1.0, share / 0.5)


def calc_severity(event_type: str, deaths: float | None = None, release_m3: float | None = None,
                  duration_days: float | None = None, supply_share: float | None = None) -> float:
    """Severity in [0, 1] (see module docstring).

    Raises
    ------
    ValueError
        For an event type outside the taxonomy.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    if event_type == "none":
        return 0.0
    b = BASE[event_type]
    supply = EVENT_TYPES[event_type].channel == "supply"
    comps = [
        WEIGHTS["casualties"] * calc_casualty_component(deaths),
        WEIGHTS["volume"] * calc_volume_component(release_m3),
        WEIGHTS["duration"] * calc_duration_component(duration_days),
        WEIGHTS["share_supply" if supply else "share_other"] * calc_share_component(supply_share),
    ]
    rest = 1.0
    for c in comps:
        rest *= 1.0 - min(max(c, 0.0), 1.0)
    return round(min(1.0, max(0.0, b + (1.0 - b) * (1.0 - rest))), 4)


def calc_share_lookup(production: pd.DataFrame, stage: str = "mine") -> dict[tuple[str, str], float]:
    """Country shares of world production per commodity, latest year per commodity.

    Parameters
    ----------
    production : DataFrame
        The warehouse ``production`` table (country, commodity, year, stage, quantity, unit).
        The world total is the ``WLD`` row when present, else the sum over countries (``ROW``
        included).
    stage : str
        ``mine`` or ``refined``.

    Returns
    -------
    dict
        ``(iso3, commodity) -> share`` in [0, 1].
    """
    need = {"country", "commodity", "year", "stage", "quantity"}
    if production is None or production.empty or not need <= set(production.columns):
        return {}
    p = production[(production["stage"] == stage) & production["quantity"].notna()]
    out: dict[tuple[str, str], float] = {}
    for com, g in p.groupby("commodity"):
        yr = g["year"].max()
        g = g[g["year"] == yr]
        wld = g.loc[g["country"] == "WLD", "quantity"]
        total = float(wld.iloc[0]) if len(wld) else float(g.loc[g["country"] != "WLD", "quantity"].sum())
        if total <= 0:
            continue
        for r in g.itertuples(index=False):
            if r.country in ("WLD", "ROW"):
                continue
            out[(str(r.country), str(com))] = min(1.0, float(r.quantity) / total)
    return out


def share_lookup_from_table(shares: dict[tuple[str, str], float],
                            mine_shares: dict[str, float] | None = None) -> ShareLookup:
    """A :data:`ShareLookup` over country shares and optional per-mine shares."""
    mine_shares = mine_shares or {}

    def lookup(country: str | None, commodity: str | None, mine_id: str | None) -> float | None:
        if mine_id and mine_id in mine_shares:
            return mine_shares[mine_id]
        if country and commodity:
            return shares.get((country, commodity))
        return None

    return lookup
