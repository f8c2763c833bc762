"""Accounts for a series of years (one MRIO per year) on a Dask distributed cluster.

Each year is one task: it builds (or receives) that year's :class:`~reslog.model.io.MRIO`,
computes its accounts and returns them. Years are independent, so the results are exactly the
sequential ones (each task runs the same code on the same inputs); the cluster only decides
where and when. Pass a zero-argument callable per year (e.g. ``functools.partial(load, year)``)
rather than an MRIO for large tables, so the blocks are read on the worker and never travel
through the scheduler.

With no ``client`` a ``LocalCluster`` is started and closed (``processes=False``: threads,
sharing the BLAS of this process; each year's LU already uses the cores, so one year per
worker thread is the useful parallelism). Pass ``Client("tcp://scheduler:8786")`` to scale out.
"""

from __future__ import annotations

from typing import Any, Callable, Hashable, Mapping

from reslog.errors import ModelInputError
from reslog.model.io.accounts import RTOL, Accounts

#: What a year may be given as: an MRIO, or a zero-argument callable returning one.
YearInput = Any


def _year_accounts(system: YearInput, extensions: list[str] | None, imports: bool, want_M: bool,
                   rtol: float) -> dict[str, Accounts]:
    """One task: the accounts of one year's MRIO (every extension asked for, one factorisation)."""
    m = system() if callable(system) else system
    return m.accounts_all(extensions, imports=imports, want_M=want_M, rtol=rtol)


def calc_accounts_series(
    systems: Mapping[Hashable, YearInput],
    extensions: list[str] | None = None,
    *,
    imports: bool = True,
    want_M: bool = False,
    rtol: float = RTOL,
    client: Any = None,
    n_workers: int = 2,
) -> dict[Hashable, dict[str, Accounts]]:
    """Accounts of every year, one Dask task per year.

    Parameters
    ----------
    systems : mapping year → MRIO or zero-argument callable returning an MRIO
    extensions : extension names (default: all of each year's extensions)
    imports, want_M, rtol : as for :meth:`MRIO.accounts_all`
    client : a ``dask.distributed.Client``; when None a ``LocalCluster`` with ``n_workers``
        single-thread workers (threads, not processes) is started and closed.

    Returns
    -------
    dict year → {extension → Accounts}, in the order of ``systems``.
    """
    if not systems:
        raise ModelInputError("series: no years given")
    from dask.distributed import Client, LocalCluster

    own = client is None
    cluster = None
    if own:
        cluster = LocalCluster(n_workers=max(1, n_workers), threads_per_worker=1, processes=False,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        futures = {year: client.submit(_year_accounts, sysm, extensions, imports, want_M, rtol, pure=False,
                                       key=f"reslog-accounts-{year}-{id(sysm)}")
                   for year, sysm in systems.items()}
        results = client.gather(list(futures.values()))
    finally:
        if own:
            client.close()
            assert cluster is not None
            cluster.close()
    return dict(zip(futures.keys(), results))


def calc_accounts_sequential(
    systems: Mapping[Hashable, YearInput], extensions: list[str] | None = None, *, imports: bool = True,
    want_M: bool = False, rtol: float = RTOL,
) -> dict[Hashable, dict[str, Accounts]]:
    """The same as :func:`calc_accounts_series`, one year after the other in this process."""
    return {year: _year_accounts(s, extensions, imports, want_M, rtol) for year, s in systems.items()}


__all__ = ["calc_accounts_series", "calc_accounts_sequential"]
