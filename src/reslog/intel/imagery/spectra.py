r"""Measured reflectance spectra convolved with the Sentinel-2 spectral response functions.

The scene simulator composes surfaces from *measured* spectra (USGS Spectral Library v7,
Kokaly et al. 2017) seen through the Sentinel-2A MSI bands (ESA SRF issue 3.0). For a spectrum
:math:`R(\lambda)` and the relative response :math:`S_b(\lambda)` of band :math:`b` on a 1 nm grid,

.. math:: \rho_b = \frac{\sum_\lambda R(\lambda)\,S_b(\lambda)}{\sum_\lambda S_b(\lambda)},

with :math:`R` linearly interpolated to the SRF grid after removing the library's deleted
channels (value ``-1.23e34``). Where the spectrum does not cover part of a band, the sum runs
over the covered part; a band with less than 90 % of its response covered is refused.

The convolved values ship with the package (``data/imagery/endmembers.csv``, one row per
spectrum, with its USGS record number), so the simulator runs without the library;
:func:`build_endmember_table` rebuilds that table from the library and a test checks that
they agree.

References
----------
Kokaly, R.F. et al. (2017) USGS Spectral Library Version 7. USGS Data Series 1035,
doi:10.3133/ds1035; data doi:10.5066/F7RR1WDJ.
ESA (2017) Sentinel-2 Spectral Response Functions, COPE-GSEG-EOPG-TN-15-0007, issue 3.0.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from reslog.errors import InputError
from reslog.intel.imagery.bands import BANDS

DELETED = -1.0e30
"""Values below this are the library's deleted channels (-1.23e34)."""

