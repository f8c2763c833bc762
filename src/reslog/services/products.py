"""Product footprints: metal inventory × origin × TMR coefficients, and risk-weighted exposure."""

from __future__ import annotations

from typing import Any

import pandas as pd

from reslog.errors import ReslogError
from reslog.services.provenance import Provenance, packaged_present, provenance
from reslog.store.warehouse import Warehouse

PRODUCT_FILES = packaged_present(
    ("products/products.csv", "product definitions"),
    ("products/inventory.csv", "metal inventories per product (cited per row)"),
    ("products/battery_intensity.csv", "Busch et al. (2024) battery metal intensities"),
    ("products/tmr_coefficients.csv", "total material requirement coefficients (cited per row)"),
    ("products/mine_production.csv", "supplementary mine production (cited per row)"),
)


def products() -> list[dict[str, Any]]:
    """The packaged products (id and columns of ``products.csv``)."""
    from reslog.sources.products import read_products

    p = read_products()
    return [{"product": str(i), **{k: v for k, v in r.items()}} for i, r in p.iterrows()]


def footprint(wh: Warehouse, product: str) -> tuple[dict[str, Any], Provenance]:
    """Telecoupled TMR of one unit of ``product`` by origin country and by metal."""

    fp, notes = run_product_footprint(wh, product)
    prod = wh.query("SELECT ledger_id FROM production WHERE stage = 'mine'")
    by_country = fp.by_country().reset_index().rename(columns={"index": "country"})
    by_metal = fp.by_metal().reset_index()
    return ({"product": fp.product, "coverage": fp.coverage, "by_country": by_country,
             "by_metal": by_metal, "flows": fp.flows, "missing_tmr": fp.missing_tmr,
             "missing_origin": fp.missing_origin, "notes": notes},
            provenance(wh, prod, packaged_files=PRODUCT_FILES, notes=notes))


def exposure(wh: Warehouse, product: str, *, year: int, window: int = 10) -> tuple[dict[str, Any], Provenance]:
    """Risk-weighted metal exposure of one unit of ``product`` by origin country and risk type."""
    from reslog.model.product import calc_risk_exposure
    from reslog.model.riskmap import country_risk_weights

    gov = wh.query("SELECT * FROM governance")
    ev = wh.query("SELECT * FROM risk_events")
    W = country_risk_weights(gov, ev, year, window=window)
    fp, notes = run_product_footprint(wh, product)
    ex = calc_risk_exposure(fp, W[["governance", "disruption", "combined"]])
    ex = ex[ex["country"] != "ROW"].dropna(subset=["exposure"])
    prod = wh.query("SELECT ledger_id FROM production WHERE stage = 'mine'")
    return ({"product": product, "year": year, "window": window, "exposure": ex, "notes": notes},
            provenance(wh, prod, gov, ev, packaged_files=PRODUCT_FILES,
                       notes=notes + ["weight = country risk (docs/riskmap.md); exposure = kg metal × weight"]))


def product_inputs(wh: Any | None, product: str) -> tuple[pd.Series, dict[str, pd.Series], pd.DataFrame, list[str]]:
    """Inventory (kg/unit), origin shares per metal, TMR table, notes — from packaged product data,
    the warehouse ``production`` table (if any) and the supplementary packaged mine production."""
    from reslog.errors import ModelInputError
    from reslog.model.product import calc_origin_shares
    from reslog.sources.products import (BATTERY_INTENSITY_FILE, read_battery_intensity, read_inventory, read_mine_production,
                                         read_products, read_tmr_coefficients, resolve_inventory)

    products = read_products()
    product = product.lower()
    if product not in products.index:
        raise ReslogError(f"unknown product '{product}'; known: {list(products.index)}")
    inv_raw = read_inventory()
    inv_raw = inv_raw[inv_raw["product"] == product]
    bi = None
    if (inv_raw["basis"] != "per_unit").any():
        # The cited rows of Busch et al. (2024) used by the inventory ship with the package
        # (data/products/battery_intensity.csv); tests check them against the original table.
        bi = read_battery_intensity(BATTERY_INTENSITY_FILE)
    inv = resolve_inventory(inv_raw, products, bi).set_index("metal")["kg_per_unit"]
    prod = wh.query("SELECT * FROM production") if wh is not None else pd.DataFrame()
    supp = read_mine_production()
    if len(prod):
        prod = prod[[c for c in supp.columns if c in prod.columns]]
        have = set(zip(prod.loc[prod["stage"] == "mine", "commodity"], prod.loc[prod["stage"] == "mine", "year"]))
        supp = supp[[(c, y) not in have for c, y in zip(supp["commodity"], supp["year"])]]
    allp = pd.concat([prod, supp], ignore_index=True) if len(prod) else supp
    shares, notes = {}, []
    for metal in inv.index:
        try:
            s = calc_origin_shares(allp, metal)
            shares[metal] = s
            notes.append(f"{metal}: mine production shares {s.attrs['year']} ({s.attrs['unit']})")
        except ModelInputError as e:
            notes.append(f"{metal}: no origin shares ({e})")
    return inv, shares, read_tmr_coefficients(), notes


def run_product_footprint(wh: Any | None, product: str):  # -> (ProductFootprint, notes)
    """Telecoupled TMR by origin country for one unit of ``product``."""
    from reslog.model.product import calc_product_footprint

    inv, shares, tmr, notes = product_inputs(wh, product)
    fp = calc_product_footprint(product, inv, shares, tmr)
    if fp.missing_tmr:
        notes.append("no cited TMR coefficient (left out of the TMR total): " + ", ".join(fp.missing_tmr))
    if fp.missing_origin:
        notes.append("no mine-production origin shares (left out): " + ", ".join(fp.missing_origin))
    return fp, notes
