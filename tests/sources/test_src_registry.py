"""The ``reslog ingest KIND PATH`` registry: kinds, provenance metadata per kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from reslog.errors import InputError
from reslog.sources.registry import DESCRIPTIONS, READERS, read

EXPECTED = {"baci", "usgs", "production", "wgi", "mines", "events", "tailings"}


def test_kinds():
    assert EXPECTED <= set(READERS) and set(DESCRIPTIONS) == set(READERS)


def test_unknown_kind_lists_valid_ones():
    with pytest.raises(InputError, match="valid kinds are baci, cait, events") as e:
        read("comtrade", "x.csv")
    assert e.value.field == "kind"


@pytest.mark.parametrize("kind, rel, source, licence", [
    ("usgs", "production/mcs2026_world_production/nickel.csv", "usgs_mcs",
     "public domain (US Government work)"),
    ("wgi", "governance/wgi_2024_update_1996_2023_long.csv", "wgi", "CC BY 4.0"),
    ("baci", "trade/baci_HS92_2021_V202301_exports_ZAF_AFG.csv", "baci",
     "Etalab Open Licence 2.0"),
    ("tailings", "risk_events/tailings_dam_failures_1915_2022_csp2.csv", "csp2_tailings",
     "none stated"),
    ("lithium-deposits", "mine_sites/lithium_deposits_busch2024.csv",
     "busch2024_lithium_deposits", "MIT"),
    ("niosh", "risk_events/us_mining_disasters_1839_2010_niosh.csv", "niosh_disasters",
     "public domain (US Government work)"),
])
def test_meta_per_kind(shared_data: Path, kind, rel, source, licence):
    p = read(kind, shared_data / rel)
    assert p.meta.source == source and p.meta.licence.startswith(licence)
    assert len(p.meta.sha256) == 64 and p.meta.citation and p.meta.version
    assert Path(p.meta.files[0]).name == Path(rel).name