# Endmember name -> (file stem inside splib07a_selected/, role). Roles group spectra for the
# simulator: it mixes spectra of one role with random weights.
ENDMEMBERS: dict[str, tuple[str, str]] = {
    "canopy_aspen": ("splib07a_Aspen_YNP-AS-1_forest_AVIRISb_RTGC", "canopy"),
    "canopy_douglas_fir": ("splib07a_Douglas-Fir_YNP-DF-1_forest_AVIRISb_RTGC", "canopy"),
    "canopy_lodgepole": ("splib07a_Lodgepole-Pine_YNP-LP_AVIRISb_RTGC", "canopy"),
    "leaf_oak_fresh": ("splib07a_Oak_Oak-Leaf-1_fresh_ASDFRa_AREF", "green_leaf"),
    "leaf_walnut_green": ("splib07a_Walnut_Leaf_SUN_(Green)_BECKa_AREF", "green_leaf"),
    "leaf_maple": ("splib07a_Maple_Leaves_DW92-1_BECKa_AREF", "green_leaf"),
    "leaf_aspen_green": ("splib07a_Aspen_Aspen-1_green-top_ASDFRa_AREF", "green_leaf"),
    "grass_lawn_green": ("splib07a_Lawn_Grass_GDS91_green_BECKa_AREF", "grass"),
    "grass_golden_dry": ("splib07a_Grass_Golden_Dry_GDS480_ASDFRa_AREF", "dry_veg"),
    "leaf_oak_dried": ("splib07a_Oak_Oak-Leaf-2_dried_ASDFRa_AREF", "dry_veg"),
    "sagebrush_dry": ("splib07a_Sagebrush_Sage-Leaves-1_dry_ASDFRa_AREF", "dry_veg"),
    "willow_dry": ("splib07a_Willow_Willow-Leaves-1_dry_ASDFRa_AREF", "dry_veg"),
    "sand_grand_isle": ("splib07a_Sand_GrndIsle1_no_oil_ASDFRa_AREF", "sand"),
    "sand_dwo": ("splib07a_Sand_DWO-3-DEL2ar1_no_oil_ASDFRa_AREF", "sand"),
    "quartz_ottawa_sand": ("splib07a_Quartz_GDS74_Sand_Ottawa_BECKc_AREF", "sand"),
    "kaolinite_kga1": ("splib07a_Kaolinite_KGa-1_(wxl)_BECKb_AREF", "clay"),
    "kaolinite_cm9": ("splib07a_Kaolinite_CM9_BECKb_AREF", "clay"),
    "montmorillonite_swy1": ("splib07a_Montmorillonite_SWy-1_BECKb_AREF", "clay"),
    "illite_imt1": ("splib07a_Illite_IMt-1.a_BECKb_AREF", "clay"),
    "hematite_gds27": ("splib07a_Hematite_GDS27_BECKa_AREF", "iron_oxide"),
    "hematite_ws161": ("splib07a_Hematite_WS161_BECKb_AREF", "iron_oxide"),
    "hematite_fe2602": ("splib07a_Hematite_FE2602_BECKb_AREF", "iron_oxide"),
    "goethite_gds134": ("splib07a_Goethite_GDS134_ASDFRb_AREF", "iron_oxide"),
    "goethite_ws222": ("splib07a_Goethite_WS222_Medium_Gr._BECKa_AREF", "iron_oxide"),
    "limonite_ws219": ("splib07a_Goethite_WS219_(limonite)_BECKc_AREF", "iron_oxide"),
    "limonite_hs41": ("splib07a_Limonite_HS41.3_BECKb_AREF", "iron_oxide"),
    "ferrihydrite_gds75": ("splib07a_Ferrihydrite_GDS75_Syn_F6_BECKb_AREF", "iron_oxide"),
    "jarosite_gds24": ("splib07a_Jarosite_GDS24_Na_BECKb_AREF", "amd"),
    "amd_assemblage": ("splib07a_Acid_Mine_Dr_Assemb1-Fe3+_ASDFRb_AREF", "amd"),
    "playa_mud_dry": ("splib07a_Stonewall_Playa_Dry_Mud_2001_ASDFRa_AREF", "mud"),
    "seawater_open_ocean": ("splib07a_Seawater_Open_Ocean_SW2_lwch_BECKa_AREF", "clear_water"),
    "seawater_coast_chl": ("splib07a_Seawater_Coast_Chl_SW1_BECKa_AREF", "algal_water"),
    "water_montmor_0.50gl": ("splib07a_Water+Montmor_SWy-2+0.50g-l_ASDFRa_AREF", "water_0.50"),
    "water_montmor_1.67gl": ("splib07a_Water+Montmor_SWy-2+1.67g-l_ASDFRa_AREF", "water_1.67"),
    "water_montmor_5.01gl": ("splib07a_Water+Montmor_SWy-2+5.01g-l_ASDFRa_AREF", "water_5.01"),
    "water_montmor_16.5gl": ("splib07a_Water+Montmor_SWy-2+16.5g-l_ASDFRa_AREF", "water_16.5"),
    "concrete_road": ("splib07a_Concrete_GDS375_Lt_Gry_Road_ASDFRa_AREF", "concrete"),
    "concrete_wtc": ("splib07a_Concrete_WTC01-37A_ASDFRa_AREF", "concrete"),
    "asphalt_road_old": ("splib07a_Asphalt_GDS376_Blck_Road_old_ASDFRa_AREF", "asphalt"),
    "asphalt_tar_roof": ("splib07a_Asphalt_Tar_GDS346_Blck_Roof_ASDFRa_AREF", "asphalt"),
}

_WAVELENGTH_FILES = {
    "ASD": "splib07a_Wavelengths_ASD_0.35-2.5_microns_2151_ch.txt",
    "BECK": "splib07a_Wavelengths_BECK_Beckman_0.2-3.0_microns.txt",
    "AVIRIS": "splib07a_Wavelengths_AVIRIS_1996_0.37-2.5_microns.txt",
}

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "imagery" / "endmembers.csv"


