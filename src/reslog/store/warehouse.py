"""The DuckDB warehouse: the only place reslog writes.

Every ingest is one transaction: either every table of a :class:`~reslog.sources.base.Parsed`
is written together with its ledger entry, or nothing is. Ingest is idempotent: a content hash
already in the ledger makes it a no-op. Rows whose primary key already exists are replaced by the
newer ingest (their ``ledger_id`` then points at it).
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from reslog import __version__
from reslog.errors import InputError, ReslogError
from reslog.schema import commodities_table, countries_table
from reslog.sources.base import Parsed, SqlScan
from reslog.store import tables as T
from reslog.store import trade_tables as _trade_tables  # noqa: F401  (registers trade_clean)
from reslog.store import scenario_tables as _scenario_tables  # noqa: F401  (scenario/panel/fingerprint tables)
from reslog.store import monitoring_tables as _monitoring_tables  # noqa: F401  (sites, sensors)


@dataclass
class IngestResult:
    """What one ingest did: its ledger id, rows written per table, and whether it was a no-op."""

    ledger_id: int
    rows: dict[str, int] = field(default_factory=dict)
    skipped: bool = False


class WarehouseError(ReslogError):
    """The warehouse file cannot be opened or is not a reslog warehouse."""


MEMORY_LIMIT = os.environ.get("RESLOG_MEMORY_LIMIT", "2GB")

# Warehouse files served by a :class:`reslog.store.hub.WarehouseHub` of *this* process (resolved
# path -> hub). DuckDB refuses a second connection to the same file with another configuration,
# so :meth:`Warehouse.open` hands out a reader on the hub's connection instead (see hub.py).
_IN_PROCESS_OWNERS: dict[Path, Any] = {}


def _first(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    """First row of a result (fetching all of it, so the connection is free again)."""
    rows = result.fetchall()
    return rows[0] if rows else None


class Warehouse:
    """A reslog warehouse in one DuckDB file.

    Use :meth:`open`; read with :meth:`query` / :meth:`table`; write only with :meth:`ingest`.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False) -> "Warehouse":
        """Open the warehouse at ``path``, creating file and schema if needed (unless read-only)."""
        path = Path(path)
        owner = _IN_PROCESS_OWNERS.get(path.resolve())
        if owner is not None:
            if read_only:
                return owner.open_reader()
            raise WarehouseError(
                f"{path}: this process serves the warehouse (reslog serve); writes go through its "
                "one writer (WarehouseHub.writer(), POST /api/ledger/ingests)")
        if read_only and not path.exists():
            raise WarehouseError(
                f"{path}: no warehouse here yet; run `reslog demo` or `reslog ingest KIND PATH` first"
            )
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as e:
            hint = ""
            if "lock" in str(e).lower():
                hint = ("; another process holds it — DuckDB allows one writing process. If `reslog "
                        "serve` is running, send ingests to it (POST /api/ledger/ingests, admin) or "
                        "stop it first (docs/api.md, 'Warehouse concurrency')")
            raise WarehouseError(f"{path}: cannot open the warehouse ({e}){hint}") from e
        # Bounded memory: a full BACI year streams through in well under 4 GB (docs/performance.md).
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        wh = cls(con, path, read_only)
        if not read_only:
            try:
                wh._ensure_schema()
            except BaseException:
                con.close()
                raise
        return wh

    def _ensure_schema(self) -> None:
        c = self.con
        from reslog.store.migrate import migrate_mine_capacity

        migrate_mine_capacity(c)  # before CREATE IF NOT EXISTS, which never alters a table
        c.execute("BEGIN TRANSACTION")
        try:
            c.execute("CREATE TABLE IF NOT EXISTS reslog_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
            for name, (body, _pk) in T.TABLES.items():
                c.execute(f"CREATE TABLE IF NOT EXISTS {name} ({body})")
            for name, (body, _pk) in T.EXTRA_TABLES.items():
                c.execute(f"CREATE TABLE IF NOT EXISTS {name} ({body})")
            c.execute(
                "INSERT OR REPLACE INTO reslog_meta VALUES ('schema_version', ?)", [str(T.SCHEMA_VERSION)]
            )
            if c.execute("SELECT count(*) FROM countries").fetchall()[0][0] == 0:
                self._insert_frame("countries", countries_table())
            have = {r[0] for r in c.execute("SELECT name FROM commodities").fetchall()}
            com = commodities_table()
            if not set(com["name"]) <= have:  # new commodities since the warehouse was created
                self._insert_frame("commodities", com[~com["name"].isin(have)])
            c.execute("COMMIT")
        except Exception:
            c.execute("ROLLBACK")
            raise
        from reslog.store.migrate import migrate_taxonomy

        migrate_taxonomy(c)  # risk events stored under an older taxonomy version

    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading
    def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run a read query and return a DataFrame."""
        return self.con.execute(sql, params or []).df()

    def table(self, name: str) -> pd.DataFrame:
        """A whole canonical table as a DataFrame."""
        if name not in T.all_tables():
            raise ReslogError(f"unknown table '{name}'; tables: {sorted(T.all_tables())}")
        return self.query(f'SELECT * FROM "{name}"')

    def production(self, *, reported_only: bool = False) -> pd.DataFrame:
        """The ``production`` table; with ``reported_only``, without estimated years (USGS "e")."""
        where = " WHERE NOT coalesce(estimated, false)" if reported_only else ""
        return self.query(f"SELECT * FROM production{where}")

    def ledger(self) -> pd.DataFrame:
        """The provenance ledger, one row per ingest."""
        return self.query("SELECT * FROM ledger ORDER BY ledger_id")

    def counts(self) -> dict[str, int]:
        """Row count of every table."""
        return {t: int(self.con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0])
                for t in T.all_tables()}

    def checksums(self) -> dict[str, str]:
        """An order-independent content checksum per table: ``count:sum(hash(row))``."""
        out = {}
        for t in T.all_tables():
            n, s = self.con.execute(f'SELECT count(*), sum(hash(x)::HUGEINT) FROM "{t}" x').fetchall()[0]
            out[t] = f"{n}:{s}"
        return out

    # ------------------------------------------------------------------ writing
    def ingest(self, parsed: Parsed, *, kind: str) -> IngestResult:
        """Write the tables of ``parsed`` and their ledger entry in one transaction.

        Parameters
        ----------
        parsed : the reader's output (canonical tables + provenance).
        kind : the ingest kind (``baci``, ``usgs``, ``wgi`` …), recorded in the ledger.

        Returns
        -------
        IngestResult
            ``skipped=True`` when a file with the same content hash was ingested before.

        Raises
        ------
        InputError
            When a table is not canonical or a check of a streamed table finds a bad row.
            Nothing is written then.
        """
        if self.read_only:
            raise WarehouseError(f"{self.path}: opened read-only; cannot ingest")
        meta = parsed.meta
        c = self.con
        prev = _first(c.execute("SELECT ledger_id FROM ledger WHERE sha256 = ?", [meta.sha256]))
        if prev is not None:
            return IngestResult(ledger_id=int(prev[0]), skipped=True)
        file0 = meta.files[0] if meta.files else meta.source
        c.execute("BEGIN TRANSACTION")
        try:
            ledger_id = int(c.execute("SELECT coalesce(max(ledger_id), 0) + 1 FROM ledger").fetchall()[0][0])
            rows: dict[str, int] = {}
            for name, data in parsed.tables.items():
                if name not in T.all_tables() or name in ("ledger", *T.REFERENCE_TABLES):
                    raise InputError(file0, f"reader produced unknown table '{name}'")
                if isinstance(data, SqlScan):
                    rows[name] = self._ingest_scan(name, data, ledger_id, file0)
                else:
                    rows[name] = self._ingest_frame(name, data, ledger_id, file0)
            c.execute(
                "INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [ledger_id, meta.source, kind, meta.version, meta.licence, meta.citation,
                 "|".join(meta.files), meta.sha256, int(sum(rows.values())),
                 _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None), __version__],
            )
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return IngestResult(ledger_id=ledger_id, rows=rows)

    def _insert_frame(self, name: str, df: pd.DataFrame) -> None:
        cols = T.all_columns(name)
        view = f"_in_{name}"
        self.con.register(view, df[cols])
        try:
            collist = ", ".join(f'"{x}"' for x in cols)
            self.con.execute(f'INSERT INTO "{name}" ({collist}) SELECT {collist} FROM {view}')
        finally:
            self.con.unregister(view)

    def _ingest_frame(self, name: str, df: pd.DataFrame, ledger_id: int, file0: str) -> int:
        cols = [x for x in T.all_columns(name) if x != "ledger_id"]
        missing = [x for x in cols if x not in df.columns]
        if missing:
            raise InputError(file0, f"table '{name}' lacks canonical column(s) {missing}")
        df = df[cols].copy()
        df["ledger_id"] = ledger_id
        pk = list(T.primary_key(name))
        if pk:
            dup = df.duplicated(pk, keep=False)
            if dup.any():
                first = df[dup].iloc[0]
                keyv = ", ".join(f"{k}={first[k]!r}" for k in pk)
                raise InputError(file0, f"duplicate key ({keyv}) in table '{name}'",
                                 row=int(df.index[dup][1]) + 1, field=pk[0])
            keys = df[pk]
            self.con.register("_keys", keys)
            try:
                cond = " AND ".join(f'"{name}"."{k}" = _keys."{k}"' for k in pk)
                self.con.execute(f'DELETE FROM "{name}" WHERE EXISTS (SELECT 1 FROM _keys WHERE {cond})')
            finally:
                self.con.unregister("_keys")
        try:
            self._insert_frame(name, df)
        except duckdb.ConversionException as e:
            raise InputError(file0, f"value cannot be stored in table '{name}': {e}") from e
        return len(df)

    def _ingest_scan(self, name: str, scan: SqlScan, ledger_id: int, file0: str) -> int:
        file = scan.file or file0
        for check in scan.checks:
            hit = _first(self.con.execute(f"SELECT * FROM ({check}) LIMIT 1"))
            if hit is not None:
                row, fld, msg = hit[0], hit[1], hit[2]
                raise InputError(file, str(msg), row=None if row is None else int(row),
                                 field=None if fld is None else str(fld))
        if scan.replace_where:
            self.con.execute(f'DELETE FROM "{name}" WHERE {scan.replace_where}')
        cols = ", ".join(f'"{x}"' for x in T.all_columns(name))
        try:
            n0 = self.con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]
            self.con.execute(f'INSERT INTO "{name}" ({cols}) SELECT *, {ledger_id} FROM ({scan.sql})')
            n1 = self.con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]
        except duckdb.Error as e:
            raise InputError(file, f"cannot be loaded: {e}") from e
        return int(n1 - n0)
