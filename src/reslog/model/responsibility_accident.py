"""Who is responsible for an accident's burden: allocation to final consumers by country.

An accident at a mine in country *o* carries burdens ``b_k`` (deaths, m³ of tailings
released, economic loss …). Two allocation rules, both exact (they conserve every burden):

**Consumer-based** (Munksgaard & Pedersen 2001; the footprint logic): the whole burden goes
to the final consumers of the mine's output, in proportion to the share ``c_d`` of the
origin's output that ends in final demand of country *d* (from trade origin tracing or the
MRIO footprint of the origin's mining sector)::

    R_d = b · c_d                      (Σ_d c_d = 1)

**Shared responsibility** (Lenzen et al. 2007; Gallego & Lenzen 2005): the producer keeps a
fraction α of the burden and consumers share ``1 − α``; Lenzen et al. set α for each agent to
its value added over its *net* output, ``α = v / (x − Z_ii)`` (gross output less the sector's
use of its own output), so a producer that captures most of the value keeps most of the
responsibility. The same α as the MRIO engine's shared-responsibility account
(:func:`reslog.model.io.responsibility.calc_alpha_lenzen`)::

    R_o += α · b;   R_d += (1 − α) · b · c_d

With no IO data, ``alpha=0.5`` splits equally (stated in the output). Country *o* may also
appear among the consumers (domestic final use) and then receives both parts.

References
----------
Munksgaard, J. & Pedersen, K. A. (2001) CO2 accounts for open economies: producer or
consumer responsibility? Energy Policy 29, 327–334.
Gallego, B. & Lenzen, M. (2005) A consistent input–output formulation of shared producer and
consumer responsibility. Economic Systems Research 17, 365–391.
Lenzen, M., Murray, J., Sack, F. & Wiedmann, T. (2007) Shared producer and consumer
responsibility — theory and practice. Ecological Economics 61, 27–42.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError


def _check_shares(consumer_shares: pd.Series) -> pd.Series:
    c = pd.Series(consumer_shares, dtype=float)
    if c.isna().any() or (c < 0).any() or c.sum() <= 0:
        raise ModelInputError("responsibility: consumer shares must be ≥ 0 with a positive sum; "
                              f"offending {c.index[c.isna() | (c < 0)].tolist()}")
    return c / c.sum()


def _check_burdens(burdens: Mapping[str, float]) -> dict[str, float]:
    out = {}
    for k, v in burdens.items():
        if v is None or not np.isfinite(v) or v < 0:
            raise ModelInputError(f"responsibility: burden '{k}' must be a finite number ≥ 0, got {v}")
        out[k] = float(v)
    if not out:
        raise ModelInputError("responsibility: no burden given")
    return out


def allocate_consumer_based(burdens: Mapping[str, float], consumer_shares: pd.Series) -> pd.DataFrame:
    """Consumer-based allocation ``R_d = b · c_d`` (shares renormalised to sum to 1).

    Returns
    -------
    DataFrame
        Indexed by country, one column per burden, sorted by the first burden.
    """
    c = _check_shares(consumer_shares)
    b = _check_burdens(burdens)
    out = pd.DataFrame({k: v * c for k, v in b.items()})
    out.index.name = "country"
    return out.sort_values(next(iter(b)), ascending=False)


def allocate_shared(burdens: Mapping[str, float], producer: str, consumer_shares: pd.Series, *,
                    alpha: float = 0.5) -> pd.DataFrame:
    """Shared producer/consumer allocation (Lenzen et al. 2007), producer keeps ``alpha``.

    Parameters
    ----------
    producer : str
        ISO3 of the country where the accident happened.
    alpha : float
        Producer share in [0, 1]: the mining sector's ``v / (x − Z_ii)`` from the MRIO
        (:func:`alpha_from_io`), or 0.5 without IO data.
    """
    if not 0 <= alpha <= 1:
        raise ModelInputError(f"responsibility: alpha must lie in [0, 1], got {alpha}")
    c = _check_shares(consumer_shares)
    b = _check_burdens(burdens)
    idx = c.index.union([producer])
    out = pd.DataFrame(0.0, index=idx, columns=list(b))
    for k, v in b.items():
        out[k] = (1 - alpha) * v * c.reindex(idx).fillna(0.0)
        out.loc[producer, k] += alpha * v
    out.index.name = "country"
    return out.sort_values(next(iter(b)), ascending=False)


def alpha_from_io(value_added: float, gross_output: float, own_use: float = 0.0) -> float:
    """Producer share ``α = v / (x − Z_ii)`` of the producing sector (Lenzen et al. 2007).

    Parameters
    ----------
    value_added, gross_output : float
        The sector's value added v and gross output x (same money unit).
    own_use : float
        Z_ii, the sector's purchases from itself (0 when the table has none).
    """
    from reslog.model.io.responsibility import calc_alpha_lenzen

    net = gross_output - own_use
    if gross_output <= 0 or own_use < 0 or value_added < 0 or value_added > net * (1 + 1e-9):
        raise ModelInputError(
            f"responsibility: need x > 0, Z_ii ≥ 0 and 0 ≤ v ≤ x − Z_ii, got v={value_added}, "
            f"x={gross_output}, Z_ii={own_use}")
    return float(calc_alpha_lenzen(np.array([value_added]), np.array([gross_output]),
                                   np.array([own_use]))[0])


def responsibility_table(burdens: Mapping[str, float], producer: str, consumer_shares: pd.Series,
                         *, alpha: float = 0.5) -> pd.DataFrame:
    """Both rules side by side: ``<burden>_consumer`` and ``<burden>_shared`` per country."""
    cb = allocate_consumer_based(burdens, consumer_shares).add_suffix("_consumer")
    sh = allocate_shared(burdens, producer, consumer_shares, alpha=alpha).add_suffix("_shared")
    out = sh.join(cb, how="outer").fillna(0.0)
    first = f"{next(iter(burdens))}_consumer"
    out.attrs["alpha"] = alpha
    return out.sort_values(first, ascending=False)
