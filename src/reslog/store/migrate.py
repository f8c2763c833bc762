"""Migrations of stored rows when a shared vocabulary changes version.

* Risk-event taxonomy (:data:`reslog.schema.TAXONOMY_VERSION`): every ``risk_events`` row labelled
  under an older version gets its type mapped (:func:`reslog.schema.taxonomy.migrate_event_type`)
  and its ``taxonomy_version`` stamped with the current one, in one transaction, with a ledger
  entry (kind ``migration``) that says how many rows moved from which version.
* ``mine_sites.capacity`` (schema of issue 13): free text became a number with
  ``capacity_unit`` and ``capacity_year``; :func:`migrate_mine_capacity` renames the old text column
  to ``capacity_text`` (kept verbatim) and adds the numeric columns, empty until the mines are
  re-ingested (the number is never guessed from old text here).
* Commodities added to :data:`reslog.schema.COMMODITIES` since the warehouse was created (e.g.
  ``jade``, ``gemstones``) are added to the ``commodities`` reference table by
  :meth:`reslog.store.warehouse.Warehouse.open`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from typing import Any

from reslog import __version__
from reslog.schema import TAXONOMY_VERSION
from reslog.schema.taxonomy import migrate_event_type


def migrate_taxonomy(con: Any) -> int:
    """Map stored risk events to the current taxonomy. Returns the number of rows migrated.

    Raises
    ------
    WarehouseError
        A stored type has no counterpart in the current version (nothing is changed then).
    """
    from reslog.store.warehouse import WarehouseError

    old = con.execute("SELECT event_id, event_type, taxonomy_version FROM risk_events "
                      "WHERE taxonomy_version <> ?", [TAXONOMY_VERSION]).fetchall()
    if not old:
        return 0
    updates = []
    for event_id, etype, ver in old:
        try:
            updates.append((migrate_event_type(etype, ver), TAXONOMY_VERSION, event_id))
        except ValueError as e:
            raise WarehouseError(f"risk_events row '{event_id}': {e}; the warehouse was left unchanged") from e
    froms = sorted({v for _, _, v in old})
    note = f"risk_events: {len(old)} rows from taxonomy {', '.join(froms)} to {TAXONOMY_VERSION}"
    sha = hashlib.sha256(f"{note} {_dt.datetime.now(_dt.timezone.utc).isoformat()}".encode()).hexdigest()
    con.execute("BEGIN TRANSACTION")
    try:
        con.executemany("UPDATE risk_events SET event_type = ?, taxonomy_version = ? WHERE event_id = ?", updates)
        ledger_id = int(con.execute("SELECT coalesce(max(ledger_id), 0) + 1 FROM ledger").fetchall()[0][0])
        con.execute("INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [ledger_id, "reslog taxonomy migration", "migration", TAXONOMY_VERSION, None, note, "",
                     sha, len(updates), _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None), __version__])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(updates)


def migrate_mine_capacity(con: Any) -> bool:
    """Old warehouses: ``mine_sites.capacity`` VARCHAR → ``capacity_text``, plus numeric
    ``capacity``/``capacity_unit``/``capacity_year`` columns. Returns True when it migrated."""
    cols = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                            "WHERE table_name = 'mine_sites'").fetchall())
    if cols.get("capacity") != "VARCHAR" or "capacity_text" in cols:
        return False
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("ALTER TABLE mine_sites RENAME COLUMN capacity TO capacity_text")
        con.execute("ALTER TABLE mine_sites ADD COLUMN capacity DOUBLE")
        con.execute("ALTER TABLE mine_sites ADD COLUMN capacity_unit VARCHAR")
        con.execute("ALTER TABLE mine_sites ADD COLUMN capacity_year INTEGER")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True
