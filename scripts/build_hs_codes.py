"""Build src/reslog/data/hs_mineral_codes.csv: the HS 2022 codes of the mineral value chains.

Source: WCO Harmonized System 2022 as published by UN Comtrade's classification API, via the
Frictionless Data package ``datasets/harmonized-system`` (ODC-PDDL-1.0), file
``data/harmonized-system.csv`` (see ../shared/data/PROVENANCE.md, trade/). We keep chapters 25–28
(ores' neighbours: salt, earths, stone; ores, slag and ash; mineral fuels; inorganic chemicals),
71–81 (precious metals, base metals and articles) and headings 8505 (magnets) and 8507
(accumulators/batteries), at levels 2, 4 and 6.

Run: python scripts/build_hs_codes.py [PATH_TO_harmonized-system.csv]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

SOURCE = ("WCO HS 2022 nomenclature via UN Comtrade classification API; "
          "Frictionless datasets/harmonized-system v2022.0 (ODC-PDDL-1.0)")
CHAPTERS = {f"{c:02d}" for c in [25, 26, 27, 28, *range(71, 82)]}
HEADINGS = {"8505", "8507"}


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else (
        Path(__file__).resolve().parents[2] / "shared/data/trade/hs2022_nomenclature_datasets.csv")
    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    df = df[df["level"].isin(["2", "4", "6"])]
    keep = df["hscode"].str[:2].isin(CHAPTERS) | df["hscode"].str[:4].isin(HEADINGS) | (
        df["hscode"] == "85")
    out = df[keep].rename(columns={"hscode": "code"})[["code", "level", "description", "parent"]]
    out.insert(0, "revision", "HS22")
    out["source"] = SOURCE
    dest = Path(__file__).resolve().parents[1] / "src/reslog/data/hs_mineral_codes.csv"
    out.to_csv(dest, index=False)
    print(f"{dest}: {len(out)} codes ({(out.level == '6').sum()} subheadings)")


if __name__ == "__main__":
    main()
