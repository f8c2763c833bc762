"""A throwaway PostgreSQL cluster on 127.0.0.1 for the platform tests (initdb + pg_ctl).

As root, the cluster runs as the ``postgres`` system user in a temp dir it owns. Under
``CI=true`` a cluster that cannot start is an error; elsewhere the PostgreSQL half of the tests
is skipped with the reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """PostgreSQL binaries are missing or the cluster did not start (message says why)."""


def _bin(name: str) -> str | None:
    override = os.environ.get("RESLOG_TEST_PG_BINDIR")  # e.g. to test the "cannot start" path
    if override:
        p = Path(override) / name
        return str(p) if p.exists() else None
    cands = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if cands:
        return cands[0]
    return shutil.which(name)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgCluster:
    """A running cluster: connect with ``url(dbname)`` as the ``postgres`` superuser (trust auth)."""

    root: Path
    port: int
    pg_ctl: str
    as_user: list[str]

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def stop(self) -> None:
        subprocess.run([*self.as_user, self.pg_ctl, "-D", str(self.root / "data"), "-m", "immediate",
                        "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> PgCluster:
    """initdb + pg_ctl start on a free loopback port; raises :class:`PostgresUnavailable`."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise PostgresUnavailable("initdb/pg_ctl not found (apt-get install postgresql; "
                                  "scripts/system-deps.d/postgresql.sh does it)")
    root = Path(tempfile.mkdtemp(prefix="reslog-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        import pwd

        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and there is no 'postgres' user to run "
                                      "the cluster as") from None
        os.chown(root, pw.pw_uid, pw.pw_gid)
        os.chmod(root, 0o700)
        runuser = shutil.which("runuser")
        as_user = [runuser, "-u", "postgres", "--"] if runuser else ["su", "postgres", "-s", "/bin/sh", "-c"]
        if not runuser:
            raise PostgresUnavailable("runuser not found")
    data = root / "data"
    r = subprocess.run([*as_user, initdb, "-D", str(data), "-U", "postgres", "--auth=trust",
                        "-E", "UTF8", "--locale=C", "--no-sync"], capture_output=True, text=True,
                       timeout=180)
    if r.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"initdb failed: {r.stderr.strip()[-500:]}")
    last = ""
    for _attempt in range(3):
        port = _free_port()
        opts = (f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
        r = subprocess.run([*as_user, pg_ctl, "-D", str(data), "-o", opts, "-l",
                            str(root / "server.log"), "-w", "-t", "60", "start"],
                           capture_output=True, text=True, timeout=120)
        if r.returncode == 0:
            cluster = PgCluster(root=root, port=port, pg_ctl=pg_ctl, as_user=as_user)
            _wait_ready(cluster)
            return cluster
        log = (root / "server.log").read_text(errors="replace") if (root / "server.log").exists() else ""
        last = (r.stderr + log)[-800:]
        time.sleep(0.5)
    shutil.rmtree(root, ignore_errors=True)
    raise PostgresUnavailable(f"pg_ctl start failed: {last}")


def _wait_ready(cluster: PgCluster, timeout: float = 30.0) -> None:
    import psycopg

    t0 = time.monotonic()
    while True:
        try:
            with psycopg.connect(cluster.dsn(), connect_timeout=3):
                return
        except psycopg.OperationalError as e:
            if time.monotonic() - t0 > timeout:
                cluster.stop()
                raise PostgresUnavailable(f"cluster started but does not accept connections: {e}") from e
            time.sleep(0.2)
