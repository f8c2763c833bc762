"""Parsing an upload away from the serving process, then one short write.

Reading and validating a file (pandas, the ``sources`` readers) is CPU work that holds Python's
GIL for seconds on a large file; done inside the server process it would stall every request.
:func:`read_isolated` runs the reader in a child process (``spawn``: the server has threads) and
returns the :class:`~reslog.sources.base.Parsed` tables; the caller then takes the one writer
only for the transaction itself (:meth:`reslog.store.hub.WarehouseHub.writer`).
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"))
        return _pool


def _read(kind: str, path: str) -> Any:
    from reslog.errors import InputError, ReslogError
    from reslog.sources.registry import read

    try:
        return ("ok", read(kind, path))
    except InputError as e:  # exceptions with keyword-only fields do not survive pickling
        return ("input", (e.file, e.message, e.row, e.field))
    except ReslogError as e:
        return ("reslog", str(e))


def read_isolated(kind: str, path: str | Path) -> Any:
    """``reslog.sources.registry.read(kind, path)`` in a worker process; errors are re-raised here
    unchanged (an :class:`~reslog.errors.InputError` still names file, row and field)."""
    from reslog.errors import InputError, ReslogError

    tag, value = _executor().submit(_read, kind, str(path)).result()
    if tag == "input":
        file, message, row, field = value
        raise InputError(file, message, row=row, field=field)
    if tag == "reslog":
        raise ReslogError(value)
    return value


def shutdown() -> None:
    """Stop the worker process (called when the server stops)."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(cancel_futures=True)
            _pool = None
