"""The main job and the foundation's acceptance: starter data in, a real result out, and a
corrupted starter file refused with file/row/field named and the warehouse left unchanged."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from rich.console import Console

from reslog.cli import main
from reslog.jobs.demo import STARTER_FILES, run_demo
from reslog.store.warehouse import Warehouse


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("demo")
    run_demo(d / "reslog.duckdb", d / "report.html", console=Console(file=open(d / "out.txt", "w")))
    return d / "reslog.duckdb"


def test_demo_fills_the_warehouse(demo_db: Path) -> None:
    with Warehouse.open(demo_db, read_only=True) as wh:
        n_comm = wh.query("SELECT count(DISTINCT commodity) n FROM production WHERE quantity > 0")["n"][0]
        n_mine_stage = wh.query(
            "SELECT count(DISTINCT commodity) n FROM production WHERE stage = 'mine' AND quantity > 0")["n"][0]
        assert n_comm >= 25 and n_mine_stage >= 25
        assert wh.counts()["mine_sites"] >= 60
        assert wh.counts()["governance"] > 0
        assert wh.counts()["risk_events"] >= 25
        led = wh.ledger()
        assert set(led["kind"]) == {kind for kind, _ in STARTER_FILES}
        # every data row is traceable to a ledger entry
        for t in ("production", "mine_sites", "governance", "risk_events", "hs_codes"):
            orphans = wh.query(f"SELECT count(*) n FROM {t} WHERE ledger_id NOT IN (SELECT ledger_id FROM ledger)")
            assert orphans["n"][0] == 0
        # every production row cites a source
        assert wh.query("SELECT count(*) n FROM production WHERE source IS NULL OR source = ''")["n"][0] == 0


def test_demo_report_is_offline_html(demo_db: Path) -> None:
    html = (demo_db.parent / "report.html").read_text(encoding="utf-8")
    assert "Herfindahl" in html and "Provenance" in html and "cobalt" in html
    assert '<script src="http' not in html and "<link rel=\"stylesheet\" href=\"http" not in html


def test_demo_is_idempotent(demo_db: Path, tmp_path: Path) -> None:
    with Warehouse.open(demo_db, read_only=True) as wh:
        before = wh.checksums()
    run_demo(demo_db, tmp_path / "r.html", console=Console(file=open(tmp_path / "o.txt", "w")))
    with Warehouse.open(demo_db, read_only=True) as wh:
        assert wh.checksums() == before


def _run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    old = sys.argv
    sys.argv = ["reslog", *args]
    try:
        main()
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    finally:
        sys.argv = old
    out = capsys.readouterr()
    return code, out.out + out.err


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _corrupt(kind: str, src: Path, dst: Path, how: str) -> None:
    lines = _lines(src)
    header = lines[0].rstrip("\n").split(",")
    if how in ("negative", "out_of_range"):
        fld = "quantity" if "quantity" in header else "lat"
        i = header.index(fld)
        for n, line in enumerate(lines[1:], start=1):
            cells = line.split(",")
            if len(cells) > i and cells[i].strip() not in ("", "NA"):
                cells[i] = "-5" if how == "negative" else "123.5"
                lines[n] = ",".join(cells)
                break
    elif how == "unknown_country":
        i = header.index("country") if "country" in header else header.index("code")
        cells = lines[3].split(",")
        cells[i] = "Atlantis"
        lines[3] = ",".join(cells)
    elif how == "truncated":
        text = "".join(lines)
        lines = [text[: int(len(text) * 0.6)]]
        while lines[0].endswith(("\n", ",")):
            lines[0] = lines[0][:-1]
    elif how == "duplicate":
        lines.insert(2, lines[1])
    elif how == "missing_column":
        drop = header.index("country") if "country" in header else 1
        lines = [",".join(c for j, c in enumerate(l.rstrip("\n").split(",")) if j != drop) + "\n"
                 for l in lines]
    elif how == "nan":
        fld = "quantity" if "quantity" in header else ("estimate" if "estimate" in header else "lat")
        i = header.index(fld)
        for n, line in enumerate(lines[1:], start=1):
            cells = line.split(",")
            if len(cells) > i and cells[i].strip() not in ("", "NA"):
                cells[i] = "nan"
                lines[n] = ",".join(cells)
                break
    if how == "encoding":
        data = "".join(lines).encode("utf-8")
        # a latin-1 byte in the middle of the file: not valid UTF-8
        cut = data.index(b"\n", len(data) // 2) + 1
        dst.write_bytes(data[:cut] + b"Caf\xe9,\xe9\n" + data[cut:])
        return
    dst.write_text("".join(lines), encoding="utf-8")


CASES = [
    ("production", "negative"), ("production", "unknown_country"), ("production", "truncated"),
    ("production", "duplicate"), ("production", "missing_column"), ("production", "nan"),
    ("production", "encoding"), ("mines", "out_of_range"), ("mines", "duplicate"),
    ("mines", "unknown_country"), ("wgi", "nan"), ("wgi", "duplicate"), ("wgi", "truncated"),
    ("events", "duplicate"), ("events", "unknown_country"), ("events", "encoding"),
]


@pytest.mark.parametrize(("kind", "how"), CASES, ids=[f"{k}-{h}" for k, h in CASES])
def test_corrupted_starter_file_exits_2_and_changes_nothing(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, how: str
) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(demo_db, db)
    src = dict(STARTER_FILES)[kind]
    bad = tmp_path / f"bad_{src.name}"
    _corrupt(kind, src, bad, how)
    with Warehouse.open(db, read_only=True) as wh:
        before = wh.checksums()
    code, out = _run_cli(["ingest", kind, str(bad), "--db", str(db)], capsys)
    assert code == 2, out
    assert bad.name in out
    if how != "missing_column":
        assert "row " in out, out
    # a cut inside a quoted cell has no complete field to name: the message says the file is truncated
    assert "field '" in out or how == "encoding" or (how == "truncated" and "truncated" in out), out
    with Warehouse.open(db, read_only=True) as wh:
        assert wh.checksums() == before
