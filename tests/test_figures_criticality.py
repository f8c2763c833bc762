"""Criticality matrix output: offline HTML (no CDN), PNG and SVG."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reslog.errors import ModelInputError
from reslog.figures.criticality import figure_html, matrix_points, write_matrix

DF = pd.DataFrame({"commodity": ["antimony", "bauxite", "x", "y"], "sr": [2.0, 0.5, float("nan"), 1.2],
                   "ei": [4.7, 2.9, 3.0, 2.0]})


def test_points_and_thresholds() -> None:
    pts, missing = matrix_points(DF)
    assert missing == ["x"]
    crit = pts.set_index("commodity")["critical"]
    assert bool(crit["antimony"]) and not bool(crit["bauxite"]) and not bool(crit["y"])
    with pytest.raises(ModelInputError, match="missing column"):
        matrix_points(DF.drop(columns="ei"))


def test_html_is_offline(tmp_path: Path) -> None:
    html = figure_html(DF)
    import re

    assert '<script src="http' not in html
    assert not re.search(r"<script[^>]+src=", html)  # plotly.js is inlined, nothing is fetched
    assert "antimony" in html and "plotly" in html.lower()
    out = write_matrix(DF, tmp_path / "m.html")
    assert out.read_text(encoding="utf-8").count("<html") == 1


@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_static_files(tmp_path: Path, suffix: str, magic: bytes) -> None:
    out = write_matrix(DF, tmp_path / f"m{suffix}")
    assert out.read_bytes().startswith(magic)
    with pytest.raises(ModelInputError, match="png or .svg"):
        write_matrix(DF, tmp_path / "m.pdf")
