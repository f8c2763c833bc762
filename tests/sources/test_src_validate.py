"""The strict CSV parser and vectorised column checks shared by every reader."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reslog.errors import InputError
from reslog.sources.validate import (
    check_unique_rows,
    col_country,
    col_number,
    col_timestamp,
    read_csv_table,
)


def test_rows_are_numbered_from_one_and_blank_lines_count(write):
    p = write("a.csv", "x,y\n1,2\n\n3,4\n")
    df = read_csv_table(p, ["x", "y"])
    assert list(df.index) == [1, 3]
    assert df.loc[3, "x"] == "3"


def test_quoted_line_breaks_stay_one_row(write):
    p = write("a.csv", 'x,"y\nz"\n1,"two\nlines"\n3,4\n')
    df = read_csv_table(p, ["x", "y z"], rename={"y\nz": "y z"})
    assert list(df.index) == [1, 2] and df.loc[1, "y z"] == "two\nlines"


@pytest.mark.parametrize("content, row, field, match", [
    ("", 0, None, "empty"),
    ("x,y\n", 1, "x", "no data rows"),
    ("x\n1\n", 0, "y", "missing column"),
    ("x,y\n1,2\n3\n4,5\n", 2, "y", "2"),
    ("x,y\n1,2\n3,4,5\n", 2, "y", "extra value"),
    ("x,y\n1,2\n3", 2, "y", "truncated"),
    ('x,y\n1,2\n3,"ab', 2, None, "truncated"),
    ("x,x\n1,2\n", 0, "x", "twice"),
])
def test_structural_errors(write, expect_error, content, row, field, match):
    p = write("bad.csv", content)
    expect_error(read_csv_table, p, ["x", "y"], row=row, field=field, match=match)


def test_latin1_bytes_are_located(write, expect_error):
    p = write("enc.csv", "x,y\n1,ok\n2,caf".encode() + b"\xe9\n")
    expect_error(read_csv_table, p, ["x", "y"], row=2, field="y", match="UTF-8")


def test_binary_junk_is_refused(write, expect_error):
    p = write("junk.csv", b"x,y\n\x00\x01\x02\xff\xfe")
    expect_error(read_csv_table, p, ["x", "y"], row=1, field="x", match="binary")


def test_col_number_first_bad_row_and_thousands(write, expect_error):
    df = pd.DataFrame({"q": ["1,234", "5", "nan", "-1"]}, index=[1, 2, 3, 4])
    with pytest.raises(InputError) as e:
        col_number("f.csv", df, "q")
    assert e.value.row == 3 and e.value.field == "q"
    ok = col_number("f.csv", df.loc[[1, 2]], "q")
    assert ok.tolist() == [1234.0, 5.0]
    with pytest.raises(InputError, match="negative") as e:
        col_number("f.csv", pd.DataFrame({"q": ["1", "-2"]}, index=[7, 8]), "q")
    assert e.value.row == 8
    with pytest.raises(InputError, match="not a number"):  # European decimal comma is refused
        col_number("f.csv", pd.DataFrame({"q": ["1,5"]}, index=[1]), "q")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=20))
def test_col_number_reads_thousands_separators_back(values):
    df = pd.DataFrame({"q": [f"{v:,}" for v in values]}, index=range(1, len(values) + 1))
    assert col_number("f.csv", df, "q").tolist() == [float(v) for v in values]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=30))
def test_fail_first_names_the_first_bad_row(bad_flags):
    vals = ["x" if b else "1" for b in bad_flags]
    df = pd.DataFrame({"q": vals}, index=range(1, len(vals) + 1))
    if any(bad_flags):
        with pytest.raises(InputError) as e:
            col_number("f.csv", df, "q")
        assert e.value.row == bad_flags.index(True) + 1
    else:
        assert col_number("f.csv", df, "q").notna().all()


def test_col_country_and_aggregates():
    df = pd.DataFrame({"c": ["Congo (Kinshasa)", "Burma", "ZAR", "World total (rounded)"]},
                      index=[1, 2, 3, 4])
    assert col_country("f", df, "c", allow_aggregates=True).tolist() == ["COD", "MMR", "COD",
                                                                          "WLD"]
    with pytest.raises(InputError, match="aggregate") as e:
        col_country("f", df, "c")
    assert e.value.row == 4
    with pytest.raises(InputError, match="unknown country 'Atlantis'"):
        col_country("f", pd.DataFrame({"c": ["Atlantis"]}, index=[1]), "c")


def test_timestamps_iso_only_and_utc():
    df = pd.DataFrame({"t": ["2019-01-25", "2019-01-25T12:28:00-02:00"]}, index=[1, 2])
    ts = col_timestamp("f", df, "t")
    assert ts.tolist() == [pd.Timestamp("2019-01-25"), pd.Timestamp("2019-01-25 14:28")]
    with pytest.raises(InputError, match="ISO 8601") as e:
        col_timestamp("f", pd.DataFrame({"t": ["2019-01-25", "25/01/2019"]}, index=[1, 2]), "t")
    assert e.value.row == 2


def test_check_unique_names_both_rows():
    df = pd.DataFrame({"a": ["x", "y", "x"], "b": [1, 2, 1]}, index=[1, 2, 3])
    with pytest.raises(InputError, match="already on row 1") as e:
        check_unique_rows("f", df, ["a", "b"])
    assert e.value.row == 3 and e.value.field == "a"
