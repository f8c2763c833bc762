"""Country risk profiles: hand-computed small case and the real CSP2 + WGI data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reslog.errors import ModelInputError
from reslog.model.profiles import calc_event_rates, country_profiles
from reslog.schema import resolve_country

DIMS = ("va", "pv", "ge", "rq", "rl", "cc")


def _gov(d: dict[str, float], year: int = 2023) -> pd.DataFrame:
    return pd.DataFrame([(c, year, i, e) for c, e in d.items() for i in DIMS],
                        columns=["country", "year", "indicator", "estimate"])


def _events(rows: list[tuple[str, str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["country", "event_type", "start_time", "severity", "confidence"])


def test_profile_by_hand() -> None:
    gov = _gov({"BRA": -0.5, "AUS": 1.5})
    ev = _events([
        ("BRA", "tailings_failure", "2019-01-25", 1.0, 1.0),
        ("BRA", "tailings_failure", "2015-11-05", 1.0, 0.5),
        ("BRA", "labour_unrest", "2020-06-01", 0.5, 1.0),
        ("BRA", "tailings_failure", "2001-01-01", 1.0, 1.0),  # outside the window
    ])
    p = country_profiles(gov, ev, 2023, window=10)
    bra = p.loc["BRA"]
    assert bra["wgi_eu"] == pytest.approx(6.0) and bra["G"] == pytest.approx(0.6)
    assert bra["rate_tailings_failure"] == pytest.approx(1.5 / 10)
    assert bra["rate_labour_unrest"] == pytest.approx(0.05)
    assert bra["n_tailings_failure"] == 2 and bra["n_events"] == 3
    lam = 0.2
    assert bra["E"] == pytest.approx(1 - math.exp(-lam))
    assert bra["risk"] == pytest.approx(0.5 * 0.6 + 0.5 * (1 - math.exp(-lam)))
    aus = p.loc["AUS"]
    assert aus["E"] == 0.0 and aus["risk"] == pytest.approx(0.5 * 0.2)


def test_profile_missing_wgi_is_nan_not_guessed() -> None:
    p = country_profiles(_gov({"AUS": 1.0}), _events([("XKX", "pollution", "2020-01-01", 1, 1)]), 2023)
    assert np.isnan(p.loc["XKX", "risk"]) and p.loc["XKX", "missing"] == "WGI"


def test_bad_severity_raises() -> None:
    with pytest.raises(ModelInputError, match="severity"):
        calc_event_rates(_events([("BRA", "pollution", "2020-01-01", 2.0, 1.0)]), 2023)


# ----------------------------------------------------------------------------- real data


_SEV = {1: 1.0, 2: 0.75, 3: 0.5, 4: 0.25}  # CSP2 class 1 (very serious) … 4 (least serious)


def _country_from_text(text: str) -> str | None:
    text = str(text).split("(")[0]
    for part in reversed([p.strip() for p in text.replace(";", ",").split(",")]):
        iso = resolve_country(part)
        if iso:
            return iso
    return None


def _load_csp2(shared: Path) -> pd.DataFrame:
    path = shared / "risk_events" / "tailings_dam_failures_1915_2022_csp2.csv"
    try:  # the canonical reader, once it exists
        from reslog.sources.tailings import read_csp2_tailings  # type: ignore[import-not-found]

        return read_csp2_tailings(path).tables["risk_events"]
    except ImportError:
        raw = pd.read_csv(path, encoding="utf-8-sig")
        return pd.DataFrame({
            "country": raw["MINE/PROJECT & LOCATION"].map(_country_from_text),
            "event_type": "tailings_failure",
            "start_time": pd.to_datetime(raw["INCIDENT YEAR"].astype(str) + "-07-01"),
            "severity": raw["SEVERITY CODE"].map(_SEV).fillna(0.5),
            "confidence": 1.0,
        })


def _load_wgi(shared: Path) -> pd.DataFrame:
    path = shared / "governance" / "wgi_2024_update_1996_2023_long.csv"
    try:
        from reslog.sources.wgi import read_wgi  # type: ignore[import-not-found]

        return read_wgi(path).tables["governance"]
    except ImportError:
        raw = pd.read_csv(path)
        raw["country"] = raw["code"].map(lambda c: resolve_country(c) or c)
        return raw[["country", "year", "indicator", "estimate"]]


@pytest.mark.shared_data
def test_profiles_from_real_csp2_and_wgi(shared_data: Path) -> None:
    events = _load_csp2(shared_data)
    assert len(events) == 376
    gov = _load_wgi(shared_data)
    p = country_profiles(gov, events, 2022, window=30)
    # Brazil (Mariana 2015, Brumadinho 2019 …) has a tailings history in the window
    assert p.loc["BRA", "n_tailings_failure"] >= 2
    assert p.loc["BRA", "E"] > 0
    # every profile with WGI has a risk in [0, 1]
    ok = p["risk"].dropna()
    assert len(ok) > 150 and ok.between(0, 1).all()
    # governance alone orders Finland below DR Congo
    assert p.loc["FIN", "G"] < p.loc["COD", "G"]
    # the window matters: 1915–2022 holds more events than 1993–2022
    p_all = country_profiles(gov, events, 2022, window=108)
    assert p_all["n_events"].sum() > p["n_events"].sum()
