"""One process owns the warehouse: many concurrent readers, one writer.

DuckDB lets one *process* open a database file for writing; a second process gets
``IO Error: Could not set lock on file`` (and a read-only process cannot open the file while a
writer holds it either). Inside the owning process, however, every cursor of one connection is a
separate connection to the *same* database instance, and DuckDB's MVCC gives each read its own
consistent snapshot: a read that starts while an ingest transaction is open sees the warehouse as
it was before the ingest, and the next read after ``COMMIT`` sees the new data. Nothing blocks.

:class:`WarehouseHub` is that owner. ``reslog serve`` creates one:

- :meth:`WarehouseHub.reader` yields a read-only :class:`~reslog.store.warehouse.Warehouse`
  on a fresh cursor (safe to use from any thread; one per request);
- :meth:`WarehouseHub.writer` yields the one writing ``Warehouse`` (a cursor of its own) under
  a lock, so writes are serialised while reads go on;
- :attr:`WarehouseHub.version` changes after every committed write; response caches key on it;
- while a hub serves a file, ``Warehouse.open(path, read_only=True)`` anywhere in the same process
  returns a reader on the hub's connection (DuckDB would refuse a second, read-only connection),
  and ``Warehouse.open(path)`` for writing is refused with a message naming the writer.

``docs/api.md`` ("Warehouse concurrency") has the measurements behind this choice.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

from reslog.store import warehouse as _warehouse
from reslog.store.warehouse import Warehouse


class WarehouseHub:
    """The owner of the single DuckDB connection of one server process.

    Parameters
    ----------
    path : the warehouse file; created (with its schema) when missing.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._root: Warehouse | None = None
        self._open_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._generation = 0
        self._version: str | None = None

    # ------------------------------------------------------------------ lifecycle
    def _root_wh(self) -> Warehouse:
        if self._root is None:
            with self._open_lock:
                if self._root is None:
                    self._root = Warehouse.open(self.path)
                    _warehouse._IN_PROCESS_OWNERS[self.path.resolve()] = self
        return self._root

    def close(self) -> None:
        """Close the connection (every cursor with it), after a running write has finished."""
        with self._write_lock, self._open_lock:
            if self._root is not None:
                if _warehouse._IN_PROCESS_OWNERS.get(self.path.resolve()) is self:
                    del _warehouse._IN_PROCESS_OWNERS[self.path.resolve()]
                self._root.close()
                self._root = None
                self._version = None

    # ------------------------------------------------------------------ access
    @contextlib.contextmanager
    def reader(self) -> Iterator[Warehouse]:
        """A read-only ``Warehouse`` on its own cursor; it never waits for a running ingest."""
        root = self._root_wh()
        cur = root.con.cursor()
        try:
            yield Warehouse(cur, self.path, read_only=True)
        finally:
            cur.close()

    def open_reader(self) -> Warehouse:
        """A read-only ``Warehouse`` on a new cursor; its ``close()`` closes only the cursor.

        What :meth:`Warehouse.open` (read-only) returns in this process while the hub serves the
        file, so library code that opens the warehouse itself keeps working inside the server.
        """
        return Warehouse(self._root_wh().con.cursor(), self.path, read_only=True)

    @contextlib.contextmanager
    def writer(self) -> Iterator[Warehouse]:
        """The one writer: writes are serialised by a lock; readers keep going meanwhile."""
        root = self._root_wh()
        with self._write_lock:
            cur = root.con.cursor()
            try:
                yield Warehouse(cur, self.path, read_only=False)
            finally:
                cur.close()
                self._generation += 1
                self._version = None

    @property
    def version(self) -> str:
        """A short token that changes whenever the warehouse content may have changed.

        Derived from the ledger (every ingest adds one row) and the count of writes made through
        this hub, so it is cheap to compute and identical across threads.
        """
        v = self._version
        if v is None:
            with self.reader() as wh:
                n, mx, last = wh.con.execute(
                    "SELECT count(*), coalesce(max(ledger_id), 0), max(ingested_at) FROM ledger"
                ).fetchall()[0]
            raw = f"{self.path.resolve()}|{n}|{mx}|{last}|{self._generation}"
            v = hashlib.sha256(raw.encode()).hexdigest()[:16]
            self._version = v
        return v
