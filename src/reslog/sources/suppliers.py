"""Read a supplier list (CSV) strictly, with the shared validators of ``reslog.sources``.

Used by the platform's upload route (``POST /api/platform/suppliers``): the bytes of the upload
are parsed here, in ``sources/`` like every other reader of a real format, and the validated rows
are stored by ``reslog.platform``.

Columns (header names, case-sensitive; ``name`` is accepted for ``supplier``)::

    supplier,country,commodity,mine
    Acme Cobalt,COD,cobalt,Tenke Fungurume
    Nordic Nickel,Finland,nickel,

``country`` is an ISO 3166 code or an English name, ``commodity`` a reslog commodity (names,
symbols, Japanese names, aliases), ``mine`` optional (a ``mine_id`` or a mine name). Any bad
cell raises :class:`~reslog.errors.InputError` naming the row (1 = first data row) and field;
nothing is stored then.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reslog.errors import InputError
from reslog.sources.validate import col_commodity, col_country, col_text, read_csv_table

MAX_ROWS = 50_000


@dataclass(frozen=True)
class SupplierRow:
    row: int
    supplier: str
    country: str
    commodity: str
    mine: str | None


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and v != v) or str(v).strip() == ""


def parse_supplier_csv(filename: str, data: bytes) -> list[SupplierRow]:
    """Validated rows of a supplier CSV (see module docstring)."""
    path = Path(filename or "upload.csv")
    df = read_csv_table(path, ("supplier", "country", "commodity"), optional=("mine",),
                        rename={"name": "supplier", "Supplier": "supplier", "Country": "country",
                                "Commodity": "commodity", "Mine": "mine"}, data=data)
    if len(df) > MAX_ROWS:
        raise InputError(path, f"{len(df):,} rows; a supplier list holds at most {MAX_ROWS:,}",
                         row=MAX_ROWS + 1)
    sup = col_text(path, df, "supplier", max_len=300)
    country = col_country(path, df, "country")
    commodity = col_commodity(path, df, "commodity")
    mine = col_text(path, df, "mine", required=False, max_len=300)
    return [SupplierRow(int(i), str(s), str(c), str(m), None if _missing(mi) else str(mi))
            for i, s, c, m, mi in zip(df.index, sup, country, commodity, mine)]
