"""Readers of multi-regional input–output tables into labelled blocks.

Every reader returns an :class:`MrioSource`: wide blocks Z, Y (and x, extensions) as
DataFrames with a (region, sector) MultiIndex — the layout :class:`reslog.model.io.MRIO` and
pymrio use — plus a :class:`~reslog.sources.base.SourceMeta`. ``to_parsed()`` turns it into
the long ``io_blocks`` table for the warehouse.

Formats:

* **WIOD 2013 release, WIOT 2011** as CSVs (``wiod2013_wiot2011_{Z,Y,x}…csv``; labels
  ``<ISO3>_<code>``; values in million USD). Gross output x is taken from the x file (the
  published total output), not recomputed: Z·1 + Y·1 differs from it by rounding of up to
  108 MUSD and would give two sectors with negative output.
* **pymrio saved folders / zip archives** (``IOSystem.save_all``) via ``pymrio.load_all``;
  ``pymrio-test`` names the small test MRIO shipped inside the pymrio wheel.
* **CSV / Parquet blocks** in the long ``io_blocks`` layout: one file per block named
  ``Z``, ``Y``, ``F_<extension>``, ``F_Y_<extension>`` (``.csv`` or ``.parquet``), columns
  ``row_region,row_sector,col_region,col_sector,value`` (for F/F_Y: ``stressor`` may replace
  ``row_sector``; for Y: ``col_category`` may replace ``col_sector``).
* **EXIOBASE 3, OECD ICIO, Eora26** through pymrio's parsers when the user has the files
  (``reslog data fetch exiobase`` downloads EXIOBASE through pymrio's downloader).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reslog.errors import InputError
from reslog.sources.base import Parsed, SourceMeta, sha256_files

WIOD_FILES = {
    "Z": "wiod2013_wiot2011_Z_intermediate_musd.csv",
    "Y": "wiod2013_wiot2011_Y_final_demand_musd.csv",
    "x": "wiod2013_wiot2011_x_output_labels.csv",
}
BLOCK_COLUMNS = ["row_region", "row_sector", "col_region", "col_sector", "value"]


@dataclass
class MrioSource:
    """Blocks of one MRIO table with provenance.

    Attributes
    ----------
    Z, Y : DataFrame — intermediate flows and final demand, rows (region, sector).
    x : Series or None — gross output (None: computed as Z·1 + Y·1 by the model).
    extensions : dict name → (F, F_Y or None).
    meta : SourceMeta.
    unit : str — monetary unit of Z, Y, x.
    ext_units : dict name → Series (unit per stressor, indexed like F's rows), where known.
    """

    Z: pd.DataFrame
    Y: pd.DataFrame
    x: pd.Series | None
    extensions: dict[str, tuple[pd.DataFrame, pd.DataFrame | None]]
    meta: SourceMeta
    unit: str = ""
    notes: list[str] = field(default_factory=list)
    ext_units: dict[str, pd.Series] = field(default_factory=dict)

    def to_parsed(self, mrio: str | None = None) -> Parsed:
        """The long ``io_blocks`` table (non-zero cells only) for the warehouse."""
        name = mrio or self.meta.source
        parts = [_long(self.Z, "Z", name, self.unit), _long(self.Y, "Y", name, self.unit)]
        if self.x is not None:
            xf = self.x.to_frame("x")
            xf.columns = pd.MultiIndex.from_tuples([("", "x")])
            parts.append(_long(xf, "x", name, self.unit, keep_zeros=True))  # every label, even all-zero sectors
        for ext, (F, FY) in self.extensions.items():
            u = self.ext_units.get(ext)
            parts.append(_long(F, f"F:{ext}", name, u))
            if FY is not None:
                parts.append(_long(FY, f"F_Y:{ext}", name, u))
        return Parsed(tables={"io_blocks": pd.concat(parts, ignore_index=True)}, meta=self.meta, notes=self.notes)


def _long(df: pd.DataFrame, block: str, mrio: str, unit: "str | pd.Series | None",
          keep_zeros: bool = False) -> pd.DataFrame:
    arr = df.to_numpy(dtype=float)
    r, c = np.nonzero(np.ones_like(arr) if keep_zeros else arr)
    ri, ci = df.index, df.columns
    if isinstance(unit, pd.Series):  # unit per stressor (row)
        unit_col = np.asarray(unit.reindex(ri).astype(object).to_numpy())[r]
    else:
        unit_col = unit or None

    def lev(idx: pd.Index, pos: np.ndarray, i: int) -> np.ndarray:
        if isinstance(idx, pd.MultiIndex):
            return np.asarray(idx.get_level_values(i).astype(str))[pos]
        return np.asarray(idx.astype(str))[pos] if i == 1 else np.full(len(pos), None)

    return pd.DataFrame({
        "mrio": mrio, "block": block,
        "row_region": lev(ri, r, 0), "row_sector": lev(ri, r, 1),
        "col_region": lev(ci, c, 0), "col_sector": lev(ci, c, 1),
        "value": arr[r, c], "unit": unit_col,
    })


def _read_numeric_csv(path: Path) -> pd.DataFrame:
    """A wide numeric CSV with labels in the first column; errors name row and field."""
    if not path.exists():
        raise InputError(path, "file not found")
    try:
        df = pd.read_csv(path, index_col=0)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as e:
        raise InputError(path, f"malformed CSV ({e})") from None
    for j, col in enumerate(df.columns):
        if not pd.api.types.is_numeric_dtype(df[col]):
            num = pd.to_numeric(df[col], errors="coerce")
            bad = np.nonzero(num.isna().to_numpy() & df[col].notna().to_numpy())[0]
            row = int(bad[0]) + 1 if len(bad) else None
            raw = df[col].iloc[bad[0]] if len(bad) else ""
            raise InputError(path, f"'{raw}' is not a number", row=row, field=str(col))
    vals = df.to_numpy(dtype=float)
    bad = ~np.isfinite(vals)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InputError(path, "empty, NaN or infinite value", row=int(r) + 1, field=str(df.columns[c]))
    return df


def _split(labels: pd.Index, path: Path, names: tuple[str, str]) -> pd.MultiIndex:
    parts = []
    for i, lab in enumerate(labels):
        s = str(lab)
        if "_" not in s:
            raise InputError(path, f"label {s!r} is not '<region>_<code>'", row=i + 1, field="row")
        reg, code = s.split("_", 1)
        parts.append((reg, code))
    return pd.MultiIndex.from_tuples(parts, names=list(names))


def read_wiod_2011(folder: str | Path) -> MrioSource:
    """The WIOD 2013-release world input–output table for 2011 (41 regions × 35 industries).

    Extensions: ``factor_inputs`` with ``value_added`` (x − 1ᵀZ: value added plus taxes,
    margins and cif/fob adjustments, million USD) — WIOD's environmental accounts are not in
    this snapshot.
    """
    folder = Path(folder)
    paths = {k: folder / v for k, v in WIOD_FILES.items()}
    for p in paths.values():
        if not p.exists():
            raise InputError(p, "WIOD 2011 file not found (expected the three wiod2013_wiot2011_*.csv files)")
    Z = _read_numeric_csv(paths["Z"])
    Y = _read_numeric_csv(paths["Y"])
    xdf = pd.read_csv(paths["x"], index_col=0)
    if "gross_output_musd" not in xdf.columns:
        raise InputError(paths["x"], "missing column gross_output_musd", row=0, field="gross_output_musd")
    idx = _split(Z.index, paths["Z"], ("region", "sector"))
    cols = _split(Z.columns, paths["Z"], ("region", "sector"))
    if not idx.equals(cols):
        raise InputError(paths["Z"], "row and column labels differ (must list the same industries in order)",
                         row=0)
    if not Z.index.equals(Y.index):
        raise InputError(paths["Y"], "row labels differ from the Z file", row=0, field="row")
    if not Z.index.equals(xdf.index):
        raise InputError(paths["x"], "row labels differ from the Z file", row=0, field="row")
    x = pd.to_numeric(xdf["gross_output_musd"], errors="coerce")
    if x.isna().any():
        r = int(np.nonzero(x.isna().to_numpy())[0][0]) + 1
        raise InputError(paths["x"], "gross output is not a number", row=r, field="gross_output_musd")
    Z.index, Z.columns = idx, idx
    Y.index = idx
    Y.columns = _split(Y.columns, paths["Y"], ("region", "category"))
    Zf, Yf = Z.astype(float), Y.astype(float)
    xs = pd.Series(x.to_numpy(dtype=float), index=idx, name="indout")
    va = xs.to_numpy() - Zf.to_numpy().sum(axis=0)
    F = pd.DataFrame([va], index=pd.Index(["value_added"], name="stressor"), columns=idx)
    meta = SourceMeta(
        source="wiod2013_wiot2011",
        version="WIOD 2013 release, WIOT 2011",
        licence="free of charge with citation (wiod.org); R package 'wiod' GPL-3",
        citation=("Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. & de Vries, G. J. (2015). An Illustrated "
                  "User Guide to the World Input-Output Database. Rev. Int. Econ. 23: 575-605"),
        files=tuple(str(p) for p in paths.values()),
        sha256=sha256_files(paths.values()),
    )
    unit = "million USD (current prices)"
    return MrioSource(Zf, Yf, xs, {"factor_inputs": (F, None)}, meta, unit=unit,
                      ext_units={"factor_inputs": pd.Series(unit, index=F.index, name="unit")})


def from_pymrio_system(io: Any, source: str, files: tuple[str, ...] = (), sha: str = "") -> MrioSource:
    """Blocks of a pymrio ``IOSystem`` (calls ``calc_system`` when Z is missing)."""
    if io.Z is None:
        io.calc_system()
    x = None
    if getattr(io, "x", None) is not None:
        x = io.x.iloc[:, 0] if isinstance(io.x, pd.DataFrame) else io.x
    exts: dict[str, tuple[pd.DataFrame, pd.DataFrame | None]] = {}
    units: dict[str, pd.Series] = {}
    for nm in io.get_extensions(data=False, instance_names=True):
        ext = getattr(io, nm)
        F = ext.F
        if F is None and ext.S is not None and x is not None:
            F = ext.S * x.to_numpy()[None, :]
        if F is None:
            continue
        exts[nm] = (F, getattr(ext, "F_Y", None))
        u = getattr(ext, "unit", None)
        if isinstance(u, pd.DataFrame) and u.shape[1]:
            units[nm] = u.iloc[:, 0].reindex(F.index).rename("unit")
    unit = str(io.unit.iloc[0, 0]) if isinstance(getattr(io, "unit", None), pd.DataFrame) and len(io.unit) else ""
    meta = SourceMeta(source=source, version=str(getattr(io.meta, "version", "") or ""),
                      licence=str(getattr(io.meta, "license", "") or "see the MRIO's own licence"),
                      citation=str(getattr(io.meta, "description", "") or source), files=files, sha256=sha)
    return MrioSource(io.Z, io.Y, x, exts, meta, unit=unit, ext_units=units)


def read_pymrio_test() -> MrioSource:
    """The small test MRIO shipped inside the pymrio wheel (6 regions × 8 sectors)."""
    import pymrio

    io = pymrio.load_test()
    meta_src = from_pymrio_system(io, "pymrio_test")
    meta = SourceMeta("pymrio_test", f"pymrio {pymrio.__version__}", "GPL-3.0 (pymrio)",
                      "Stadler, K. (2021). Pymrio. J. Open Res. Softw. 9(1), 8 — test MRIO", (), "")
    meta_src.meta = meta
    return meta_src


def read_pymrio_folder(path: str | Path) -> MrioSource:
    """A folder or zip archive written by pymrio's ``save_all``/``archive``."""
    import pymrio

    path = Path(path)
    if not path.exists():
        raise InputError(path, "pymrio folder/archive not found")
    try:
        io = pymrio.load_all(path)
    except Exception as e:  # pymrio raises many kinds; say which file and why
        raise InputError(path, f"not a pymrio folder or archive ({type(e).__name__}: {e})") from None
    files = tuple(sorted(str(p) for p in (path.rglob("*") if path.is_dir() else [path]) if p.is_file()))
    return from_pymrio_system(io, f"pymrio:{path.name}", files, sha256_files([Path(f) for f in files]))


def _read_block_file(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        try:
            df = pd.read_parquet(path)
        except Exception as e:
            raise InputError(path, f"cannot read Parquet ({e})") from None
    else:
        from reslog.sources.base import read_csv_strict

        df = read_csv_strict(path, [])
    df = df.rename(columns={"stressor": "row_sector", "col_category": "col_sector"})
    miss = [c for c in ["row_sector", "col_region", "col_sector", "value"] if c not in df.columns]
    if miss:
        raise InputError(path, f"missing column(s) {miss}; expected {BLOCK_COLUMNS}", row=0, field=miss[0])
    if "row_region" not in df.columns:
        df["row_region"] = None
    vals = pd.to_numeric(df["value"], errors="coerce")
    bad = vals.isna() | ~np.isfinite(vals.fillna(0))
    if bad.any():
        r = int(np.nonzero(bad.to_numpy())[0][0])
        raise InputError(path, f"'{df['value'].iloc[r]}' is not a finite number", row=r + 1, field="value")
    df["value"] = vals.astype(float)
    return df


def read_blocks(folder: str | Path) -> MrioSource:
    """CSV/Parquet blocks in the long layout (see module docstring)."""
    from reslog.model.io.mrio import blocks_from_long

    folder = Path(folder)
    files = sorted([p for p in folder.iterdir() if p.suffix in (".csv", ".parquet")]) if folder.is_dir() else []
    stems = {p.stem: p for p in files}
    for need in ("Z", "Y"):
        if need not in stems:
            raise InputError(folder / f"{need}.csv", f"block {need} not found (need Z and Y as .csv or .parquet)")
    parts = []
    for stem, p in stems.items():
        if stem in ("Z", "Y"):
            block = stem
        elif stem.startswith("F_Y_"):
            block = "F_Y:" + stem[4:]
        elif stem.startswith("F_"):
            block = "F:" + stem[2:]
        else:
            continue
        df = _read_block_file(p)
        df["block"] = block
        parts.append(df)
    long = pd.concat(parts, ignore_index=True)
    blocks = blocks_from_long(long)
    exts = {k[2:]: (v, blocks.get("F_Y:" + k[2:])) for k, v in blocks.items() if k.startswith("F:")}
    units = _block_units(long, folder)
    used = [stems[s] for s in stems if s in ("Z", "Y") or s.startswith("F_")]
    meta = SourceMeta(f"blocks:{folder.name}", "", "as provided by the user", str(folder),
                      tuple(str(p) for p in used), sha256_files(used))
    money = long.loc[long["block"].isin(["Z", "Y"]), "unit"].dropna().unique() if "unit" in long.columns else []
    if len(money) > 1:
        raise InputError(folder / "Z.csv", f"Z and Y mix monetary units {sorted(map(str, money))}", field="unit")
    return MrioSource(blocks["Z"], blocks["Y"], None, exts, meta, unit=str(money[0]) if len(money) else "",
                      ext_units=units)


def _block_units(long: pd.DataFrame, folder: Path) -> dict[str, pd.Series]:
    """Unit per stressor from the optional ``unit`` column of the F files (one unit per stressor)."""
    if "unit" not in long.columns:
        return {}
    from reslog.model.io.mrio import units_from_long

    sub = long[long["block"].astype(str).str.startswith("F:") & long["unit"].notna()]
    clash = sub.groupby(["block", "row_sector"])["unit"].nunique()
    if (clash > 1).any():
        blk, st = clash[clash > 1].index[0]
        raise InputError(folder / f"F_{str(blk)[2:]}.csv", f"stressor {st!r} has more than one unit", field="unit")
    return units_from_long(long)


def read_with_pymrio(kind: str, path: str | Path, year: int | None = None) -> MrioSource:
    """EXIOBASE 3 (``exiobase3``), OECD ICIO (``oecd``) or Eora26 (``eora26``) via pymrio's parsers."""
    import pymrio

    path = Path(path)
    if not path.exists():
        raise InputError(path, f"{kind} file/folder not found; `reslog data fetch exiobase` downloads EXIOBASE")
    parsers = {
        "exiobase3": lambda: pymrio.parse_exiobase3(path),
        "oecd": lambda: pymrio.parse_oecd(path, year=year),
        "eora26": lambda: pymrio.parse_eora26(path, year=year),
    }
    if kind not in parsers:
        raise InputError(path, f"unknown MRIO kind {kind!r}; use one of {sorted(parsers)}")
    try:
        io = parsers[kind]()
    except Exception as e:
        raise InputError(path, f"pymrio could not parse it as {kind} ({type(e).__name__}: {e})") from None
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return from_pymrio_system(io, kind, tuple(map(str, files)), sha256_files(files))


def read_mrio(path: str | Path) -> MrioSource:
    """Open any supported MRIO by looking at ``path``.

    ``pymrio-test`` → the pymrio test MRIO; a folder with the WIOD files → WIOD 2011; a
    folder with ``Z.csv``/``Z.parquet`` → blocks; a pymrio folder (``file_parameters.json``)
    or ``.zip`` → pymrio; an EXIOBASE 3 zip (``IOT_*``) → pymrio's EXIOBASE parser; an Eora26
    zip (``Eora26_<year>_<bp|pp>.zip``) → pymrio's Eora parser. Eora and WIOD with x = Z·1 + Y·1
    have negative outputs: ``load_mrio(path, negative_output="keep")`` loads them in one line.
    """
    if str(path) in ("pymrio-test", "pymrio_test", "test"):
        return read_pymrio_test()
    p = Path(path)
    if not p.exists():
        raise InputError(p, "MRIO path not found (give a folder, a zip, or 'pymrio-test')")
    if p.is_dir():
        if all((p / f).exists() for f in WIOD_FILES.values()):
            return read_wiod_2011(p)
        if (p / "Z.csv").exists() or (p / "Z.parquet").exists():
            return read_blocks(p)
        if (p / "file_parameters.json").exists() or any(p.glob("*/file_parameters.json")):
            return read_pymrio_folder(p)
    elif p.suffix == ".zip":
        if p.name.startswith("IOT_"):
            return read_with_pymrio("exiobase3", p)
        if p.name.lower().startswith("eora26"):  # e.g. Eora26_2015_bp.zip (year and prices from the name)
            return read_with_pymrio("eora26", p)
        return read_pymrio_folder(p)
    raise InputError(p, "not a recognised MRIO (WIOD CSVs, Z/Y blocks, pymrio folder/zip, EXIOBASE zip)")
