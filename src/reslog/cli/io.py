"""``reslog io``: footprints, supply shocks and structural paths on an MRIO table.

``--mrio`` takes a pymrio folder/zip, a folder of CSV/Parquet blocks, the WIOD 2011 CSV
folder, or ``pymrio-test`` (the small MRIO inside the pymrio wheel). Commands hold no
analysis: they read through :mod:`reslog.sources.mrio`, compute with :mod:`reslog.model.io`
and write CSV.
"""

from __future__ import annotations

import html

from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import pandas as pd
import typer
from rich.console import Console

from reslog.report.html import Section

from reslog.errors import InputError, ReslogError

MrioOpt = Annotated[str, typer.Option("--mrio", help="MRIO: pymrio folder/zip, blocks folder, WIOD folder or 'pymrio-test'.")]
NegOpt = Annotated[str, typer.Option("--negative-output", help="Negative gross output: 'error' (default), 'clip' "
                                     "(set to 0) or 'keep' (compute with it, as pymrio does).")]


def load_mrio(path: str | Path, **kwargs):  # -> MRIO
    """Read an MRIO from disk (pymrio folder/zip, CSV/Parquet blocks, WIOD CSVs) with
    :func:`reslog.sources.mrio.read_mrio` and build the model object; the model opens no file."""
    from reslog.model.io import MRIO
    from reslog.sources.mrio import read_mrio

    src = read_mrio(path)
    return MRIO.from_blocks(src.Z, src.Y, src.extensions, units=src.ext_units, x=src.x, name=src.meta.source,
                            unit=src.unit or None, **kwargs)


def _load(path: str | Path, negative_output: str = "error"):  # -> MRIO
    if negative_output not in ("error", "clip", "keep"):
        raise InputError("--negative-output", f"must be 'error', 'clip' or 'keep', got {negative_output!r}")
    return load_mrio(path, negative_output=negative_output)


def _stressor_label(s: object) -> str:
    return " | ".join(map(str, s)) if isinstance(s, tuple) else str(s)


def _with_unit(label: object, unit: pd.Series | None) -> str:
    """Column header ``stressor [unit]`` (the bare label when the unit is unknown)."""
    name = _stressor_label(label)
    if unit is None or label not in unit.index or pd.isna(unit.loc[label]):
        return name
    return f"{name} [{unit.loc[label]}]"


def _unit_of(unit: pd.Series | None, label: object) -> str | None:
    if unit is None or label not in unit.index or pd.isna(unit.loc[label]):
        return None
    return str(unit.loc[label])


def _read_demand(path: Path) -> pd.Series:
    from reslog.sources.base import parse_number, read_csv_strict

    df = read_csv_strict(path, ["region", "sector", "value"])
    vals = [parse_number(path, i + 1, "value", v, allow_negative=True) for i, v in enumerate(df["value"])]
    return pd.Series(vals, index=pd.MultiIndex.from_arrays([df["region"], df["sector"]]), dtype=float)


def footprint_cmd(
    mrio: MrioOpt,
    extension: Annotated[str, typer.Option("--extension", help="Extension (satellite account) name.")],
    output: Annotated[Path, typer.Option("--output", help="CSV file to write.")],
    stressor: Annotated[Optional[str], typer.Option("--stressor", help="Only this stressor.")] = None,
    by: Annotated[str, typer.Option("--by", help="'region': consumption-based footprint per consuming region; "
                                             "'origin': each region's footprint by origin region.")] = "region",
    demand: Annotated[Optional[Path], typer.Option("--demand", help="CSV region,sector,value: footprint of "
                                                   "this demand (by origin) instead of regions' final demand.")] = None,
    negative_output: NegOpt = "error",
) -> None:
    """Consumption-based footprints (or the footprint of any demand) with origin breakdown.

    Every CSV carries the stressor units: a ``unit`` column in long tables, ``stressor [unit]``
    headers in wide ones."""
    if by not in ("region", "origin"):
        raise InputError("--by", f"must be 'region' or 'origin', got {by!r}")
    m = _load(mrio, negative_output)
    ext = m.extension(extension)
    unit = ext.unit
    if demand is not None:
        fp = m.footprint(_read_demand(demand), extension, stressor=stressor)
        if by == "origin":
            out = fp.long()
        else:
            out = fp.by_region().T
            out.columns = [_with_unit(c, unit) for c in out.columns]
            out = out.rename_axis("region").reset_index()
    elif by == "region":
        acc = m.accounts(extension, imports=False)
        tab = acc.D_cba_reg
        if stressor is not None:
            tab = tab.loc[[ext.F.index[_pos(ext.F.index, stressor)]]]
        out = tab.T
        out.columns = [_with_unit(c, unit) for c in out.columns]
        out = out.rename_axis("region").reset_index()
    else:
        rows = []
        for reg in m.Y_agg().columns:
            fp = m.footprint(str(reg), extension, stressor=stressor)
            br = fp.by_region()
            for s in br.index:
                for o in br.columns:
                    rows.append({"consumer": reg, "stressor": _stressor_label(s), "origin_region": o,
                                 "value": float(br.loc[s, o]), "unit": _unit_of(unit, s)})
        out = pd.DataFrame(rows)
    output.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(output, index=False)
    typer.echo(f"wrote {len(out)} rows to {output}")


