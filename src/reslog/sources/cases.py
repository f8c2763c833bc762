"""Reader of packaged case studies (``src/reslog/data/cases/<case>/``), e.g. the Brazilian
tailings-dam case (Brumadinho, 25 January 2019).

``brumadinho/`` holds three cited CSVs:

* ``mine.csv`` — ``mine_id, name, country, commodity, annual_output_t, basis, source``;
* ``production.csv`` — ``country (ISO3|WLD), commodity, year, quantity_t, source``;
* ``exports.csv`` — Brazil's iron-ore exports by destination: ``destination (ISO3|WLD), year,
  tonnes, yoy_change_pct, share_pct, note, source``. The base year (2018, before the failure) is
  reconstructed from what the source states: a stated tonnage, a stated share of the stated
  total, or the stated next-year tonnage and its year-on-year change
  (``t₂₀₁₈ = t₂₀₁₉ / (1 + Δ/100)``); the residual of the stated total is "other destinations"
  (``ROW``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reslog.errors import InputError
from reslog.paths import PACKAGE_DATA
from reslog.schema import resolve_country
from reslog.sources.base import parse_number, read_csv_strict

CASES_DIR = PACKAGE_DATA / "cases"


@dataclass(frozen=True)
class ShockCase:
    """Inputs of a packaged mine-shock case (tonnes)."""

    name: str
    mines: pd.DataFrame          # indexed by mine_id
    production: pd.DataFrame     # country, commodity, year, quantity_t, source
    exports: pd.DataFrame        # raw rows
    files: tuple[Path, ...]

    def base_exports(self, year: int) -> tuple[pd.Series, list[str]]:
        """Exports by destination in ``year`` (t), with ``ROW`` = stated total − named; and notes."""
        return calc_base_exports(self.exports, year)

    def production_t(self, country: str, commodity: str, year: int) -> float:
        """Production of ``country`` (ISO3 or WLD) in tonnes; raises naming what is missing."""
        p = self.production
        hit = p[(p["country"] == country) & (p["commodity"] == commodity) & (p["year"] == year)]
        if hit.empty:
            raise InputError(self.files[1], f"no {commodity} production for {country} in {year}")
        return float(hit["quantity_t"].iloc[0])


def calc_base_exports(exports: pd.DataFrame, year: int) -> tuple[pd.Series, list[str]]:
    """Reconstruct destination tonnages for ``year`` from stated tonnes, shares or y/y changes.

    Returns
    -------
    (Series, list[str])
        Tonnes by destination ISO3 (incl. ``ROW`` residual) and notes on how each was obtained.
    """
    total_rows = exports[(exports["destination"] == "WLD") & (exports["year"] == year)
                         & exports["tonnes"].notna()]
    if total_rows.empty:
        raise InputError(CASES_DIR / "brumadinho" / "exports.csv", f"no stated total (WLD) for {year}",
                         field="tonnes")
    total = float(total_rows["tonnes"].iloc[0])
    out: dict[str, float] = {}
    notes = []
    for r in exports[exports["destination"] != "WLD"].itertuples(index=False):
        d = r.destination
        if r.year == year and pd.notna(r.tonnes):
            out[d] = float(r.tonnes)
            notes.append(f"{d}: {r.tonnes / 1e6:.1f} Mt stated for {year}")
        elif r.year == year and pd.notna(r.share_pct):
            out[d] = total * float(r.share_pct) / 100.0
            notes.append(f"{d}: {r.share_pct}% of {total / 1e6:.1f} Mt stated for {year}")
        elif r.year == year + 1 and pd.notna(r.tonnes) and pd.notna(r.yoy_change_pct):
            out[d] = float(r.tonnes) / (1.0 + float(r.yoy_change_pct) / 100.0)
            notes.append(f"{d}: {r.tonnes / 1e6:.1f} Mt in {year + 1} at {r.yoy_change_pct:+.1f}% y/y "
                         f"→ {out[d] / 1e6:.2f} Mt in {year}")
    named = sum(out.values())
    if named > total * (1 + 1e-9):
        raise InputError(CASES_DIR / "brumadinho" / "exports.csv",
                         f"named destinations ({named:,.0f} t) exceed the stated total ({total:,.0f} t)")
    out["ROW"] = total - named
    notes.append(f"ROW (other destinations): residual {out['ROW'] / 1e6:.1f} Mt of the stated total")
    return pd.Series(out, name="tonnes").sort_values(ascending=False), notes


def read_shock_case(name: str = "brumadinho") -> ShockCase:
    """Read and validate one packaged case folder."""
    d = CASES_DIR / name
    if not d.is_dir():
        raise InputError(d, f"no packaged case '{name}'")
    f_mine, f_prod, f_exp = d / "mine.csv", d / "production.csv", d / "exports.csv"
    m = read_csv_strict(f_mine, ("mine_id", "name", "country", "commodity", "annual_output_t", "basis", "source"))
    mines = []
    for i, r in m.iterrows():
        row = int(i) + 1
        iso = resolve_country(str(r["country"]))
        if iso is None:
            raise InputError(f_mine, f"unknown country '{r['country']}'", row=row, field="country")
        v = parse_number(f_mine, row, "annual_output_t", r["annual_output_t"])
        if not str(r["source"]).strip():
            raise InputError(f_mine, "every row needs a source", row=row, field="source")
        mines.append({"mine_id": str(r["mine_id"]).strip(), "name": r["name"], "country": iso,
                      "commodity": str(r["commodity"]).strip(), "annual_output_t": v,
                      "basis": r["basis"], "source": r["source"]})
    p = read_csv_strict(f_prod, ("country", "commodity", "year", "quantity_t", "source"))
    prod = []
    for i, r in p.iterrows():
        row = int(i) + 1
        c = str(r["country"]).strip()
        iso = c if c == "WLD" else resolve_country(c)
        if iso is None:
            raise InputError(f_prod, f"unknown country '{c}'", row=row, field="country")
        prod.append({"country": iso, "commodity": str(r["commodity"]).strip(),
                     "year": int(parse_number(f_prod, row, "year", r["year"]) or 0),
                     "quantity_t": parse_number(f_prod, row, "quantity_t", r["quantity_t"]),
                     "source": r["source"]})
    e = read_csv_strict(f_exp, ("destination", "year", "tonnes", "yoy_change_pct", "share_pct", "source"))
    exp = []
    for i, r in e.iterrows():
        row = int(i) + 1
        c = str(r["destination"]).strip()
        iso = c if c == "WLD" else resolve_country(c)
        if iso is None:
            raise InputError(f_exp, f"unknown destination '{c}'", row=row, field="destination")
        t = parse_number(f_exp, row, "tonnes", r["tonnes"], allow_empty=True)
        y = parse_number(f_exp, row, "yoy_change_pct", r["yoy_change_pct"], allow_empty=True, allow_negative=True)
        s = parse_number(f_exp, row, "share_pct", r["share_pct"], allow_empty=True)
        if t is None and s is None:
            raise InputError(f_exp, "need tonnes or share_pct", row=row, field="tonnes")
        exp.append({"destination": iso, "year": int(parse_number(f_exp, row, "year", r["year"]) or 0),
                    "tonnes": t, "yoy_change_pct": y, "share_pct": s, "source": r["source"]})
    return ShockCase(name, pd.DataFrame(mines).set_index("mine_id"), pd.DataFrame(prod),
                     pd.DataFrame(exp).astype({"tonnes": float, "yoy_change_pct": float, "share_pct": float}),
                     (f_mine, f_prod, f_exp))
