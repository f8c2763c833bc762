"""Product footprints: metal inventory × origin × TMR coefficients, and risk-weighted exposure."""

from __future__ import annotations

from typing import Any

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
    from reslog.cli.risk import run_product_footprint

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
    from reslog.cli.risk import run_product_footprint
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
