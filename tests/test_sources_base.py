"""Shared reader helpers in reslog.sources.base."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reslog.errors import InputError
from reslog.sources.base import check_unique


def test_check_unique_names_the_repeated_row_and_its_first_occurrence() -> None:
    # rows 2 and 3 repeat *different* keys of rows 1 and 0: the error must pair row 2 with row 1
    df = pd.DataFrame({"k": ["a", "b", "b", "a"]})
    with pytest.raises(InputError) as e:
        check_unique(Path("f.csv"), df, ["k"])
    assert e.value.row == 3 and e.value.field == "k"
    assert "k='b'" in str(e.value) and "already on row 2" in str(e.value)


def test_check_unique_uses_given_row_numbers() -> None:
    df = pd.DataFrame({"k": ["x", "y", "x"]}, index=[10, 11, 12])
    rows = pd.Series([5, 7, 9], index=df.index)
    with pytest.raises(InputError, match="already on row 5") as e:
        check_unique(Path("f.csv"), df, ["k"], rows)
    assert e.value.row == 9


def test_check_unique_passes_unique_keys() -> None:
    check_unique(Path("f.csv"), pd.DataFrame({"k": [1, 2], "j": [1, 1]}), ["k", "j"])