def read_usgs_ascii(path: str | Path) -> tuple[str, np.ndarray]:
    """Header line and values of one USGS splib07 ASCII file (deleted channels as NaN)."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="ascii").splitlines()
    except OSError as e:
        raise InputError(p, f"cannot read the spectrum file: {e.strerror or e}") from e
    if not lines or "Record=" not in lines[0]:
        raise InputError(p, "not a USGS splib07 ASCII file (line 1 must hold 'Record=')", row=1)
    try:
        vals = np.array([float(x) for x in lines[1:] if x.strip()], dtype=float)
    except ValueError as e:
        raise InputError(p, f"a value is not a number ({e})") from None
    vals[vals < DELETED] = np.nan
    return lines[0].strip(), vals


def read_s2_srf(path: str | Path) -> pd.DataFrame:
    """ESA Sentinel-2 SRF CSV → frame indexed by wavelength (nm), one column per band (``B02``…)."""
    p = Path(path)
    df = pd.read_csv(p)
    if "SR_WL" not in df.columns:
        raise InputError(p, "no SR_WL column: not an ESA Sentinel-2 SRF export", field="SR_WL")
    out = pd.DataFrame(index=df["SR_WL"].to_numpy(dtype=float))
    for b in BANDS:
        short = "B" + b[1:].lstrip("0") if b != "B8A" else "B8A"
        col = next((c for c in df.columns if c.endswith(f"_{short}")), None)
        if col is None:
            raise InputError(p, f"no column for band {b} (expected a name ending in _{short})",
                             field=short)
        out[b] = df[col].to_numpy(dtype=float)
    return out


def calc_band_reflectance(wl_nm: np.ndarray, refl: np.ndarray, srf: pd.DataFrame,
                          min_coverage: float = 0.9) -> dict[str, float]:
    r"""Band-averaged reflectance :math:`\rho_b` of one spectrum (see the module docstring).

    Parameters
    ----------
    wl_nm : wavelengths of the spectrum, nm.
    refl : reflectance (unitless, 0–1), NaN for deleted channels.
    srf : :func:`read_s2_srf` output.
    min_coverage : smallest share of a band's response the spectrum must cover.
    """
    ok = np.isfinite(refl) & np.isfinite(wl_nm)
    w, r = wl_nm[ok], refl[ok]
    order = np.argsort(w)
    w, r = w[order], r[order]
    grid = srf.index.to_numpy()
    covered = (grid >= w[0]) & (grid <= w[-1])
    rg = np.interp(grid, w, r)
    out = {}
    for b in BANDS:
        s = srf[b].to_numpy()
        tot = s.sum()
        cov = s[covered].sum() / tot
        if cov < min_coverage:
            raise ValueError(f"band {b}: the spectrum covers only {cov:.0%} of its response")
        out[b] = float((rg[covered] * s[covered]).sum() / s[covered].sum())
    return out


def build_endmember_table(library_dir: str | Path, srf_csv: str | Path) -> pd.DataFrame:
    """Convolve every endmember of :data:`ENDMEMBERS` with the SRFs.

    ``library_dir`` is ``imagery_spectra/spectral_library_usgs_splib07`` (its
    ``splib07a_selected/`` subfolder is searched recursively).
    """
    sel = Path(library_dir) / "splib07a_selected"
    if not sel.is_dir():
        raise InputError(sel, "folder not found (expected the USGS splib07a_selected folder)")
    srf = read_s2_srf(srf_csv)
    wls = {}
    for key, name in _WAVELENGTH_FILES.items():
        _h, v = read_usgs_ascii(sel / name)
        wls[key] = v * 1000.0  # µm -> nm
    rows = []
    for em, (stem, role) in ENDMEMBERS.items():
        hits = list(sel.rglob(stem + ".txt"))
        if not hits:
            raise InputError(sel, f"spectrum file {stem}.txt not found for endmember {em}")
        header, vals = read_usgs_ascii(hits[0])
        inst = next(k for k in _WAVELENGTH_FILES if f"_{k}" in stem)
        wl = wls[inst]
        if len(wl) != len(vals):
            raise InputError(hits[0], f"{len(vals)} values but the {inst} wavelength file has "
                             f"{len(wl)}")
        try:
            band = calc_band_reflectance(wl, vals, srf)
        except ValueError as e:
            raise InputError(hits[0], str(e)) from None
        rec = re.search(r"Record=(\d+)", header)
        rows.append({"endmember": em, "role": role, **{b: round(band[b], 6) for b in BANDS},
                     "usgs_record": int(rec.group(1)) if rec else None,
                     "usgs_file": stem + ".txt", "instrument": inst})
    return pd.DataFrame(rows)


def load_endmembers(path: str | Path | None = None) -> pd.DataFrame:
    """The shipped endmember table (``endmember``, ``role``, one column per band …)."""
    p = Path(path) if path else SHIPPED
    df = pd.read_csv(p, comment="#")
    missing = [b for b in BANDS if b not in df.columns]
    if missing:
        raise InputError(p, f"missing band column(s) {missing}", field=missing[0])
    return df
