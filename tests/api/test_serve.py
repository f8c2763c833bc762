"""``reslog serve`` as a user runs it, and the settings it reads."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_on_loopback_and_prints_the_url(demo_db: Path, tmp_path: Path):
    import shutil

    db = tmp_path / "w.duckdb"
    shutil.copy(demo_db, db)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "reslog", "serve", "--port", str(port), "--db", str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        ok = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                ok = httpx.get(base + "/api/meta/health", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        assert ok is not None and ok.status_code == 200, proc.poll()
        assert httpx.get(base + "/api/events", params={"limit": 1}).json()["total"] > 0
        assert httpx.get(base + "/docs").status_code == 200
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out


def test_settings_defaults_live_beside_the_warehouse(tmp_path: Path, monkeypatch):
    from reslog.api.settings import Settings

    monkeypatch.delenv("RESLOG_SECRET_KEY", raising=False)
    monkeypatch.delenv("RESLOG_PLATFORM_URL", raising=False)
    s = Settings(db=tmp_path / "sub" / "w.duckdb")
    assert s.platform_url == f"sqlite:///{(tmp_path / 'sub' / 'platform.sqlite').resolve()}"
    key_file = tmp_path / "sub" / ".reslog-secret"
    assert s.secret_key == key_file.read_text().strip() and len(s.secret_key) >= 40
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Settings(db=tmp_path / "sub" / "w.duckdb").secret_key == s.secret_key  # stable
    monkeypatch.setenv("RESLOG_MAX_UPLOAD_BYTES", "1234")
    assert Settings(db=tmp_path / "w.duckdb").max_upload_bytes == 1234
