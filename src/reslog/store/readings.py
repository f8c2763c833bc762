"""Partitioned storage of sensor readings: Parquet by site and month, read through DuckDB.

Layout under the store root (``$RESLOG_READINGS`` or ``readings/`` beside the warehouse)::

    index.sqlite                           batch ledger, file manifest, per-sensor high-water mark
    site=<site_id>/month=<YYYY-MM>/b<batch_no>-<first_seq>.parquet     one file per batch & month
    site=<site_id>/month=<YYYY-MM>/c<generation>.parquet               compacted month
    qc/site=<site_id>/month=<YYYY-MM>/qc.parquet                       quality flags (sparse)

Rules
-----
* **The raw value is never modified.** Each row holds ``raw_value``/``raw_unit`` as received and
  ``value`` in the parameter's canonical unit. When the reading arrived in the canonical unit,
  ``raw_value`` is null and ``value`` *is* the raw value (this saves 8 bytes a reading).
  Compaction only re-orders rows; quality control never touches these files: flags live in a
  sidecar file per partition (only flagged readings are written) joined at query time.
* **A batch is stored once.** The batch ledger (SQLite, one writer at a time through
  ``BEGIN IMMEDIATE``, so the HTTP server, the MQTT listener and file ingest can run in separate
  processes) records each ``batch_id``; a retry of a complete batch stores nothing. A batch that
  arrived half-sent is recorded as incomplete with the number of readings seen, so its retry
  stores only the rest.
* **Crash safety.** Files are written to a temporary name and renamed; a file counts only once
  its manifest row is committed in the same SQLite transaction as the batch record. A crash
  leaves at most an orphan file that no query reads (:meth:`ReadingStore.vacuum` removes it).
* **A sensor-month query does not scan the year**: the month is a directory, the manifest lists
  its files, and compacted files are sorted by ``(sensor_id, time)`` in row groups of 65,536
  rows whose min/max statistics let DuckDB skip all other sensors.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import sqlite3
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from reslog.errors import ReslogError

READING_SCHEMA = pa.schema([
    ("sensor_id", pa.string()),
    ("time", pa.timestamp("ms")),
    ("value", pa.float64()),
    ("raw_value", pa.float64()),
    ("raw_unit", pa.string()),
    ("batch_no", pa.int64()),
    ("seq", pa.int32()),
])
QC_SCHEMA = pa.schema([("sensor_id", pa.string()), ("time", pa.timestamp("ms")),
                       ("qc_flags", pa.int32())])
ROW_GROUP = 65_536
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")

_SQL = """
CREATE TABLE IF NOT EXISTS batches (
    batch_no INTEGER PRIMARY KEY AUTOINCREMENT, batch_id TEXT NOT NULL UNIQUE, site_id TEXT NOT NULL,
    via TEXT NOT NULL, sha256 TEXT, n_seen INTEGER NOT NULL, n_accepted INTEGER NOT NULL,
    n_rejected INTEGER NOT NULL, complete INTEGER NOT NULL, received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS parts (
    file TEXT PRIMARY KEY, site_id TEXT NOT NULL, month TEXT NOT NULL, kind TEXT NOT NULL,
    rows INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS parts_site_month ON parts(site_id, month);
CREATE TABLE IF NOT EXISTS hwm (sensor_id TEXT PRIMARY KEY, last_ms INTEGER NOT NULL);
"""


class StoreError(ReslogError):
    """The readings store cannot do what was asked (bad site id, corrupt manifest …)."""


@dataclass(frozen=True)
class BatchRecord:
    """A batch already in the ledger."""

    batch_no: int
    batch_id: str
    site_id: str
    via: str
    sha256: str | None
    n_seen: int
    n_accepted: int
    n_rejected: int
    complete: bool
    received_at: str


def check_site_id(site_id: str) -> str:
    """A site id usable as a directory name (letters, digits, ``_ . -``; ≤ 128 characters)."""
    if not isinstance(site_id, str) or not _SAFE.match(site_id):
        raise StoreError(f"site id {site_id!r} must be 1–128 letters, digits, '_', '.' or '-' "
                         "and start with a letter or digit")
    return site_id


def month_of(ms: np.ndarray) -> np.ndarray:
    """``YYYY-MM`` labels of epoch milliseconds."""
    ms = np.asarray(ms, dtype=np.int64)
    if len(ms) == 0:
        return np.zeros(0, dtype="<U7")
    lo, hi = (np.datetime64(int(v), "ms").astype("datetime64[M]") for v in (ms.min(), ms.max()))
    if lo == hi:  # the usual case: one month
        return np.full(len(ms), str(lo))
    days = ms // 86_400_000
    u, inv = np.unique(days, return_inverse=True)
    labels = np.datetime_as_string(u.astype("datetime64[D]").astype("datetime64[M]"), unit="M")
    return labels[inv]


class BatchWriter:
    """Inside :meth:`ReadingStore.writer`: look up batches and high-water marks, write one batch."""

    def __init__(self, store: "ReadingStore", con: sqlite3.Connection) -> None:
        self.store = store
        self.con = con
        self._staged: dict[str, list[pa.Table]] = {}
        self._pending_hwm: dict[str, int] = {}

    def lookup(self, batch_id: str) -> BatchRecord | None:
        """The ledger record of ``batch_id``, or ``None``."""
        r = self.con.execute("SELECT batch_no, batch_id, site_id, via, sha256, n_seen, n_accepted, "
                             "n_rejected, complete, received_at FROM batches WHERE batch_id = ?",
                             (batch_id,)).fetchone()
        return None if r is None else BatchRecord(*r[:8], bool(r[8]), r[9])

    def hwm(self, sensor_ids: Sequence[str]) -> dict[str, int]:
        """Latest stored time (epoch ms) per sensor, for the given sensors that have one."""
        out: dict[str, int] = {}
        ids = list(dict.fromkeys(sensor_ids))
        for i in range(0, len(ids), 900):
            chunk = ids[i:i + 900]
            q = f"SELECT sensor_id, last_ms FROM hwm WHERE sensor_id IN ({','.join('?' * len(chunk))})"
            out.update(dict(self.con.execute(q, chunk).fetchall()))
        for sid in ids:  # readings staged earlier in this transaction count too
            if sid in self._pending_hwm:
                out[sid] = max(out.get(sid, self._pending_hwm[sid]), self._pending_hwm[sid])
        return out

    def write(self, *, site_id: str, batch_id: str, via: str, sha256: str | None,
              rows: pa.Table, n_seen: int, n_accepted: int, n_rejected: int, complete: bool,
              previous: BatchRecord | None = None, hwm_updates: dict[str, int] | None = None) -> int:
        """Write the accepted ``rows`` of a batch (columns of :data:`READING_SCHEMA` except
        ``batch_no``) and its ledger record. Returns the batch number."""
        check_site_id(site_id)
        now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        if previous is None:
            cur = self.con.execute(
                "INSERT INTO batches (batch_id, site_id, via, sha256, n_seen, n_accepted, n_rejected,"
                " complete, received_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (batch_id, site_id, via, sha256, n_seen, n_accepted, n_rejected, int(complete), now))
            batch_no = int(cur.lastrowid)
        else:
            batch_no = previous.batch_no
            self.con.execute(
                "UPDATE batches SET n_seen = ?, n_accepted = n_accepted + ?, n_rejected = "
                "n_rejected + ?, complete = ?, received_at = ? WHERE batch_no = ?",
                (n_seen, n_accepted, n_rejected, int(complete), now, batch_no))
        if rows.num_rows:
            rows = rows.append_column("batch_no", pa.array(np.full(rows.num_rows, batch_no), pa.int64()))
            rows = rows.select(READING_SCHEMA.names).cast(READING_SCHEMA)
            self._staged.setdefault(site_id, []).append(rows)
            if hwm_updates is None:
                ms = rows.column("time").cast(pa.int64()).to_numpy()
                sens = rows.column("sensor_id").to_numpy(zero_copy_only=False)
                hwm_updates = {str(k): int(v) for k, v in
                               pd.Series(ms).groupby(sens, sort=False).max().items()}
            for sid, t in hwm_updates.items():
                self._pending_hwm[sid] = max(int(t), self._pending_hwm.get(sid, int(t)))
        return batch_no

    def flush(self) -> None:
        """Write the staged rows: one file per site and month for all batches of this
        transaction (called by :meth:`ReadingStore.writer` before commit)."""
        for site_id, tabs in self._staged.items():
            rows = pa.concat_tables(tabs)
            ms = rows.column("time").cast(pa.int64()).to_numpy()
            months = month_of(ms)
            b0 = int(rows.column("batch_no")[0].as_py())
            s0 = int(rows.column("seq")[0].as_py())
            for m in np.unique(months):
                sel = np.flatnonzero(months == m)
                part = rows if len(sel) == rows.num_rows else rows.take(pa.array(sel))
                rel = f"site={site_id}/month={m}/b{b0:012d}-{s0:09d}.parquet"
                self.store._write_file(rel, part, compact=False)
                self.con.execute("INSERT OR REPLACE INTO parts VALUES (?,?,?,?,?)",
                                 (rel, site_id, str(m), "part", part.num_rows))
        self.con.executemany(
            "INSERT INTO hwm VALUES (?, ?) ON CONFLICT(sensor_id) DO UPDATE SET "
            "last_ms = max(last_ms, excluded.last_ms)", list(self._pending_hwm.items()))
        self._staged.clear()
        self._pending_hwm.clear()


class ReadingStore:
    """The readings of every site, partitioned by site and month (see the module docstring)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.index = self.root / "index.sqlite"
        self._local = threading.local()
        con = self._connect()
        con.executescript(_SQL)
        con.commit()

    # ------------------------------------------------------------------ plumbing
    def _connect(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.index, timeout=60.0, isolation_level=None,
                                  check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.con = con
        return con

    def _duck(self) -> duckdb.DuckDBPyConnection:
        con = getattr(self._local, "duck", None)
        if con is None:
            con = duckdb.connect()
            con.execute("SET threads = 2")
            self._local.duck = con
        return con

    def _write_file(self, rel: str, table: pa.Table, *, compact: bool,
                    metadata: dict[str, str] | None = None) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        if metadata:
            table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
        kwargs: dict = {"compression": "zstd"}
        if compact:
            kwargs.update(use_dictionary=["sensor_id", "raw_unit"], row_group_size=ROW_GROUP,
                          column_encoding={"time": "DELTA_BINARY_PACKED",
                                           "batch_no": "DELTA_BINARY_PACKED",
                                           "seq": "DELTA_BINARY_PACKED",
                                           "value": "BYTE_STREAM_SPLIT",
                                           "raw_value": "BYTE_STREAM_SPLIT"})
        pq.write_table(table, tmp, **kwargs)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)

    @contextmanager
    def writer(self) -> Iterator[BatchWriter]:
        """One write transaction (exclusive across processes): commit on success, else roll back."""
        con = self._connect()
        con.execute("BEGIN IMMEDIATE")
        w = BatchWriter(self, con)
        try:
            yield w
            w.flush()
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    # ------------------------------------------------------------------ reading
    def batch(self, batch_id: str) -> BatchRecord | None:
        """The ledger record of ``batch_id`` (``None`` if never seen)."""
        return BatchWriter(self, self._connect()).lookup(batch_id)

    def months(self, site_id: str) -> list[str]:
        """Months (``YYYY-MM``) holding readings of ``site_id``."""
        rows = self._connect().execute("SELECT DISTINCT month FROM parts WHERE site_id = ? ORDER BY "
                                       "month", (site_id,)).fetchall()
        return [r[0] for r in rows]

    def files(self, site_id: str, months: Sequence[str] | None = None) -> list[Path]:
        """Committed files of a site (optionally only the given months)."""
        con = self._connect()
        if months is None:
            rows = con.execute("SELECT file FROM parts WHERE site_id = ? ORDER BY file", (site_id,))
        else:
            ms = list(months)
            if not ms:
                return []
            rows = con.execute(f"SELECT file FROM parts WHERE site_id = ? AND month IN "
                               f"({','.join('?' * len(ms))}) ORDER BY file", (site_id, *ms))
        return [self.root / r[0] for r in rows.fetchall()]

    def _qc_path(self, site_id: str, month: str) -> Path:
        return self.root / "qc" / f"site={site_id}" / f"month={month}" / "qc.parquet"

    def query(self, site_id: str, *, sensor_id: str | Sequence[str] | None = None,
              start: pd.Timestamp | str | None = None, end: pd.Timestamp | str | None = None,
              with_qc: bool = True) -> pd.DataFrame:
        """Readings of a site in ``[start, end)`` (naive UTC), optionally of some sensors only.

        Only the month partitions overlapping the interval are opened. Columns: ``sensor_id,
        time, value, raw_value, raw_unit, batch_no, seq`` (+ ``qc_flags``, 0 = no flag).
        """
        check_site_id(site_id)
        months = self.months(site_id)
        t0 = None if start is None else pd.Timestamp(start)
        t1 = None if end is None else pd.Timestamp(end)
        if t0 is not None:
            months = [m for m in months if pd.Timestamp(m + "-01") + pd.offsets.MonthBegin(1) > t0]
        if t1 is not None:
            months = [m for m in months if pd.Timestamp(m + "-01") < t1]
        files = self.files(site_id, months)
        cols = ["sensor_id", "time", "value", "raw_value", "raw_unit", "batch_no", "seq"]
        if not files:
            out = pd.DataFrame({c: pd.Series(dtype=d) for c, d in zip(
                cols, ["object", "datetime64[ms]", "float64", "float64", "object", "int64", "int32"])})
            if with_qc:
                out["qc_flags"] = pd.Series(dtype="int32")
            return out
        if isinstance(sensor_id, str):
            return self._query_one(site_id, months, files, sensor_id, t0, t1, with_qc)
        where, params = [], []
        if sensor_id is not None:
            ids = [sensor_id] if isinstance(sensor_id, str) else list(sensor_id)
            where.append(f"sensor_id IN ({','.join('?' * len(ids))})")
            params += ids
        if t0 is not None:
            where.append("time >= ?")
            params.append(t0.to_pydatetime())
        if t1 is not None:
            where.append("time < ?")
            params.append(t1.to_pydatetime())
        w = (" WHERE " + " AND ".join(where)) if where else ""
        flist = "[" + ",".join(f"'{f.as_posix()}'" for f in files) + "]"
        sql = f"SELECT {', '.join(cols)} FROM read_parquet({flist}){w}"
        qcs = [self._qc_path(site_id, m) for m in months]
        qcs = [q for q in qcs if q.exists()]
        con = self._duck().cursor()
        if with_qc and qcs:
            qlist = "[" + ",".join(f"'{q.as_posix()}'" for q in qcs) + "]"
            sql = (f"SELECT r.*, coalesce(q.qc_flags, 0)::INTEGER AS qc_flags FROM ({sql}) r "
                   f"LEFT JOIN read_parquet({qlist}) q USING (sensor_id, time)")
        elif with_qc:
            sql = f"SELECT *, 0::INTEGER AS qc_flags FROM ({sql})"
        df = con.execute(sql + " ORDER BY sensor_id, time", params).df()
        return df

    def _row_groups(self, f: Path) -> tuple[pq.FileMetaData, list[tuple[str, str]]]:
        """Footer and per-row-group (min, max) of ``sensor_id`` of an immutable file (cached)."""
        cache = self.__dict__.setdefault("_meta_cache", {})
        hit = cache.get(f)
        if hit is None:
            md = pq.read_metadata(f)
            col = md.schema.names.index("sensor_id")
            stats = []
            for i in range(md.num_row_groups):
                st = md.row_group(i).column(col).statistics
                stats.append((st.min, st.max) if st is not None and st.has_min_max else ("", "\uffff"))
            hit = (md, stats)
            if len(cache) > 4096:
                cache.clear()
            cache[f] = hit
        return hit

    def _query_one(self, site_id: str, months: list[str], files: list[Path], sensor: str,
                   t0: pd.Timestamp | None, t1: pd.Timestamp | None, with_qc: bool) -> pd.DataFrame:
        """One sensor: read only the row groups whose ``sensor_id`` range holds it."""
        import pyarrow.compute as pc

        parts = []
        for f in files:
            md, stats = self._row_groups(f)
            sel = [i for i, (lo, hi) in enumerate(stats) if lo <= sensor <= hi]
            if not sel:
                continue
            t = pq.ParquetFile(f, metadata=md).read_row_groups(sel, columns=READING_SCHEMA.names)
            mask = pc.equal(t.column("sensor_id"), sensor)
            if t0 is not None:
                mask = pc.and_(mask, pc.greater_equal(t.column("time"), pa.scalar(t0.to_datetime64().astype("datetime64[ms]"), pa.timestamp("ms"))))
            if t1 is not None:
                mask = pc.and_(mask, pc.less(t.column("time"), pa.scalar(t1.to_datetime64().astype("datetime64[ms]"), pa.timestamp("ms"))))
            parts.append(t.filter(mask))
        tab = pa.concat_tables(parts) if parts else READING_SCHEMA.empty_table()
        if tab.num_rows > 1:
            tab = tab.sort_by([("time", "ascending")])
        df = tab.to_pandas()
        df["sensor_id"] = df["sensor_id"].astype(object)
        df["raw_unit"] = df["raw_unit"].astype(object)
        if with_qc:
            df["qc_flags"] = np.zeros(len(df), np.int32)
            qcs = [q for q in (self._qc_path(site_id, m) for m in months) if q.exists()]
            if qcs and len(df):
                q = pa.concat_tables([pq.read_table(x, filters=[("sensor_id", "=", sensor)]) for x in qcs])
                if q.num_rows:
                    qd = q.to_pandas()[["time", "qc_flags"]]
                    m = df[["time"]].merge(qd, on="time", how="left")["qc_flags"]
                    df["qc_flags"] = m.fillna(0).astype("int32").to_numpy()
        return df.reset_index(drop=True)

    def count(self, site_id: str | None = None) -> int:
        """Stored readings (of one site, or all)."""
        q = "SELECT coalesce(sum(rows), 0) FROM parts" + (" WHERE site_id = ?" if site_id else "")
        return int(self._connect().execute(q, (site_id,) if site_id else ()).fetchone()[0])

    def last_times(self) -> dict[str, pd.Timestamp]:
        """Latest stored time per sensor."""
        rows = self._connect().execute("SELECT sensor_id, last_ms FROM hwm").fetchall()
        return {s: pd.Timestamp(t, unit="ms") for s, t in rows}

    # ------------------------------------------------------------------ maintenance
    def write_qc(self, site_id: str, month: str, flags: pd.DataFrame) -> int:
        """Replace the quality flags of one partition (``sensor_id, time, qc_flags``; rows with
        flag 0 are dropped). The readings files are not touched. Returns flagged rows."""
        f = flags[flags["qc_flags"] != 0]
        t = pa.Table.from_pandas(
            pd.DataFrame({"sensor_id": f["sensor_id"].astype(str).to_numpy(),
                          "time": pd.to_datetime(f["time"]).astype("datetime64[ms]").to_numpy(),
                          "qc_flags": f["qc_flags"].astype("int32").to_numpy()}),
            schema=QC_SCHEMA, preserve_index=False)
        rel = self._qc_path(site_id, month).relative_to(self.root).as_posix()
        self._write_file(rel, t, compact=False)
        return t.num_rows

    def compact(self, site_id: str, month: str) -> int:
        """Merge the files of one month into one file sorted by ``(sensor_id, time)``.

        Raw values are copied unchanged. The manifest swap is one SQLite transaction; the old
        files are deleted after it. Returns the rows in the compacted file.
        """
        with self.writer() as w:
            rows = w.con.execute("SELECT file FROM parts WHERE site_id = ? AND month = ?",
                                 (site_id, month)).fetchall()
            old = [r[0] for r in rows]
            if len(old) <= 1 and all(Path(o).name.startswith("c") for o in old):
                return int(w.con.execute("SELECT coalesce(sum(rows),0) FROM parts WHERE site_id=? "
                                         "AND month=?", (site_id, month)).fetchone()[0])
            flist = "[" + ",".join(f"'{(self.root / o).as_posix()}'" for o in old) + "]"
            tab = self._duck().cursor().sql(
                f"SELECT * FROM read_parquet({flist}) ORDER BY sensor_id, time").to_arrow_table()
            tab = tab.select(READING_SCHEMA.names).cast(READING_SCHEMA)
            rel = f"site={site_id}/month={month}/c{uuid.uuid4().hex[:12]}.parquet"
            self.write_compacted(rel, tab)
            w.con.execute(f"DELETE FROM parts WHERE file IN ({','.join('?' * len(old))})", old)
            w.con.execute("INSERT INTO parts VALUES (?,?,?,?,?)",
                          (rel, site_id, month, "compact", tab.num_rows))
        for o in old:
            (self.root / o).unlink(missing_ok=True)
        return tab.num_rows

    def write_compacted(self, rel: str, table: pa.Table) -> None:
        """Write an already sorted table as a compacted file (used by :meth:`compact` and by the
        benchmark's bulk loader). The caller registers it in the manifest."""
        self._write_file(rel, table, compact=True)

    def write_compacted_batches(self, rel: str, batches) -> int:
        """Stream record batches (already sorted by ``(sensor_id, time)``) into one compacted
        file with the same layout as :meth:`compact`, without holding the month in memory.
        Returns the rows written; register the file with :meth:`register_file`."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        n = 0
        with pq.ParquetWriter(tmp, READING_SCHEMA, compression="zstd",
                              use_dictionary=["sensor_id", "raw_unit"],
                              column_encoding={"time": "DELTA_BINARY_PACKED",
                                               "batch_no": "DELTA_BINARY_PACKED",
                                               "seq": "DELTA_BINARY_PACKED",
                                               "value": "BYTE_STREAM_SPLIT",
                                               "raw_value": "BYTE_STREAM_SPLIT"}) as w:
            for b in batches:
                t = pa.Table.from_batches([b]) if isinstance(b, pa.RecordBatch) else b
                w.write_table(t.cast(READING_SCHEMA), row_group_size=ROW_GROUP)
                n += t.num_rows
        os.replace(tmp, path)
        return n

    def register_file(self, site_id: str, month: str, rel: str, rows: int) -> None:
        """Add an already written compacted file to the manifest (bulk loading)."""
        with self.writer() as w:
            w.con.execute("INSERT OR REPLACE INTO parts VALUES (?,?,?,?,?)",
                          (rel, site_id, month, "compact", rows))

    def vacuum(self) -> int:
        """Delete files no manifest row names (left by a crash between write and commit)."""
        known = {r[0] for r in self._connect().execute("SELECT file FROM parts").fetchall()}
        n = 0
        for p in self.root.glob("site=*/month=*/*"):
            rel = p.relative_to(self.root).as_posix()
            if rel not in known:
                p.unlink()
                n += 1
        return n

    def info(self) -> dict[str, object]:
        """Counts for status output."""
        con = self._connect()
        b = con.execute("SELECT count(*), coalesce(sum(n_accepted),0), coalesce(sum(n_rejected),0)"
                        " FROM batches").fetchone()
        return {"batches": int(b[0]), "accepted": int(b[1]), "rejected": int(b[2]),
                "files": int(con.execute("SELECT count(*) FROM parts").fetchone()[0]),
                "rows": self.count()}


def default_readings_root(db_path: str | Path | None = None) -> Path:
    """``$RESLOG_READINGS``, else ``readings/`` beside the warehouse file."""
    env = os.environ.get("RESLOG_READINGS")
    if env:
        return Path(env)
    from reslog.paths import default_db_path

    db = Path(db_path) if db_path is not None else default_db_path()
    return db.parent / "readings"


def json_dumps(obj: object) -> str:
    """Compact JSON (for batch error summaries)."""
    return json.dumps(obj, separators=(",", ":"), default=str)
