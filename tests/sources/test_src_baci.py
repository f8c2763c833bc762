"""CEPII BACI: release folders, code files, the DuckDB SqlScan and its checks."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from reslog.errors import InputError
from reslog.sources.baci import read_baci, run_scan, sql_literal
from reslog.store.tables import columns

COUNTRIES = ("country_code,country_name,country_iso2,country_iso3\n"
             "4,Afghanistan,AF,AFG\n490,\"Other Asia, nes\",N/A,N/A\n710,South Africa,ZA,ZAF\n"
             "842,USA,US,USA\n")
PRODUCTS = 'code,description\n010111,"Horses: live"\n260200,Manganese ores\n711011,Platinum\n'
HEAD = '"t","i","j","k","v","q"\n'
DATA = (HEAD + '2022,710,842,260200,1234.5,"      100.250"\n'
        '2022,710,490,711011,99.1,"           NA"\n'
        '2022,4,710,10111,0.5,"        0.001"\n')


@pytest.fixture()
def release(tmp_path: Path) -> Path:
    d = tmp_path / "BACI_HS17_V202401"
    d.mkdir()
    (d / "country_codes_V202401.csv").write_text(COUNTRIES)
    (d / "product_codes_HS17_V202401.csv").write_text(PRODUCTS)
    (d / "BACI_HS17_Y2022_V202401.csv").write_text(DATA)
    (d / "BACI_HS17_Y2021_V202401.csv").write_text(DATA.replace("2022,", "2021,"))
    return d


def _con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con


def _check(parsed) -> tuple | None:
    return run_scan(_con(), parsed.tables["trade"])[1]


def test_release_folder(release: Path):
    p = read_baci(release)
    assert p.meta.source == "baci" and p.meta.version == "HS17 V202401"
    assert p.meta.licence == "Etalab Open Licence 2.0"
    assert [Path(f).name for f in p.meta.files] == [
        "BACI_HS17_Y2021_V202401.csv", "BACI_HS17_Y2022_V202401.csv",
        "country_codes_V202401.csv", "product_codes_HS17_V202401.csv"]
    scan = p.tables["trade"]
    assert scan.rows_hint == 6
    df, bad = run_scan(_con(), scan)
    assert bad is None
    assert list(df.columns) == [c for c in columns("trade") if c != "ledger_id"]
    assert df.t.tolist() == [2021] * 3 + [2022] * 3
    assert df.k.tolist()[:3] == [260200, 711011, 10111]
    assert df.q.iloc[0] == pytest.approx(100.25) and df.q.isna().sum() == 2
    assert df.hs_revision.unique().tolist() == ["HS17"]
    assert scan.replace_where == "hs_revision = 'HS17' AND t IN (2021, 2022)"
    assert scan.file == str(release.resolve())
    tc = p.tables["trade_countries"]
    assert dict(zip(tc.code, tc.iso3)) == {4: "AFG", 490: "TWN", 710: "ZAF", 842: "USA"}
    assert tc.release.unique().tolist() == ["V202401"]
    hs = p.tables["hs_codes"]
    assert hs.code.tolist() == ["010111", "260200", "711011"] and hs.parent.iloc[1] == "2602"
    assert (hs.revision == "HS17").all() and (hs.level == 6).all()


def test_one_file_beside_code_files(release: Path):
    p = read_baci(release / "BACI_HS17_Y2022_V202401.csv")
    assert p.tables["trade"].rows_hint == 3 and _check(p) is None


def test_insert_into_a_warehouse_table(release: Path):
    con = _con()
    con.execute("CREATE TABLE trade (t SMALLINT NOT NULL, i SMALLINT NOT NULL, "
                "j SMALLINT NOT NULL, k INTEGER NOT NULL, v DOUBLE NOT NULL, q DOUBLE, "
                "hs_revision VARCHAR NOT NULL, ledger_id INTEGER)")
    scan = read_baci(release).tables["trade"]
    con.execute(f"INSERT INTO trade SELECT *, 7 FROM ({scan.sql})")
    assert con.execute("SELECT count(*), sum(v) FROM trade").fetchone() == (6, pytest.approx(
        2 * (1234.5 + 99.1 + 0.5)))


def test_path_with_quote_is_quoted(tmp_path: Path):
    d = tmp_path / "it's here"
    d.mkdir()
    (d / "country_codes_V202401.csv").write_text(COUNTRIES)
    (d / "product_codes_HS17_V202401.csv").write_text(PRODUCTS)
    (d / "BACI_HS17_Y2022_V202401.csv").write_text(DATA)
    p = read_baci(d)
    data = (d / "BACI_HS17_Y2022_V202401.csv").resolve()
    assert sql_literal(str(data)) in p.tables["trade"].sql and "it''s here" in p.tables["trade"].sql
    assert _check(p) is None


def test_real_extract(shared_data: Path):
    trade = shared_data / "trade"
    f = trade / "baci_HS92_2021_V202301_exports_ZAF_AFG.csv"
    p = read_baci(f)  # code files found beside it (baci_ prefix)
    q = read_baci(f, country_codes=trade / "baci_country_codes_V202301.csv",
                  product_codes=trade / "baci_product_codes_HS92_V202301.csv")
    assert p.meta.sha256 == q.meta.sha256
    df, bad = run_scan(_con(), p.tables["trade"])
    assert bad is None and len(df) == 71192 == p.tables["trade"].rows_hint
    assert sorted(df.i.unique().tolist()) == [4, 710]
    assert df.q.isna().sum() > 0 and (df.v > 0).all()
    assert len(p.tables["hs_codes"]) == 5021 and len(p.tables["trade_countries"]) == 238
    assert p.tables["hs_codes"].code.iloc[0] == "010111"


# ------------------------------------------------------------------ bad rows (SQL checks)
@pytest.mark.parametrize("line, field, match", [
    ('2022,999,842,260200,1,"1"', "i", "unknown exporter code 999"),
    ('2022,710,999,260200,1,"1"', "j", "unknown importer code 999"),
    ('2022,710,842,260300,1,"1"', "k", "unknown product code 260300"),
    ('2022,710,842,abc,1,"1"', "k", "not an HS 6-digit code"),
    ('2022,710,842,260200,-1,"1"', "v", "negative value"),
    ('2022,710,842,260200,nan,"1"', "v", "NaN"),
    ('2022,710,842,260200,,"1"', "v", "missing"),
    ('2022,710,842,260200,1,"  -3.5"', "q", "negative quantity"),
    ('2022,710,842,260200,1,"  lots"', "q", "not a number"),
    ('2023,710,842,260200,1,"1"', "t", "differs from the file name year 2022"),
    ('2022,710,842,260200,1,"1",9', "q", "more than 6 fields"),
])
def test_bad_rows_found_by_checks(release: Path, line: str, field: str, match: str):
    f = release / "BACI_HS17_Y2022_V202401.csv"
    f.write_text(DATA + line + "\n" + '2022,4,842,260200,2,"1"\n')
    bad = _check(read_baci(release))
    assert bad is not None
    row, fld, msg = bad
    assert (row, fld) == (4, field), bad
    assert match.lower() in msg.lower() and msg.startswith("BACI_HS17_Y2022_V202401.csv: ")
    one = read_baci(f)  # a single file: its path is the scan's file, no prefix
    assert _check(one)[2] == msg.split(": ", 1)[1] and one.tables["trade"].file == str(f.resolve())


def test_duplicate_key(release: Path):
    f = release / "BACI_HS17_Y2022_V202401.csv"
    f.write_text(DATA + '2022,4,842,260200,2,"1"\n2022,710,490,711011,5,"1"\n')
    row, field, msg = _check(read_baci(release))
    assert (row, field) == (5, "k") and "already on row 2" in msg


def test_first_bad_row_wins(release: Path):
    f = release / "BACI_HS17_Y2022_V202401.csv"
    f.write_text(DATA + '2022,710,842,260200,-1,"1"\n2022,999,842,260200,1,"1"\n')
    assert _check(read_baci(release))[:2] == (4, "v")


# ------------------------------------------------------------------ bad files (Python pass)
def _data(release: Path) -> Path:
    return release / "BACI_HS17_Y2022_V202401.csv"


def test_truncated_file(release: Path, expect_error):
    _data(release).write_text(DATA + '2022,710,842,2602')
    expect_error(read_baci, release, file=_data(release), row=4, match="truncated")
    _data(release).write_text(DATA + '2022,710,842,260200,1,"   12')
    expect_error(read_baci, release, file=_data(release), row=4, field="q", match="truncated")


def test_empty_binary_encoding_header(release: Path, expect_error):
    _data(release).write_text("")
    expect_error(read_baci, release, file=_data(release), row=0, field="t", match="empty")
    _data(release).write_bytes(HEAD.encode() + b"\x00\x01junk")
    expect_error(read_baci, release, file=_data(release), row=1, match="binary")
    _data(release).write_bytes(DATA.encode() + b'2022,710,842,260200,1,"caf\xe9"\n')
    expect_error(read_baci, release, file=_data(release), row=4, match="UTF-8")
    _data(release).write_text(DATA.replace('"v","q"', '"q","v"'))
    expect_error(read_baci, release, file=_data(release), row=0, match="header")
    _data(release).write_text(HEAD)
    expect_error(read_baci, release, file=_data(release), row=1, match="no data rows")


def test_code_files(release: Path, expect_error):
    (release / "country_codes_V202401.csv").unlink()
    expect_error(read_baci, release, match="country_codes=",
                 file=release / "BACI_HS17_Y2021_V202401.csv")
    cc = release.parent / "cc.csv"
    cc.write_text(COUNTRIES + "710,Again,ZA,ZAF\n")
    expect_error(read_baci, release, country_codes=cc, row=5, field="code",
                 match=r"duplicate key \(code=710\)", file=cc)
    pc = release / "product_codes_HS17_V202401.csv"
    pc.write_text(PRODUCTS + "12A456,Bad\n")
    cc.write_text(COUNTRIES)
    expect_error(read_baci, release, country_codes=cc, row=4, field="code", match="HS 6-digit",
                 file=pc)


def test_name_and_mixed_releases(tmp_path: Path, release: Path, expect_error):
    odd = tmp_path / "trade.csv"
    odd.write_text(DATA)
    expect_error(read_baci, odd, row=0, match="hs_revision=")
    (release / "BACI_HS12_Y2020_V202401.csv").write_text(DATA)
    with pytest.raises(InputError, match="different HS revisions"):
        read_baci(release)