def _pos(index: pd.Index, stressor: str) -> int:
    from reslog.model.io.mrio import _row_pos

    return _row_pos(index, stressor)


def shock_cmd(
    mrio: MrioOpt,
    shock: Annotated[Path, typer.Option("--shock", help="CSV region,sector,loss (fraction of that sector's output "
                                         "lost, 0–1; the sector's own loss in the result equals it).")],
    output: Annotated[Path, typer.Option("--output", help="CSV file to write.")],
    model: Annotated[str, typer.Option("--model", help="ghosh (supply-side mixed: the loss propagates to buyers, "
                                                      "default; = iim-supply) or leontief (demand-side mixed: to "
                                                      "suppliers; = iim-demand).")] = "ghosh",
    negative_output: NegOpt = "error",
) -> None:
    """Propagate an output loss in some region/sectors to every region/sector.

    Both models are mixed: the listed sectors lose exactly the stated fraction of their output
    (``loss_share`` in the result equals ``loss``), and the rest follow the Ghosh (downstream) or
    Leontief (upstream) relation. (Before, ``iim-supply``/``iim-demand`` fed the stated loss in as a
    primary-input or demand perturbation, so the sector's own loss came out larger.)"""
    from reslog.model.io.shock import calc_ghosh_mixed, calc_leontief_mixed
    from reslog.sources.base import parse_number, read_csv_strict

    aliases = {"ghosh": "ghosh", "iim-supply": "ghosh", "leontief": "leontief", "iim-demand": "leontief"}
    if model not in aliases:
        raise InputError("--model", f"unknown model {model!r}; use ghosh (= iim-supply) or leontief (= iim-demand)")
    m = _load(mrio, negative_output)
    df = read_csv_strict(shock, ["region", "sector", "loss"])
    pos, loss = [], []
    for i, r in df.iterrows():
        row = int(i) + 1
        key = (r["region"], r["sector"])
        p = m.labels.get_indexer([key])[0]
        if p < 0:
            raise InputError(shock, f"unknown (region, sector) {key}", row=row, field="sector")
        v = parse_number(shock, row, "loss", r["loss"])
        if v is None or v > 1:
            raise InputError(shock, f"loss must be a fraction between 0 and 1, got {r['loss']}", row=row, field="loss")
        pos.append(p)
        loss.append(v)
    if len(set(pos)) != len(pos):
        raise InputError(shock, "the same (region, sector) is listed twice", field="sector")
    x = m.x_array
    E = np.array(pos, dtype=int)
    qE = np.array(loss)
    Z = m.Z.to_numpy(dtype=float)
    if aliases[model] == "ghosh":
        # supply-side mixed model (Ghosh in relative terms = supply-side IIM, Leung et al. 2007)
        A_cols = Z[:, E] / np.where(x[E] != 0, x[E], 1.0)[None, :]
        q = calc_ghosh_mixed(m.solver, A_cols, E, qE)
    else:
        # demand-side mixed model (Leontief in relative terms = demand-side IIM, Santos & Haimes 2004)
        xinv = np.where(x != 0, 1.0 / np.where(x != 0, x, 1.0), 0.0)
        q = calc_leontief_mixed(m.solver, Z[E, :] * xinv[None, :], x, E, qE)
    out = pd.DataFrame({
        "region": m.labels.get_level_values("region"), "sector": m.labels.get_level_values("sector"),
        "output": x, "loss": q * x, "unit": m.unit or "money (unit of the MRIO)", "loss_share": q,
        "exceeds_capacity": q > 1,
    })
    output.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(output, index=False)
    typer.echo(f"{aliases[model]} (mixed): total output loss {float((q * x).sum()):.6g} ({m.unit or 'money'}); wrote {output}")


