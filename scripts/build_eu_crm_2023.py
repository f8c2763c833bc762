"""Build the packaged EU 2023 criticality tables from the shared CritMAT transcription.

Reads ``<shared>/criticality/eu_crm_2023_results_critmat.csv`` and
``eu_crm_2023_trade_parameters_critmat.csv`` (byte copies of meyerdata/CritMAT
``input_data/seeds/`` @ 0bd8977, see the shared PROVENANCE.md) and writes

* ``src/reslog/data/crm/eu_crm_2023.csv``: one row per material × assessed stage,
* ``src/reslog/data/crm/eu_crm_2023_trade_factors.csv``: the trade parameter t per
  material × stage × country × HHI scope,

each row citing the report and the transcription. The five rows whose stage SR sits one
column to the right in the transcription are put back (note column says so); nothing is
estimated. Run: ``PYTHONPATH=src python scripts/build_eu_crm_2023.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from reslog.paths import PACKAGE_DATA, shared_data_dir
from reslog.schema import resolve_commodity, resolve_country

REPORT = ("European Commission (2023) Study on the Critical Raw Materials for the EU 2023 — Final "
          "Report (Grohol & Veeh), doi:10.2873/725585")
VIA = "transcribed in meyerdata/CritMAT input_data/seeds/{f} @ 0bd8977 (MIT)"
SHIFTED = {"Coking coal", "Diatomite", "Magnesite", "Natural cork", "Strontium"}
STAGE = {"primary": "extraction", "refined": "processing"}


def _num(v: object) -> float | None:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    try:
        return float(str(v).strip())
    except ValueError:
        return None


def build(shared: Path, out_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    res = pd.read_csv(shared / "criticality" / "eu_crm_2023_results_critmat.csv", dtype=str)
    res = res.drop_duplicates()
    rows = []
    for r in res.itertuples(index=False):
        used = {"Extraction": "extraction", "Processing": "processing"}[r.eu_used_stage]
        for cat in ("primary", "refined"):
            basis = getattr(r, f"eu_used_supply_{cat}")
            sr_stage = getattr(r, f"supply_risk_{cat}")
            ir = _num(getattr(r, f"import_reliance_{cat}"))
            note = []
            if r.material_name in SHIFTED:
                if cat == "primary":
                    sr_stage = r.eu_used_supply_refined
                    basis = r.eu_used_supply_primary
                    note.append("stage SR moved back from column eu_used_supply_refined "
                                "(transcription shifted it one column right)")
                else:
                    basis, sr_stage = None, None
            sr_v = _num(sr_stage)
            if isinstance(sr_stage, str) and sr_stage.strip() and sr_v is None:
                note.append(f"stage SR transcribed as '{sr_stage}', not a number: left empty")
            if isinstance(basis, str) and basis == "EU":
                note.append("supply basis transcribed as 'EU' (read as EUonly)")
                basis = "EUonly"
            if pd.isna(basis) and sr_v is None and ir is None:
                continue  # stage not assessed
            stage = STAGE[cat]
            rows.append({
                "material": r.material_name,
                "commodity": resolve_commodity(r.material_name) or "",
                "stage": stage, "used_stage": stage == used,
                "supply_basis": basis if isinstance(basis, str) else "",
                "sr_stage": sr_v, "ir": None if ir is None else ir / 100.0,
                "sr": _num(r.supply_risk), "ei": _num(r.economic_importance),
                "si_sr": _num(r.si_sr), "si_ei": _num(r.si_ei),
                "eol_rir": None if _num(r.end_of_life) is None else _num(r.end_of_life) / 100.0,
                "note": "; ".join(note),
                "source": f"{REPORT}; {VIA.format(f='eureport_results.csv')}",
            })
    eu = pd.DataFrame(rows)
    tp = pd.read_csv(shared / "criticality" / "eu_crm_2023_trade_parameters_critmat.csv", dtype=str)
    tf = pd.DataFrame({
        "material": tp["material_name"],
        "country": [resolve_country(c) for c in tp["country_name"]],
        "country_name": tp["country_name"],
        "stage": tp["category"].map(STAGE), "scope": tp["scope"],
        "t": tp["parameter"].astype(float),
        "source": f"{REPORT}, trade-related parameter t; {VIA.format(f='eureport_tradeparameters.csv')}",
    })
    if tf["country"].isna().any():
        raise SystemExit(f"unresolved countries: {tf.loc[tf['country'].isna(), 'country_name'].tolist()}")
    out_dir.mkdir(parents=True, exist_ok=True)
    eu.to_csv(out_dir / "eu_crm_2023.csv", index=False)
    tf.to_csv(out_dir / "eu_crm_2023_trade_factors.csv", index=False)
    return eu, tf


if __name__ == "__main__":
    shared = shared_data_dir()
    if shared is None or not (shared / "criticality").exists():
        sys.exit("shared data dir with criticality/ not found")
    eu, tf = build(shared, PACKAGE_DATA / "crm")
    print(f"{len(eu)} material-stage rows, {len(tf)} trade factors")
