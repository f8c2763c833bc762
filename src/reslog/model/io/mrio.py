"""The thin :class:`MRIO` object: labelled blocks in, labelled results out.

It validates the blocks once, keeps Z, Y, x and the extensions, and builds one
:class:`~reslog.model.io.solve.LeontiefSolver` on demand. All numerics live in the
``calc_*`` functions of the sibling modules; this class only wires labels to them.

Example
-------
>>> import pymrio
>>> from reslog.model.io import MRIO
>>> mrio = MRIO.from_pymrio(pymrio.load_test())
>>> acc = mrio.accounts("emissions")           # D_cba, D_pba, D_imp, D_exp (+ _reg)
>>> fp = mrio.footprint({("reg2", "mining"): 1.0}, "emissions")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping

import numpy as np
import pandas as pd

from reslog.errors import ModelInputError
from reslog.model.io import core, validate
from reslog.model.io.accounts import RTOL, Accounts, aggregate_Y, calc_accounts, calc_accounts_many
from reslog.model.io.solve import IllConditioned, LeontiefSolver, Method

NegativeOutput = Literal["error", "clip", "keep"]


@dataclass
class Extension:
    """A satellite account: stressors F per sector and F_Y per final-demand column.

    Attributes
    ----------
    name : str
        Key of the extension (pymrio's attribute name, e.g. ``"emissions"``).
    F : DataFrame (stressors × (region, sector))
    F_Y : DataFrame (stressors × (region, category)), optional
    unit : Series, optional
        Unit per stressor (index as F's rows); carried to accounts, footprints and CSV output.
    """

    name: str
    F: pd.DataFrame
    F_Y: pd.DataFrame | None = None
    unit: pd.Series | None = None


@dataclass
class MRIO:
    """A multi-regional input–output system.

    Parameters
    ----------
    Z : DataFrame ((region, sector) × (region, sector))
        Intermediate flows.
    Y : DataFrame ((region, sector) × (region, category))
        Final demand.
    extensions : mapping name → Extension, optional
    x : Series or ndarray, optional
        Gross output; computed as Z·1 + Y·1 when absent.
    name : str
    unit : str, optional
        Monetary unit of Z, Y, x (e.g. ``"million USD"``).
    method : solver method (see :mod:`reslog.model.io.solve`)
    tol : relative residual of iterative solvers
    check : run the input checks (default True)
    negative_output : {"error", "clip", "keep"}
        Policy for negative gross output (published tables can have it, e.g. WIOD with
        x = Z·1 + Y·1, from negative inventory changes). ``"error"`` (default) refuses with a
        message naming the sectors; ``"clip"`` sets them to 0 (zero coefficients for those
        sectors, their inputs dropped, a warning); ``"keep"`` computes with them as pymrio does
        (A then has negative entries: no productivity test, no iterative error bound, LU).
    ill_conditioned : {"error", "warn"}
        What to do when I − A is estimated to lose more than 10 of 16 digits (see
        :mod:`reslog.model.io.solve`).

    Attributes
    ----------
    productivity : dict
        Which productivity test passed (see :func:`validate.check_productive`).
    """

    Z: pd.DataFrame
    Y: pd.DataFrame
    extensions: dict[str, Extension] = field(default_factory=dict)
    x: pd.Series | None = None
    name: str = "mrio"
    unit: str | None = None
    method: Method = "auto"
    tol: float = 1e-13
    check: bool = True
    negative_output: NegativeOutput = "error"
    ill_conditioned: IllConditioned = "error"
    productivity: dict[str, object] = field(default_factory=dict, init=False)
    _zfacts: tuple[bool | None, np.ndarray | None] = field(default=(None, None), init=False, repr=False)
    _zscan: tuple[np.ndarray | None, float] = field(default=(None, 0.0), init=False, repr=False)
    _solver: LeontiefSolver | None = field(default=None, init=False, repr=False)
    _accounts: dict[str, Accounts] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        Z = validate.check_frame(self.Z, "Z")
        Y = validate.check_frame(self.Y, "Y")
        validate.check_square(Z, "Z")
        if not isinstance(Z.index, pd.MultiIndex) or list(Z.index.names)[:2] != ["region", "sector"]:
            raise ModelInputError(
                "block Z: rows must be a MultiIndex named ('region', 'sector'); "
                f"got names {list(Z.index.names)}"
            )
        validate.check_same_labels(Z.index, Y.index, "Z", "Y", "row labels")
        Zv = Z.to_numpy(dtype=float)
        # one pass over Z: finiteness, Z·1 (for x), Σ_i Z_ij and min Z (for the productivity test)
        z_rows, z_cols, z_min = validate.scan_flows(Zv, "Z", Z.index, Z.columns, finite=self.check)
        self._zscan = (z_cols, z_min)
        if self.check:
            validate.check_finite(Y, "Y")
        if self.x is None:
            x = z_rows + Y.to_numpy(dtype=float).sum(axis=1)  # x = Z·1 + Y·1 (core.calc_x)
        else:
            xs = self.x.iloc[:, 0] if isinstance(self.x, pd.DataFrame) else self.x
            if isinstance(xs, pd.Series):
                validate.check_same_labels(Z.index, xs.index, "Z", "x", "labels")
            x = np.asarray(xs, dtype=float).ravel()
            if x.shape != (Z.shape[0],):
                raise ModelInputError(f"block x: {x.shape[0]} values for {Z.shape[0]} sectors")
        self.x = pd.Series(x, index=Z.index, name="indout")
        for name, ext in list(self.extensions.items()):
            self.extensions[name] = self._check_extension(name, ext)
        clipped = self._apply_output_policy()
        if self.check:
            self._check_system(clipped)

    # ------------------------------------------------------------------ checks
    def _check_extension(self, name: str, ext: Extension) -> Extension:
        F = validate.check_frame(ext.F, f"F ({name})")
        validate.check_same_labels(self.Z.index, F.columns, "Z", f"F ({name})", "column labels")
        if self.check:
            validate.check_finite(F, f"F ({name})")
        if ext.F_Y is not None:
            FY = validate.check_frame(ext.F_Y, f"F_Y ({name})")
            validate.check_same_labels(self.Y.columns, FY.columns, "Y", f"F_Y ({name})", "column labels")
            validate.check_same_labels(F.index, FY.index, f"F ({name})", f"F_Y ({name})", "stressor labels")
            if self.check:
                validate.check_finite(FY, f"F_Y ({name})")
        ext.unit = _unit_series(ext.unit, F.index, name)
        return ext

    def _apply_output_policy(self) -> np.ndarray:
        """Apply ``negative_output`` to x; returns the mask of clipped sectors."""
        x0 = self.x_array
        x = validate.check_output(x0, self.labels, "x", self.negative_output)
        clipped = x != x0
        if clipped.any():
            import warnings

            warnings.warn(f"negative_output='clip': gross output set to 0 for {int(clipped.sum())} sector(s) "
                          f"{validate._fmt(self.labels[clipped])}; their inputs get zero coefficients", stacklevel=4)
            self.x = pd.Series(x, index=self.labels, name="indout")
        return clipped

    def _check_system(self, clipped: np.ndarray) -> None:
        x = self.x_array
        Z = self.Z.to_numpy(dtype=float)
        colsum = validate.col_abs_sum(Z) if (x == 0).any() else np.zeros(len(x))  # chunked: no n × n temporary
        zero_out = (x == 0) & (colsum > 0) & ~clipped
        if zero_out.any():
            raise ModelInputError(
                "block Z: sector(s) with zero gross output but non-zero inputs: "
                + validate._fmt(self.labels[zero_out]) + "; output x must cover inputs"
            )
        colsum_Z, zmin = self._zscan
        colsum_Z = colsum_Z if zmin >= 0 else None
        self._zfacts = (zmin >= 0, colsum_Z)  # handed to the solver: no second pass over Z
        self.productivity = validate.check_productive(
            Z, x, self.labels, solve_ones=lambda: self.solver.solve(np.ones(len(x))), zmin=zmin, colsum_Z=colsum_Z)
        if self.productivity.get("productive") is None:
            # negative coefficients: no Perron bound on L, so estimate the conditioning now (an LU,
            # which the solves reuse); refuses or warns when digits would be lost
            self.productivity["cond"] = self.solver.condition_estimate()

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_pymrio(cls, io: Any, *, method: Method = "auto", tol: float = 1e-13, check: bool = True,
                    **kwargs: Any) -> "MRIO":
        """Build from a pymrio ``IOSystem`` (Z, or A with x, and every extension with F/F_Y and unit).

        Keyword arguments go to :class:`MRIO` (e.g. ``negative_output="keep"`` for WIOD with x
        computed as Z·1 + Y·1, as pymrio's ``calc_system`` does).
        """
        Z = getattr(io, "Z", None)
        x = getattr(io, "x", None)
        if Z is None:
            A = getattr(io, "A", None)
            if A is None or x is None:
                raise ModelInputError("pymrio system has neither Z nor (A and x); call io.calc_system() first")
            Z = pd.DataFrame(core.calc_Z(A.to_numpy(), np.asarray(x, float).ravel()), index=A.index, columns=A.columns)
        if x is not None:
            x = x.iloc[:, 0] if isinstance(x, pd.DataFrame) else x
        exts: dict[str, Extension] = {}
        names = list(io.get_extensions(data=False, instance_names=True))
        for nm in names:
            ext = getattr(io, nm)
            F = ext.F
            if F is None:
                if ext.S is None or x is None:
                    raise ModelInputError(f"extension {nm}: neither F nor (S and x) present")
                F = pd.DataFrame(core.calc_F(ext.S.to_numpy(), np.asarray(x, float)), index=ext.S.index,
                                 columns=ext.S.columns)
            u = getattr(ext, "unit", None)
            unit = u.iloc[:, 0] if isinstance(u, pd.DataFrame) and u.shape[1] else (u if isinstance(u, pd.Series) else None)
            exts[nm] = Extension(nm, F, getattr(ext, "F_Y", None), unit)
        unit = None
        if isinstance(getattr(io, "unit", None), pd.DataFrame) and len(io.unit):
            unit = str(io.unit.iloc[0, 0])
        return cls(Z=Z, Y=io.Y, extensions=exts, x=x, name=str(getattr(io, "name", "mrio")), unit=unit,
                   method=method, tol=tol, check=check, **kwargs)

    @classmethod
    def from_blocks(
        cls,
        Z: pd.DataFrame,
        Y: pd.DataFrame,
        F: Mapping[str, Any] | None = None,
        *,
        units: Mapping[str, pd.Series | str | None] | None = None,
        **kwargs: Any,
    ) -> "MRIO":
        """Build from wide DataFrames.

        ``F`` maps extension name → F, (F, F_Y) or (F, F_Y, unit); ``units`` maps extension name →
        unit per stressor (a Series indexed like F's rows, or one string for all its stressors).
        Other keyword arguments go to :class:`MRIO` (``x``, ``unit``, ``negative_output`` …).
        """
        exts: dict[str, Extension] = {}
        for nm, val in (F or {}).items():
            parts = tuple(val) if isinstance(val, tuple) else (val,)
            f = parts[0]
            fy = parts[1] if len(parts) > 1 else None
            u = parts[2] if len(parts) > 2 else None
            if units is not None and units.get(nm) is not None:
                u = units[nm]
            exts[nm] = Extension(nm, f, fy, _unit_series(u, f.index, nm))
        return cls(Z=Z, Y=Y, extensions=exts, **kwargs)

    @classmethod
    def from_long(cls, df: pd.DataFrame, **kwargs: Any) -> "MRIO":
        """Build from the long ``io_blocks`` layout (one row per cell; see :func:`blocks_from_long`);
        a ``unit`` column, when present, gives the unit of each stressor."""
        blocks = blocks_from_long(df)
        F = {k[2:]: (v, blocks.get("F_Y:" + k[2:])) for k, v in blocks.items() if k.startswith("F:")}
        units = units_from_long(df)
        if "x" in blocks and "x" not in kwargs:
            kwargs["x"] = blocks["x"].iloc[:, 0]
        if "unit" in df.columns and "unit" not in kwargs:
            money = df.loc[df["block"].isin(["Z", "Y"]), "unit"].dropna().unique()
            if len(money) == 1:
                kwargs["unit"] = str(money[0])
        return cls.from_blocks(blocks["Z"], blocks["Y"], F, units=units or None, **kwargs)

    # ------------------------------------------------------------------ basics
    @property
    def labels(self) -> pd.MultiIndex:
        """(region, sector) labels of rows and columns of Z."""
        return self.Z.index  # type: ignore[return-value]

    @property
    def regions(self) -> pd.Index:
        """Producing regions in order of appearance."""
        return self.labels.get_level_values("region").unique()

    @property
    def sectors(self) -> pd.Index:
        """Sectors in order of appearance."""
        return self.labels.get_level_values("sector").unique()

    @property
    def x_array(self) -> np.ndarray:
        """Gross output as a float array."""
        assert self.x is not None
        return self.x.to_numpy(dtype=float)

    @property
    def region_codes(self) -> np.ndarray:
        """Region code per row (0 … R−1)."""
        return self.regions.get_indexer(self.labels.get_level_values("region"))

    def extension(self, name: str) -> Extension:
        """An extension by name, or a clear error listing the available ones."""
        if name not in self.extensions:
            raise ModelInputError(f"unknown extension {name!r}; available: {sorted(self.extensions)}")
        return self.extensions[name]

    def find_stressor(self, stressor: str) -> tuple[str, object]:
        """(extension, row label) of a stressor given by its name (first index level) or full label."""
        hits = []
        for nm, ext in self.extensions.items():
            for lab in ext.F.index:
                first = lab[0] if isinstance(lab, tuple) else lab
                if str(first) == stressor or str(lab) == stressor:
                    hits.append((nm, lab))
        if not hits:
            all_ = [str(lab) for e in self.extensions.values() for lab in e.F.index][:20]
            raise ModelInputError(f"unknown stressor {stressor!r}; available: {all_}")
        return hits[0]

    @property
    def solver(self) -> LeontiefSolver:
        """The solver for I − A (built on first use, one n × n array)."""
        if self._solver is None:
            # implicit I − A over Z itself: iterative solves allocate no n × n array; an LU (when
            # chosen) materialises C once
            self._solver = LeontiefSolver.from_flows(self.Z.to_numpy(dtype=float), self.x_array,
                                                     labels=list(self.labels), groups=self.region_codes,
                                                     method=self.method, tol=self.tol,
                                                     ill_conditioned=self.ill_conditioned,
                                                     nonnegative=self._zfacts[0], colsum_Z=self._zfacts[1])
        return self._solver

    @property
    def A(self) -> pd.DataFrame:
        """Technical coefficients A = Z·x̂⁻¹."""
        return pd.DataFrame(core.calc_A(self.Z.to_numpy(dtype=float), self.x_array), index=self.labels,
                            columns=self.labels)

    @property
    def L(self) -> pd.DataFrame:
        """The Leontief inverse (formed only on request: n² memory, O(n³) time)."""
        return pd.DataFrame(self.solver.inverse(), index=self.labels, columns=self.labels)

    @property
    def B(self) -> pd.DataFrame:
        """Ghosh allocation coefficients B = x̂⁻¹·Z."""
        return pd.DataFrame(core.calc_B(self.Z.to_numpy(dtype=float), self.x_array), index=self.labels,
                            columns=self.labels)

    @property
    def G(self) -> pd.DataFrame:
        """Ghosh inverse G = x̂⁻¹·L·x̂ (formed on request)."""
        return pd.DataFrame(core.calc_G(self.solver.inverse(), self.x_array), index=self.labels,
                            columns=self.labels)

    @property
    def v(self) -> pd.Series:
        """Primary inputs (value added etc.) v = x − 1ᵀZ."""
        return pd.Series(core.calc_v(self.Z.to_numpy(dtype=float), self.x_array), index=self.labels, name="v")

    def S(self, extension: str) -> pd.DataFrame:
        """Stressor intensities S = F·x̂⁻¹ of an extension."""
        F = self.extension(extension).F
        return pd.DataFrame(core.calc_S(F.to_numpy(dtype=float), self.x_array), index=F.index, columns=F.columns)

    # ------------------------------------------------------------------ results
    def multipliers(self, extension: str, *, rtol: float = RTOL) -> pd.DataFrame:
        """M = S·L (stressor per unit of final demand), from k transposed solves.

        Guarded like the accounts: iterative solves are refined until every entry is within
        rtol·(|M_kj| + η·max_j |M_kj|); ``attrs`` hold ``error_bound``, ``guaranteed``, ``unit``.
        """
        from reslog.model.io.footprint import guarded_solve

        S = self.S(extension)
        Mt, info = guarded_solve(self.solver, np.ascontiguousarray(S.to_numpy().T), transpose=True, rtol=rtol)
        out = pd.DataFrame(Mt.T, index=S.index, columns=S.columns)
        out.attrs.update(info)
        unit = self.extension(extension).unit
        if unit is not None:
            out.attrs["unit"] = {str(k): f"{v} per {self.unit or 'monetary unit'}" for k, v in unit.items()}
        return out

    def accounts(
        self, extension: str, *, want_M: bool = False, imports: bool = True, Y_agg: pd.DataFrame | None = None,
        rtol: float = RTOL,
    ) -> Accounts:
        """D_cba, D_pba, D_imp, D_exp (+ ``_reg``) of one extension, labelled as in pymrio.

        ``imports=False`` skips D_imp (its k·R extra solves dominate the cost on large systems);
        D_imp_reg is still given (from the forward solves, no extra cost). The accounts carry the
        extension's units (``Accounts.unit``) and their accuracy (``info["guaranteed"]``).
        """
        key = extension if Y_agg is None else None
        if key is not None and key in self._accounts:
            hit = self._accounts[key]
            if (not want_M or hit.M is not None) and (not imports or hit.D_imp is not None):
                return hit
        ext = self.extension(extension)
        acc = calc_accounts(self.solver, self.S(extension), self.Y, ext.F_Y, Y_agg=Y_agg, want_M=want_M,
                            want_imp=imports, rtol=rtol, unit=ext.unit)
        if key is not None:
            self._accounts[key] = acc
        return acc

    def accounts_all(
        self, extensions: list[str] | None = None, *, want_M: bool = False, imports: bool = True,
        rtol: float = RTOL,
    ) -> dict[str, Accounts]:
        """Accounts of several (default: all) extensions, sharing one factorisation and every solve.

        The extensions' S are stacked (see :func:`accounts.calc_accounts_many`): with EXIOBASE's
        ~1,100 stressors + 126 impacts the cost is one LU, R + 1 forward solves and n forward
        solves for D_imp — not one set per extension or per stressor.
        """
        names = list(self.extensions) if extensions is None else list(extensions)
        exts = {nm: self.extension(nm) for nm in names}
        out = calc_accounts_many(self.solver, {nm: self.S(nm) for nm in names}, self.Y,
                                 {nm: e.F_Y for nm, e in exts.items()}, want_M=want_M, want_imp=imports,
                                 rtol=rtol, units={nm: e.unit for nm, e in exts.items()})
        self._accounts.update(out)
        return out

    def Y_agg(self) -> pd.DataFrame:
        """Final demand per consuming region (categories summed)."""
        return aggregate_Y(self.Y)

    def demand_vector(self, demand: Any) -> np.ndarray:
        """A demand vector from a Series/dict keyed by (region, sector), or a region name.

        A region name (e.g. ``"JPN"``) means that region's total final demand.
        """
        from reslog.model.io.footprint import demand_vector

        return demand_vector(self.labels, demand, self.Y_agg())

    def footprint(self, demand: Any, extension: str, *, stressor: Any = None):  # -> FootprintResult
        """Footprint of any demand, with its breakdown by origin (see :func:`footprint.calc_footprint`)."""
        from reslog.model.io.footprint import calc_footprint

        ext = self.extension(extension)
        S = self.S(extension)
        if stressor is not None:
            S = S.loc[[ext.F.index[_row_pos(ext.F.index, stressor)]]]
        unit = ext.unit.reindex(S.index) if ext.unit is not None else None
        return calc_footprint(self.solver, S, self.demand_vector(demand), unit=unit)

    def risk_footprint(self, demand: Any, extension: str, weights: pd.Series | pd.DataFrame, *, stressor: Any = None):
        """Risk-weighted footprint (see :func:`footprint.calc_risk_footprint`)."""
        from reslog.model.io.footprint import calc_risk_footprint

        fp = self.footprint(demand, extension, stressor=stressor)
        return calc_risk_footprint(fp, weights)


def _unit_series(u: pd.Series | str | None, index: pd.Index, name: str) -> pd.Series | None:
    """Unit per stressor from a Series (aligned to F's rows) or one string for all."""
    if u is None:
        return None
    if isinstance(u, pd.DataFrame):
        u = u.iloc[:, 0]
    if isinstance(u, str):
        return pd.Series(u, index=index, name="unit")
    if not isinstance(u, pd.Series):
        raise ModelInputError(f"extension {name}: unit must be a Series per stressor or a string, got {type(u).__name__}")
    missing = index.difference(u.index)
    if len(missing):
        raise ModelInputError(f"extension {name}: no unit for stressor(s) {validate._fmt(missing)}")
    return u.reindex(index).rename("unit")


def units_from_long(df: pd.DataFrame) -> dict[str, pd.Series]:
    """Units per stressor from the long ``io_blocks`` layout (its optional ``unit`` column)."""
    if "unit" not in df.columns:
        return {}
    out: dict[str, pd.Series] = {}
    sub = df[df["block"].astype(str).str.startswith("F:") & df["unit"].notna()]
    for blk, g in sub.groupby("block", sort=False):
        u = g.drop_duplicates("row_sector").set_index("row_sector")["unit"].astype(str)
        u.index.name = "stressor"
        out[str(blk)[2:]] = u
    return out


def _row_pos(index: pd.Index, stressor: Any) -> int:
    for i, lab in enumerate(index):
        first = lab[0] if isinstance(lab, tuple) else lab
        if lab == stressor or str(first) == str(stressor) or str(lab) == str(stressor):
            return i
    raise ModelInputError(f"unknown stressor {stressor!r}; available: {[str(v) for v in index[:20]]}")


def blocks_from_long(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Pivot the long ``io_blocks`` layout into wide labelled blocks.

    Expected columns: ``block, row_region, row_sector, col_region, col_sector, value``.
    ``block`` is ``Z``, ``Y``, ``x`` (published gross output), ``F:<extension>`` or
    ``F_Y:<extension>``. For ``F``/``F_Y`` the
    stressor name is in ``row_sector`` (``row_region`` empty); for ``Y`` the final-demand
    category is in ``col_sector``. Missing cells are zeros; the (region, sector) order is the
    order of first appearance in Z's rows.
    """
    need = ["block", "row_region", "row_sector", "col_region", "col_sector", "value"]
    miss = [c for c in need if c not in df.columns]
    if miss:
        raise ModelInputError(f"block table: missing column(s) {miss}")
    if "Z" not in set(df["block"]) or "Y" not in set(df["block"]):
        raise ModelInputError("block table: needs both a 'Z' and a 'Y' block")
    dup = df.duplicated(["block", "row_region", "row_sector", "col_region", "col_sector"])
    if dup.any():
        r = df[dup].iloc[0]
        raise ModelInputError(f"block {r['block']}: duplicated cell ({r['row_region']!r}, {r['row_sector']!r}, "
                              f"{r['col_region']!r}, {r['col_sector']!r})")
    # (region, sector) labels in order of first appearance: x rows (every sector, when present),
    # then Z rows, Z columns and Y rows — a sector whose Z row is all zero still gets its label
    zrows = df[df["block"] == "Z"]
    parts = [df[df["block"] == "x"][["row_region", "row_sector"]], zrows[["row_region", "row_sector"]],
             zrows[["col_region", "col_sector"]].set_axis(["row_region", "row_sector"], axis=1),
             df[df["block"] == "Y"][["row_region", "row_sector"]]]
    labels = pd.MultiIndex.from_frame(pd.concat(parts, ignore_index=True).drop_duplicates(),
                                      names=["region", "sector"])
    ycols_df = df[df["block"] == "Y"][["col_region", "col_sector"]].drop_duplicates()
    ycols = pd.MultiIndex.from_frame(ycols_df, names=["region", "category"])
    out: dict[str, pd.DataFrame] = {}
    for blk, sub in df.groupby("block", sort=False):
        blk = str(blk)
        if blk == "Z":
            w = sub.pivot_table(index=["row_region", "row_sector"], columns=["col_region", "col_sector"],
                                values="value", aggfunc="sum")
            w.index.names, w.columns.names = ["region", "sector"], ["region", "sector"]
            extra = w.columns.difference(labels)
            if len(extra):
                raise ModelInputError(f"block Z: column labels without a row: {validate._fmt(extra)}")
            out["Z"] = w.reindex(index=labels, columns=labels).fillna(0.0)
        elif blk == "Y":
            w = sub.pivot_table(index=["row_region", "row_sector"], columns=["col_region", "col_sector"],
                                values="value", aggfunc="sum")
            w.index.names, w.columns.names = ["region", "sector"], ["region", "category"]
            extra = w.index.difference(labels)
            if len(extra):
                raise ModelInputError(f"block Y: row labels not in Z: {validate._fmt(extra)}")
            out["Y"] = w.reindex(index=labels, columns=ycols).fillna(0.0)
        elif blk == "x":  # published gross output (one value per row; columns unused)
            w = sub.groupby(["row_region", "row_sector"], sort=False)["value"].sum()
            w.index.names = ["region", "sector"]
            extra = w.index.difference(labels)
            if len(extra):
                raise ModelInputError(f"block x: row labels not in Z: {validate._fmt(extra)}")
            out["x"] = w.reindex(labels).fillna(0.0).rename("indout").to_frame()
        elif blk.startswith(("F:", "F_Y:")):
            w = sub.pivot_table(index="row_sector", columns=["col_region", "col_sector"], values="value",
                                aggfunc="sum")
            w.index.name = "stressor"
            if blk.startswith("F:"):
                w.columns.names = ["region", "sector"]
                extra = w.columns.difference(labels)
                if len(extra):
                    raise ModelInputError(f"block {blk}: column labels not in Z: {validate._fmt(extra)}")
                out[blk] = w.reindex(columns=labels).fillna(0.0)
            else:
                w.columns.names = ["region", "category"]
                out[blk] = w.reindex(columns=ycols).fillna(0.0)
        else:
            raise ModelInputError(f"block table: unknown block {blk!r} (use Z, Y, x, F:<ext>, F_Y:<ext>)")
    for k in list(out):
        if k.startswith("F_Y:") and "F:" + k[4:] in out:
            out[k] = out[k].reindex(index=out["F:" + k[4:]].index).fillna(0.0)
    return out
