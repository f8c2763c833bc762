"""Origin tracing: a hand-solved 3-country case, multi-stage chains, and network invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reslog.errors import ModelInputError
from reslog.figures.sankey import sankey_html
from reslog.model.trade.sankey import calc_sankey_links
from reslog.model.trade.tracing import (
    UNTRACED,
    StageInput,
    calc_mass_balance,
    consumer_origins,
    trace_chain,
    trace_origins,
)


def trade(*rows):
    return pd.DataFrame(rows, columns=["exporter", "importer", "quantity"])


# A mines 100, C mines 50; A→B 60, B→C 30, C→A 10.
# Supplies: x_A = 110, x_B = 60, x_C = 80; consumption c = (50, 30, 70).
# Origin mix: A's supply = (100 A + 10·mix_C)/110, B's = mix_A, C's = (50 C + 30·mix_B)/80
# → mix_A = mix_B = (16/17 A, 1/17 C), mix_C = (6/17 A, 11/17 C).
HAND = trade(("A", "B", 60.0), ("B", "C", 30.0), ("C", "A", 10.0))
HAND_P = pd.Series({"A": 100.0, "C": 50.0})


def test_hand_solved_three_countries():
    res = trace_origins(HAND_P, HAND).set_index(["consumer", "origin"])["quantity_t"]
    expect = {("A", "A"): 50 * 16 / 17, ("A", "C"): 50 / 17,
              ("B", "A"): 30 * 16 / 17, ("B", "C"): 30 / 17,
              ("C", "A"): 70 * 6 / 17, ("C", "C"): 70 * 11 / 17}
    assert len(res) == len(expect)
    for k, v in expect.items():
        assert res[k] == pytest.approx(v, rel=1e-12)
    bal = calc_mass_balance(HAND_P, HAND).set_index("country")
    assert bal["apparent_consumption"].tolist() == [50.0, 30.0, 70.0]
    assert not bal["negative"].any()


def test_negative_apparent_consumption_is_flagged_and_untraced():
    tr = trade(("A", "B", 120.0))  # A mines 100 but exports 120
    res = trace_chain([StageInput("mine", tr, pd.Series({"A": 100.0}))])
    neg = res.negative
    assert neg.to_dict("records") == [{"stage": "mine", "country": "A",
                                       "apparent_consumption": -20.0}]
    b = consumer_origins(res).set_index(["consumer", "origin"])["quantity_t"]
    assert b[("B", "A")] == pytest.approx(100.0)
    assert b[("B", UNTRACED)] == pytest.approx(20.0)
    assert any("negative apparent consumption" in n and "A" in n for n in res.notes)


def test_two_stage_chain_with_loss_and_untraced_input():
    ore = trade(("M", "R", 80.0))  # M mines 100, ships 80 to refiner R
    ref = trade(("R", "C", 50.0))
    res = trace_chain([
        StageInput("mine", ore, pd.Series({"M": 100.0})),
        StageInput("refined", ref, pd.Series({"R": 70.0, "M": 30.0})),
    ])
    # R consumed 80 ore but refined 70: loss 10 of origin M; M refined 30 > its 20 ore → 10 untraced
    loss = res.losses.set_index(["country", "origin"])["quantity_t"]
    assert loss[("R", "M")] == pytest.approx(10.0)
    b = res.balance.set_index(["stage", "country"])
    assert b.loc[("refined", "M"), "untraced_input"] == pytest.approx(10.0)
    att = res.attribution[res.attribution["stage"] == "refined"]
    flows = att.groupby(["origin", "via", "consumer"])["quantity_t"].sum()
    assert flows[("M", "R", "C")] == pytest.approx(50.0)
    assert flows[("M", "R", "R")] == pytest.approx(20.0)
    assert flows[("M", "M", "M")] == pytest.approx(20.0)
    assert flows[(UNTRACED, "M", "M")] == pytest.approx(10.0)
    links = calc_sankey_links(res)
    assert links["quantity_t"].sum() == pytest.approx(100.0)


def test_sankey_html_is_offline():
    res = trace_chain([StageInput("mine", HAND, HAND_P),
                       StageInput("refined", trade(("A", "C", 5.0)))])
    html = sankey_html(calc_sankey_links(res), title="test")
    assert "<script" in html and "Plotly" in html
    import re
    srcs = re.findall(r"<script[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)", html, flags=re.I)
    assert not [s for s in srcs if s.lower().startswith(("http:", "https:", "//"))]
    links = re.findall(r"<link[^>]*\bhref\s*=\s*[\"']?(https?:|//)", html, flags=re.I)
    assert not links
    assert len(html) > 1_000_000  # plotly.js is inlined, not fetched


def test_bad_input_names_stage_and_labels():
    with pytest.raises(ModelInputError, match="stage 'mine' trade: invalid quantity"):
        trace_origins(HAND_P, trade(("A", "B", -1.0)))
    with pytest.raises(ModelInputError, match="to itself"):
        trace_origins(HAND_P, trade(("A", "A", 1.0)))
    with pytest.raises(ModelInputError, match="negative or missing"):
        trace_origins(pd.Series({"A": -5.0}), HAND)
    with pytest.raises(ModelInputError, match="needs mine production"):
        trace_chain([StageInput("mine", HAND, None)])
    with pytest.raises(ModelInputError, match="closed re-export loop"):
        trace_origins(pd.Series({"C": 1.0}), trade(("A", "B", 5.0), ("B", "A", 5.0)))


@st.composite
def networks(draw):
    n = draw(st.integers(2, 7))
    names = [f"C{k}" for k in range(n)]
    prod = draw(st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 1000)), min_size=n, max_size=n))
    if sum(prod) <= 0:
        prod[0] = 1.0
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                    st.floats(0.01, 500)), max_size=20))
    rows = [(names[a], names[b], q) for a, b, q in edges if a != b]
    return pd.Series(prod, index=names), trade(*rows) if rows else trade()


@settings(max_examples=150, deadline=None)
@given(networks(), st.lists(st.floats(0.1, 2.0), min_size=7, max_size=7))
def test_invariants_on_random_networks(net, factors):
    prod, tr = net
    # second stage: refining output = consumption × random factor (losses and untraced input)
    res0 = trace_chain([StageInput("mine", tr, prod)])
    c0 = res0.balance.set_index("country")["apparent_consumption"].clip(lower=0)
    p1 = pd.Series([c0.get(k, 0.0) * factors[n % 7] for n, k in enumerate(c0.index)],
                   index=c0.index)
    tr1 = tr.assign(quantity=tr["quantity"] * 0.3)
    for stages in ([StageInput("mine", tr, prod)],
                   [StageInput("mine", tr, prod), StageInput("refined", tr1, p1)]):
        res = trace_chain(stages)
        final = consumer_origins(res)
        # shares sum to 1 for every consumer with consumption
        s = final.groupby("consumer")["share"].sum()
        np.testing.assert_allclose(s.to_numpy(dtype=float), 1.0, rtol=1e-9)
        # traced mine-origin total = world production − documented losses (per origin too)
        real = final[final["origin"] != UNTRACED]
        lost = res.losses[res.losses["origin"] != UNTRACED]
        scale = max(1.0, prod.sum())
        assert real["quantity_t"].sum() == pytest.approx(
            prod.sum() - lost["quantity_t"].sum(), abs=1e-7 * scale)
        per_origin = real.groupby("origin")["quantity_t"].sum()
        lost_o = lost.groupby("origin")["quantity_t"].sum()
        for o, p in prod.items():
            assert per_origin.get(o, 0.0) == pytest.approx(p - lost_o.get(o, 0.0),
                                                            abs=1e-7 * scale)
        # untraced = deficits + untraced stage inputs − untraced losses
        b = res.balance
        last = b[b["stage"] == res.stages[-1]]
        unt = final.loc[final["origin"] == UNTRACED, "quantity_t"].sum()
        unt_in = b["deficit"].sum() + b["untraced_input"].sum()
        unt_lost = res.losses.loc[res.losses["origin"] == UNTRACED, "quantity_t"].sum()
        assert unt == pytest.approx(unt_in - unt_lost, abs=1e-7 * scale)
        assert (final["quantity_t"] >= -1e-9).all()
        assert len(last) == len(set(b["country"]))
