"""Chemical formulas with decimal counts (battery cathodes), zero counts and hydrates (issue 14, item 5)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reslog.errors import ModelInputError
from reslog.model.trade.metal_content import ATOMIC_WEIGHTS, parse_formula, stoichiometric_fraction


@pytest.mark.parametrize(("formula", "expected"), [
    ("Ni0.8Co0.15Al0.05O2", {"Ni": 0.8, "Co": 0.15, "Al": 0.05, "O": 2.0}),
    ("LiNi0.8Mn0.1Co0.1O2", {"Li": 1.0, "Ni": 0.8, "Mn": 0.1, "Co": 0.1, "O": 2.0}),
    ("LiNi0.33Mn0.33Co0.33O2", {"Li": 1.0, "Ni": 0.33, "Mn": 0.33, "Co": 0.33, "O": 2.0}),
    ("LiMn0O2", {"Li": 1.0, "Mn": 0.0, "O": 2.0}),
    ("CuSO4·5H2O", {"Cu": 1.0, "S": 1.0, "O": 9.0, "H": 10.0}),
    ("CuSO4.5H2O", {"Cu": 1.0, "S": 1.0, "O": 9.0, "H": 10.0}),
    ("CaSO4·0.5H2O", {"Ca": 1.0, "S": 1.0, "O": 4.5, "H": 1.0}),
    ("Fe2(SO4)3.9H2O", {"Fe": 2.0, "S": 3.0, "O": 21.0, "H": 18.0}),
    ("(NH4)10(H2W12O42)·4H2O", {"N": 10.0, "H": 48.0 + 2.0 + 0.0, "W": 12.0, "O": 46.0}),
    ("(Ni0.5Co0.5)0O", {"Ni": 0.0, "Co": 0.0, "O": 1.0}),
])
def test_parse_formula_by_hand(formula: str, expected: dict[str, float]) -> None:
    got = parse_formula(formula)
    assert got.keys() == expected.keys()
    for el, n in expected.items():
        assert got[el] == pytest.approx(n, rel=1e-12), el


def test_nca_nickel_fraction() -> None:
    # LiNi0.8Co0.15Al0.05O2: Ni 0.8·58.693 / (6.94 + 46.954 + 8.840 + 1.349 + 31.998) ≈ 0.489
    w = ATOMIC_WEIGHTS
    m = w["Li"] + 0.8 * w["Ni"] + 0.15 * w["Co"] + 0.05 * w["Al"] + 2 * w["O"]
    f = stoichiometric_fraction("LiNi0.8Co0.15Al0.05O2", "Ni")
    assert f == pytest.approx(0.8 * w["Ni"] / m, rel=1e-12)
    assert 0.48 < f < 0.50


def test_malformed_still_refused() -> None:
    with pytest.raises(ModelInputError, match="unknown element"):
        parse_formula("LiXx0.5O2")
    with pytest.raises(ModelInputError):
        parse_formula("Li0..5O2")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Li", "Ni", "Mn", "Co", "Al", "Fe", "P", "O", "Cu"]),
                          st.integers(0, 400)), min_size=1, max_size=6, unique_by=lambda t: t[0]))
def test_decimal_counts_round_trip(parts: list[tuple[str, int]]) -> None:
    # counts written with two decimals (0.00 … 4.00) parse back exactly
    text = "".join(f"{el}{n / 100:.2f}" for el, n in parts)
    got = parse_formula(text)
    assert got == {el: pytest.approx(n / 100, abs=1e-12) for el, n in parts}
