"""The command line: --help everywhere, exit codes, the offline fetch."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from reslog.cli import app

runner = CliRunner()


def _all_command_paths() -> list[list[str]]:
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(cmd: object, prefix: list[str]) -> None:
        paths.append(prefix)
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, [*prefix, name])

    walk(root, [])
    return paths


@pytest.mark.parametrize("path", _all_command_paths(), ids=lambda p: " ".join(p) or "reslog")
def test_every_command_has_help(path: list[str]) -> None:
    res = runner.invoke(app, [*path, "--help"])
    assert res.exit_code == 0, res.output
    assert "Usage" in res.output
    root = typer.main.get_command(app)
    cmd = root
    for name in path:
        cmd = cmd.commands[name]  # type: ignore[attr-defined]
    assert (cmd.help or "").strip(), f"`reslog {' '.join(path)}` has no help text"


def _reslog(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reslog", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=120)


def test_fetch_offline_fails_fast_with_a_clear_message(tmp_path: Path) -> None:
    t0 = time.perf_counter()
    # an address in TEST-NET-1 (RFC 5737) that nothing answers, with a short timeout
    from reslog.sources import fetch as f

    with pytest.raises(Exception) as ei:
        f.check_network("https://192.0.2.1/x.zip", timeout=1.0)
    assert "network is unreachable" in str(ei.value)
    assert "by hand" in str(ei.value)
    assert time.perf_counter() - t0 < 30
    res = _reslog("data", "fetch", "nonsense", "--db", str(tmp_path / "w.duckdb"))
    assert res.returncode == 2 and "unknown dataset" in res.stderr


def test_ledger_without_warehouse_exits_2(tmp_path: Path) -> None:
    res = _reslog("ledger", "--db", str(tmp_path / "none.duckdb"))
    assert res.returncode == 2
    assert "no warehouse here yet" in res.stderr


_BLOCK = """
import importlib.abc, sys
class _Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == {top!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, _Block())
sys.argv = ["reslog", *{argv!r}]
from reslog.cli import main
main()
"""


@pytest.mark.parametrize("top", ["sqlalchemy", "alembic", "argon2", "psycopg"])
def test_platform_without_the_web_extra_prints_one_line_hint(tmp_path: Path, top: str) -> None:
    """``reslog platform …`` on an install without ``reslog[web]``: one line naming the extra."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    argv = ["platform", "list-users", "--url",
            "postgresql+psycopg://127.0.0.1:1/x" if top == "psycopg" else f"sqlite:///{tmp_path / 'p.sqlite'}"]
    res = subprocess.run([sys.executable, "-c", _BLOCK.format(top=top, argv=argv)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stderr
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert f"'{top}' is not installed" in lines[0] and "reslog[web]" in lines[0]
