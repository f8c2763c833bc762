"""Readers of the packaged product data (``src/reslog/data/products/``).

Files (every row carries a ``source``; see ``docs/products.md``):

* ``products.csv`` — one row per product: ``product, label, battery_kwh, battery_chemistry, source``.
* ``inventory.csv`` — metal inventory per unit: ``product, metal, kg_per_unit, low, high, basis,
  source``. ``basis`` is ``per_unit`` (``kg_per_unit`` given) or ``battery:<chemistry>`` (kg per
  unit = kg/kWh of that chemistry × the product's ``battery_kwh``; the kg/kWh come from the
  Busch et al. (2024) BatPac table, :func:`read_battery_intensity`).
* ``tmr_coefficients.csv`` — ``metal, country ('*' = all), kg_tmr_per_kg, low, high, indicator,
  source``: kg of total material requirement (ore + overburden/waste rock) per kg of metal.
* ``mine_production.csv`` — supplementary mine production (copper mine, iron ore) that the
  starter ``production`` table lacks: ``commodity, country, year, quantity, unit, source``.

All readers validate and raise :class:`reslog.errors.InputError` naming file, row and field.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reslog.errors import InputError
from reslog.paths import PACKAGE_DATA
from reslog.schema import resolve_commodity, resolve_country
from reslog.sources.base import check_unique, parse_number, read_csv_strict

PRODUCTS_DIR = PACKAGE_DATA / "products"
PRODUCTS_FILE = PRODUCTS_DIR / "products.csv"
INVENTORY_FILE = PRODUCTS_DIR / "inventory.csv"
TMR_FILE = PRODUCTS_DIR / "tmr_coefficients.csv"
MINE_PRODUCTION_FILE = PRODUCTS_DIR / "mine_production.csv"
#: The NMC 811 rows of Busch et al. (2024), BatPac 5.1 (MIT), that the inventory uses.
BATTERY_INTENSITY_FILE = PRODUCTS_DIR / "battery_intensity.csv"

# Busch et al. (2024) 'Mineral' labels → canonical commodities.
_BUSCH_MINERALS = {"Lithium": "lithium", "Nickel": "nickel", "Cobalt": "cobalt", "Manganese": "manganese",
                   "Graphite": "graphite", "Aluminum": "aluminium", "Copper": "copper"}


def _need_source(path: Path, row: int, r: pd.Series) -> str:
    s = str(r.get("source", "")).strip()
    if not s:
        raise InputError(path, "every row needs a source", row=row, field="source")
    return s


def _metal(path: Path, row: int, raw: object) -> str:
    m = resolve_commodity(str(raw))
    if m is None:
        raise InputError(path, f"unknown metal '{raw}'", row=row, field="metal")
    return m


def read_products(path: Path = PRODUCTS_FILE) -> pd.DataFrame:
    """Product definitions, indexed by ``product`` (battery_kwh as float or NaN)."""
    df = read_csv_strict(path, ("product", "label", "battery_kwh", "battery_chemistry", "source"))
    rows = []
    for i, r in df.iterrows():
        row = int(i) + 1
        kwh = parse_number(path, row, "battery_kwh", r["battery_kwh"], allow_empty=True)
        if kwh is not None and kwh <= 0:
            raise InputError(path, f"battery_kwh must be > 0, got {kwh}", row=row, field="battery_kwh")
        rows.append({"product": str(r["product"]).strip().lower(), "label": str(r["label"]).strip(),
                     "battery_kwh": float("nan") if kwh is None else kwh,
                     "battery_chemistry": str(r["battery_chemistry"]).strip(),
                     "source": str(r["source"]).strip()})
    out = pd.DataFrame(rows)
    check_unique(path, out, ["product"])
    return out.set_index("product")


def read_inventory(path: Path = INVENTORY_FILE) -> pd.DataFrame:
    """Raw inventory rows (``kg_per_unit`` NaN for battery-basis rows until resolved)."""
    df = read_csv_strict(path, ("product", "metal", "kg_per_unit", "low", "high", "basis", "source"))
    rows = []
    for i, r in df.iterrows():
        row = int(i) + 1
        basis = str(r["basis"]).strip()
        if basis != "per_unit" and not basis.startswith("battery:"):
            raise InputError(path, f"basis must be 'per_unit' or 'battery:<chemistry>', got '{basis}'",
                             row=row, field="basis")
        kg = parse_number(path, row, "kg_per_unit", r["kg_per_unit"], allow_empty=basis != "per_unit")
        if basis == "per_unit" and (kg is None or kg <= 0):
            raise InputError(path, "kg_per_unit must be > 0 for basis per_unit", row=row, field="kg_per_unit")
        lo = parse_number(path, row, "low", r["low"], allow_empty=True)
        hi = parse_number(path, row, "high", r["high"], allow_empty=True)
        if kg is not None and ((lo is not None and lo > kg) or (hi is not None and hi < kg)):
            raise InputError(path, f"need low ≤ kg_per_unit ≤ high, got {lo}, {kg}, {hi}", row=row, field="low")
        rows.append({"product": str(r["product"]).strip().lower(), "metal": _metal(path, row, r["metal"]),
                     "kg_per_unit": float("nan") if kg is None else kg,
                     "low": float("nan") if lo is None else lo, "high": float("nan") if hi is None else hi,
                     "basis": basis, "source": _need_source(path, row, r)})
    out = pd.DataFrame(rows)
    check_unique(path, out, ["product", "metal"])
    return out


def read_battery_intensity(path: Path = BATTERY_INTENSITY_FILE) -> pd.DataFrame:
    """Busch et al. (2024) BatPac kg/kWh table → ``metal, chemistry, kg_per_kwh`` (canonical metals only)."""
    df = read_csv_strict(path, ("Mineral", "chemistry", "kg_per_kwh"))
    rows = []
    for i, r in df.iterrows():
        metal = _BUSCH_MINERALS.get(str(r["Mineral"]).strip())
        if metal is None:
            continue  # steel, stainless steel, phosphorus, Battery_MWh: not mine commodities here
        v = parse_number(path, int(i) + 1, "kg_per_kwh", r["kg_per_kwh"])
        rows.append({"metal": metal, "chemistry": str(r["chemistry"]).strip(), "kg_per_kwh": v})
    return pd.DataFrame(rows)


def resolve_inventory(inventory: pd.DataFrame, products: pd.DataFrame,
                      battery_intensity: pd.DataFrame | None) -> pd.DataFrame:
    """Turn ``battery:<chem>`` rows into kg per unit (kg/kWh × battery_kwh); adds battery metals also
    present as per-unit rows (e.g. copper foil on top of the vehicle's wiring is NOT double counted:
    a per-unit row for the same metal wins and the battery row is dropped, as the ICA copper figure
    already includes the battery).

    Raises
    ------
    InputError
        A battery row whose product has no ``battery_kwh`` or whose chemistry/metal is not in the
        intensity table; battery rows present but no intensity table given.
    """
    out = []
    per_unit = inventory[inventory["basis"] == "per_unit"]
    keys = set(zip(per_unit["product"], per_unit["metal"]))
    for r in inventory.itertuples(index=False):
        if r.basis == "per_unit":
            out.append(r._asdict())
            continue
        if battery_intensity is None:
            raise InputError(INVENTORY_FILE, f"row {r.product}/{r.metal} needs the battery intensity table "
                             f"({BATTERY_INTENSITY_FILE.name})",
                             field="basis")
        chem = r.basis.split(":", 1)[1]
        if r.product not in products.index or pd.isna(products.at[r.product, "battery_kwh"]):
            raise InputError(PRODUCTS_FILE, f"product '{r.product}' has battery rows but no battery_kwh",
                             field="battery_kwh")
        hit = battery_intensity[(battery_intensity["metal"] == r.metal) & (battery_intensity["chemistry"] == chem)]
        if hit.empty:
            raise InputError(INVENTORY_FILE, f"no kg/kWh for {r.metal} in chemistry '{chem}'", field="basis")
        if (r.product, r.metal) in keys:
            continue
        d = r._asdict()
        d["kg_per_unit"] = float(hit["kg_per_kwh"].iloc[0]) * float(products.at[r.product, "battery_kwh"])
        out.append(d)
    return pd.DataFrame(out)


def read_tmr_coefficients(path: Path = TMR_FILE) -> pd.DataFrame:
    """TMR coefficients: ``metal, country ('*' or ISO3), kg_tmr_per_kg, low, high, indicator, source``."""
    df = read_csv_strict(path, ("metal", "country", "kg_tmr_per_kg", "indicator", "source"))
    rows = []
    for i, r in df.iterrows():
        row = int(i) + 1
        c = str(r["country"]).strip()
        iso = "*" if c == "*" else resolve_country(c)
        if iso is None:
            raise InputError(path, f"unknown country '{c}'", row=row, field="country")
        v = parse_number(path, row, "kg_tmr_per_kg", r["kg_tmr_per_kg"])
        if v is None or v <= 0:
            raise InputError(path, "kg_tmr_per_kg must be > 0", row=row, field="kg_tmr_per_kg")
        lo = parse_number(path, row, "low", r.get("low", ""), allow_empty=True)
        hi = parse_number(path, row, "high", r.get("high", ""), allow_empty=True)
        rows.append({"metal": _metal(path, row, r["metal"]), "country": iso, "kg_tmr_per_kg": v,
                     "low": float("nan") if lo is None else lo, "high": float("nan") if hi is None else hi,
                     "indicator": str(r["indicator"]).strip(), "source": _need_source(path, row, r)})
    out = pd.DataFrame(rows)
    check_unique(path, out, ["metal", "country"])
    return out


_UNIT_T = {"t": 1.0, "kt": 1e3, "Mt": 1e6, "kg": 1e-3}


def read_mine_production(path: Path = MINE_PRODUCTION_FILE) -> pd.DataFrame:
    """Supplementary mine production in the canonical ``production`` layout (stage ``mine``).

    Returns columns ``country`` (ISO3, WLD, ROW), ``commodity``, ``year``, ``stage``, ``quantity``,
    ``unit``, ``source`` (quantities as printed, unit string kept).
    """
    df = read_csv_strict(path, ("commodity", "country", "year", "quantity", "unit", "source"))
    rows = []
    for i, r in df.iterrows():
        row = int(i) + 1
        iso = resolve_country(str(r["country"]).strip())
        if iso is None:
            raise InputError(path, f"unknown country '{r['country']}'", row=row, field="country")
        q = parse_number(path, row, "quantity", r["quantity"])
        y = parse_number(path, row, "year", r["year"])
        unit = str(r["unit"]).strip()
        if unit.split()[0] not in _UNIT_T:
            raise InputError(path, f"unit must start with t, kt, Mt or kg, got '{unit}'", row=row, field="unit")
        rows.append({"country": iso, "commodity": _metal(path, row, r["commodity"]), "year": int(y or 0),
                     "stage": "mine", "quantity": q, "unit": unit, "source": _need_source(path, row, r)})
    out = pd.DataFrame(rows)
    check_unique(path, out, ["commodity", "country", "year"])
    return out
