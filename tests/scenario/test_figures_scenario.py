"""The area's figures build offline from small hand-made frames (one trace per series)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from reslog.figures.fingerprint import embedding_figure, spider_figure
from reslog.figures.panel import worsened_bar_figure
from reslog.figures.scenario import demand_figure, to_html, trade_projection_figure
from reslog.model.fingerprint.features import REE


def test_trade_figure_one_panel_per_product_and_offline_html() -> None:
    proj = pd.DataFrame([{"product": p, "scenario": s, "year": y, "world": 10.0, "lower": 1.0, "upper": 100.0}
                         for p in (847191, 854219) for s in ("below2C", "high") for y in (2020, 2050)])
    hist = pd.DataFrame({"product": [847191], "year": [2021], "volume": [12.0]})
    fig = trade_projection_figure(proj, hist)
    assert [a.text for a in fig.layout.annotations] == ["HS 847191", "HS 854219"]
    assert len(fig.data) == 2 * 2 * 2 + 1
    html = to_html(fig)
    assert "<script src=" not in html and "<script" in html  # plotly.js inlined, nothing fetched


def test_demand_panel_fingerprint_figures() -> None:
    dem = pd.DataFrame({"year": [2030, 2050], "element": ["lithium", "lithium"], "primary_t": [100.0, 50.0]})
    comp = pd.DataFrame({"commodity": ["lithium"], "production_t": [200.0]})
    f = demand_figure(dem, comp)
    np.testing.assert_allclose(f.data[0].y, [50.0, 25.0])
    s = pd.DataFrame({"metal": ["zinc", "zinc"], "class": ["base"] * 2, "component": ["mined", "imported"],
                      "tests": [2, 0], "worsened": [1, 0]})
    b = worsened_bar_figure(s)
    assert list(b.data[0].text) == ["1/2"] and list(b.data[1].text) == ["n/a"]
    norm = pd.DataFrame(np.ones((4, len(REE))), columns=list(REE))
    assert len(spider_figure(norm, pd.Series(["a", "a", "b", "b"])).data) == 4
    emb = pd.DataFrame({"x": [0, 1], "y": [1, 0], "label": ["a", "b"], "deposit": ["d1", "d2"], "method": "umap"})
    assert "UMAP" in embedding_figure(emb).layout.title.text
