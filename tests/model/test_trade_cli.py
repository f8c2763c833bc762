"""``reslog trade`` commands against a real warehouse (BACI extract + USGS MCS)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from reslog.errors import ReslogError

pytestmark = pytest.mark.shared_data


def make_app() -> typer.Typer:
    from reslog.cli.trade import register

    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """test root"""

    register(app)
    return app


@pytest.fixture(scope="module")
def warehouse(shared_data: Path, tmp_path_factory) -> Path:
    import reslog.store.trade_tables  # noqa: F401
    from reslog.sources.baci import read_baci
    from reslog.sources.usgs import read_usgs_mcs
    from reslog.store.warehouse import Warehouse

    path = tmp_path_factory.mktemp("wh") / "r.duckdb"
    wh = Warehouse.open(path)
    wh.ingest(read_baci(shared_data / "trade" / "baci_HS92_2021_V202301_exports_ZAF_AFG.csv"),
              kind="baci")
    wh.ingest(read_usgs_mcs(shared_data / "production" / "mcs2026_world_production" /
                            "manganese.csv"), kind="usgs")
    # the shared data has production for 2024/25 only: copy 2024 to 2021 (test proxy)
    wh.con.execute("INSERT INTO production SELECT country, commodity, 2021, stage, quantity, unit, "
                   "marker, estimated, source, ledger_id FROM production WHERE year = 2024")
    # a two-region, two-sector MRIO in io_blocks for `trade link`
    rows = []
    z = {("JPN", "c2", "JPN", "c14"): 1.0, ("ZAF", "c2", "JPN", "c14"): 2.0,
         ("ZAF", "c12", "JPN", "c14"): 3.0, ("JPN", "c14", "JPN", "c2"): 0.5}
    for (rr, rs, cr, cs), v in z.items():
        rows.append(("toy", "Z", rr, rs, cr, cs, v, "MUSD"))
    for r in ("JPN", "ZAF"):
        for s in ("c2", "c12", "c14"):
            rows.append(("toy", "x", r, s, None, None, 10.0, "MUSD"))
    wh.con.executemany("INSERT INTO io_blocks VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)", rows)
    wh.close()
    return path


def run(args: list[str], db: Path):
    return CliRunner().invoke(make_app(), [*args, "--db", str(db)])


def test_trace_names_years_when_missing(warehouse: Path):
    r = run(["trade", "trace", "--metal", "manganese", "--year", "2019"], warehouse)
    assert isinstance(r.exception, ReslogError)
    assert "no mine production of manganese for 2019" in str(r.exception)
    assert "2021, 2024, 2025" in str(r.exception)
    r = run(["trade", "trace", "--metal", "manganese", "--year", "2024"], warehouse)
    assert "no trade for 2024" in str(r.exception) and "years with trade: 2021" in str(r.exception)
    r = run(["trade", "trace", "--metal", "unobtainium", "--year", "2021"], warehouse)
    assert "not a metal" in str(r.exception)


def test_clean_then_trace_and_sankey(warehouse: Path, tmp_path: Path):
    r = run(["trade", "clean", "--years", "2021"], warehouse)
    assert r.exit_code == 0, r.output
    assert "71,192 rows cleaned" in r.output
    r = run(["trade", "clean", "--years", "2021"], warehouse)
    assert "already cleaned" in r.output  # idempotent
    out = tmp_path / "mn.csv"
    r = run(["trade", "trace", "--metal", "manganese", "--year", "2021", "--output", str(out)],
            warehouse)
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out)
    assert list(df.columns) == ["consumer", "origin", "quantity_t", "share"]
    assert df.groupby("consumer")["share"].sum().round(9).eq(1.0).all()
    assert df.loc[df["consumer"] == "KOR", "origin"].tolist() == ["ZAF"]
    r = run(["trade", "trace", "--metal", "manganese", "--year", "2021", "--consumer", "Korea",
             "--output", str(out)], warehouse)
    assert set(pd.read_csv(out)["consumer"]) == {"KOR"}
    html = tmp_path / "mn.html"
    r = run(["trade", "sankey", "--metal", "manganese", "--year", "2021", "--output", str(html)],
            warehouse)
    assert r.exit_code == 0, r.output
    text = html.read_text()
    assert "<script src=\"http" not in text and "Sankey" in text


def test_link_ranks_items(warehouse: Path, tmp_path: Path):
    out = tmp_path / "link.csv"
    r = run(["trade", "link", "--io", "toy", "--sector", "c14", "--country", "JPN", "--top", "100000", "--output",
             str(out)], warehouse)
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out, dtype={"hs6": str})
    # A_m: c2 0.2, c12 0.3 per unit of c14; Leontief: x_c14 = 1 / (1 - 0.1 * 0.05)
    assert df.groupby("sector")["value_total"].sum().to_dict() == pytest.approx(
        {"c2": 0.2 / (1 - 0.1 * 0.05) * 1.0, "c12": 0.3 / (1 - 0.1 * 0.05)}, rel=1e-9)
    r = run(["trade", "link", "--io", "nope", "--sector", "c14"], warehouse)
    assert "no MRIO named 'nope'" in str(r.exception) and "toy" in str(r.exception)
