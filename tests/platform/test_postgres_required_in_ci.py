"""Under CI=true a PostgreSQL that cannot start fails the run; elsewhere it skips with the reason.

Runs a one-test pytest session in a subprocess with the real fixtures and the PostgreSQL
binaries pointed at an empty folder (``RESLOG_TEST_PG_BINDIR``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.parametrize("ci", ["true", ""])
def test_missing_postgres_fails_under_ci_and_skips_elsewhere(tmp_path, ci):
    for f in ("conftest.py", "pgcluster.py", "platform_testkit.py"):
        shutil.copy(HERE / f, tmp_path / f)
    (tmp_path / "test_one.py").write_text("def test_needs_pg(postgres):\n    pass\n")
    env = {**os.environ, "RESLOG_TEST_PG_BINDIR": str(tmp_path / "no-such-bin"), "CI": ci,
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[2] / "src"),
                                          os.environ.get("PYTHONPATH", "")])}
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                        "-p", "no:xdist", "-p", "no:randomly", str(tmp_path)],
                       capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    out = r.stdout + r.stderr
    if ci == "true":
        assert r.returncode != 0, out
        assert "PostgreSQL is required under CI=true" in out and "initdb/pg_ctl not found" in out
    else:
        assert r.returncode == 0, out
        assert "1 skipped" in out and "PostgreSQL not available" in out