def paths_cmd(
    mrio: MrioOpt,
    stressor: Annotated[str, typer.Option("--stressor", help="Stressor name (first label level) or full label.")],
    region: Annotated[str, typer.Option("--region", help="Consuming region whose final demand is analysed.")],
    top: Annotated[int, typer.Option("--top", help="Number of paths.")] = 10,
    max_order: Annotated[int, typer.Option("--max-order", help="Longest path order.")] = 6,
    threshold: Annotated[float, typer.Option("--threshold", help="Pruning threshold (share of total).")] = 1e-4,
    output: Annotated[Optional[Path], typer.Option("--output", help="Also write the paths to this CSV.")] = None,
    negative_output: NegOpt = "error",
) -> None:
    """Structural path analysis: the top supply-chain paths of a region's footprint."""
    from reslog.model.io.spa import calc_spa

    m = _load(mrio, negative_output)
    ext_name, lab = m.find_stressor(stressor)
    y = m.demand_vector(region)
    S = m.S(ext_name)
    s = S.loc[[lab]].to_numpy()[0]
    mult = m.solver.solve(s, transpose=True)
    A = m.A.to_numpy()
    res = calc_spa(A, s, y, mult, list(m.labels), top=top, max_order=max_order, threshold=threshold)
    typer.echo(f"{_stressor_label(lab)} footprint of {region} final demand: {res.attrs['total']:.6g}; "
               f"top {len(res)} paths cover {res.attrs['covered'] / res.attrs['total']:.1%}")
    for r in res.itertuples():
        typer.echo(f"{r.rank:>3}. order {r.order}  {r.value:12.6g}  {r.share:7.2%}  {r.path}")
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        res = res.assign(unit=_unit_of(m.extension(ext_name).unit, lab))
        res.to_csv(output, index=False)


def register(app: typer.Typer) -> None:
    """Add the ``reslog io`` sub-app (footprint, shock, paths) to the root app."""
    io_app = typer.Typer(help="MRIO engine: footprints, supply shocks, structural paths.", no_args_is_help=True)
    io_app.command("footprint", help="Consumption-based footprints (or of any demand) by region or origin.")(footprint_cmd)
    io_app.command("shock", help="Propagate an output loss through the MRIO (Ghosh or inoperability model).")(shock_cmd)
    io_app.command("paths", help="Top supply-chain paths (structural path analysis) of a region's footprint.")(paths_cmd)
    app.add_typer(io_app, name="io")


def demo_section() -> str:
    """Text for ``reslog demo``: a footprint and its origin breakdown on pymrio's test MRIO.

    Runs offline (the test MRIO ships inside the pymrio wheel); takes well under a second.
    """
    import pymrio

    from reslog.model.io import MRIO

    try:
        m = MRIO.from_pymrio(pymrio.load_test())
    except ReslogError:
        raise
    ext = "emissions"
    acc = m.accounts(ext)
    lab = m.extension(ext).F.index[0]
    unit = _unit_of(acc.unit, lab) or "unit not given"
    lines = ["MRIO footprint (pymrio test system: 6 regions × 8 sectors; stressor "
             f"{_stressor_label(lab)} [{unit}])", "",
             f"{'region':<8}{'production':>14}{'consumption':>14}{'imported':>14}{'exported':>14}"]
    for reg in acc.D_cba_reg.columns:
        lines.append(f"{reg:<8}{acc.D_pba_reg.loc[lab, reg]:>14.4g}{acc.D_cba_reg.loc[lab, reg]:>14.4g}"
                     f"{acc.D_imp_reg.loc[lab, reg]:>14.4g}{acc.D_exp_reg.loc[lab, reg]:>14.4g}")
    reg = str(acc.D_cba_reg.columns[1])
    fp = m.footprint(reg, ext, stressor=lab)
    br = fp.by_region().loc[lab].sort_values(ascending=False)
    tot = float(fp.total.iloc[0])
    lines += ["", f"Footprint of {reg}'s final demand by origin region (excl. direct household emissions):"]
    for o, v in br.items():
        lines.append(f"  {o:<8}{v:>14.4g}  {v / tot:6.1%}")
    return "\n".join(lines)


def demo_sections(db_path: Path | None, console: Console) -> list[Section]:
    """``reslog demo`` hook: print :func:`demo_section` and return it as a report section."""
    text = demo_section()
    console.print(text, highlight=False)
    return [Section(
        "Footprint through a multi-regional input–output model",
        "Consumption-based (D_cba), production-based (D_pba), imported and exported stressor "
        "accounts per region, and one region's footprint by origin region, on the MRIO that "
        "ships inside the pymrio wheel (pymrio.load_test(): a small synthetic 6-region, "
        "8-sector system used for demonstration). `reslog data fetch exiobase` prepares a real one.",
        html=f"<pre>{html.escape(text)}</pre>",
    )]
