"""Quantities read from text and the severity rules."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reslog.intel.text.quantities import (calc_deaths, calc_duration_days, calc_release_m3,
                                          calc_text_date, parse_number)
from reslog.intel.text.severity import calc_severity, calc_share_lookup


@pytest.mark.parametrize("text,lang,value", [
    ("At least seven people were confirmed dead and 200 missing", "en", 7),
    ("Gunmen kill 11 at gold mining site", "en", 11),
    ("21 miners dead in gas explosions", "en", 21),
    ("7 dead on Friday; the death toll rose to 11 on Sunday", "en", 11),
    ("これまでに9人の死亡が確認され", "ja", 9),
    ("作業員12人死亡", "ja", 12),
    ("死者は十二人に上った", "ja", 12),
])
def test_deaths(text, lang, value):
    assert calc_deaths(text, lang).value == value


def test_no_deaths_in_unrelated_numbers():
    assert calc_deaths("Output rose 20% to 300,000 tonnes", "en") is None


def test_volume_duration_date():
    assert calc_release_m3("close to 12 million cubic metres of waste", "en").value == 12e6
    assert calc_release_m3("約1200万立方メートルの泥", "ja").value == 12e6
    assert calc_release_m3("200,000 litres of slurry", "en").value == pytest.approx(200.0)
    assert calc_duration_days("suspends exports for four months", "en").value == 120
    assert calc_duration_days("操業を2週間停止", "ja").value == 14
    assert calc_text_date("on 5 March 2024 the") == "2024-03-05"
    assert calc_text_date("2019年1月25日に決壊") == "2019-01-25"
    assert parse_number("二十三") == 23


def test_severity_hand_checked_example():
    # docstring example: b = 0.5; x_cas = 1 - e^-0.7; x_vol = log10(12e6/1e3)/5
    x_cas = 1 - math.exp(-0.7)
    x_vol = math.log10(12e3) / 5
    expected = 0.5 + 0.5 * (1 - (1 - x_cas) * (1 - x_vol))
    assert calc_severity("tailings_failure", deaths=7, release_m3=12e6) == pytest.approx(expected, abs=1e-4)
    assert calc_severity("none", deaths=100) == 0.0
    assert calc_severity("labour_unrest") == 0.25
    with pytest.raises(ValueError, match="unknown event type"):
        calc_severity("earthquake")


@given(st.sampled_from(["tailings_failure", "labour_unrest", "asgm", "sanctions"]),
       st.floats(0, 1e4), st.floats(0, 1e9), st.floats(0, 1e3), st.floats(0, 1))
def test_severity_bounded_and_monotone(t, d, v, dur, share):
    s = calc_severity(t, d, v, dur, share)
    assert 0.0 <= s <= 1.0
    assert calc_severity(t, d + 10, v, dur, share) >= s - 1e-9
    assert calc_severity(t, d, v * 10 + 1e4, dur, share) >= s - 1e-9


def test_share_lookup_from_production():
    prod = pd.DataFrame({"country": ["COD", "IDN", "WLD", "COD"], "commodity": ["cobalt"] * 4,
                         "year": [2023, 2023, 2023, 2022], "stage": ["mine"] * 4,
                         "quantity": [170.0, 17.0, 230.0, 999.0]})
    sh = calc_share_lookup(prod)
    assert sh[("COD", "cobalt")] == pytest.approx(170 / 230)
    assert ("WLD", "cobalt") not in sh
