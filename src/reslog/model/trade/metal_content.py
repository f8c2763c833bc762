r"""Metal content of traded HS6 items: contained mass fraction with a range and a cited method.

The table ``src/reslog/data/metal_content.csv`` gives, per HS6 item and metal, the mass of
metal contained in one unit mass of the traded item (kg metal per kg of product, the BACI
``q`` being tonnes), with a ``low``–``high`` range and one of three methods:

``stoichiometry``
    Compounds (oxides, hydroxides, sulphates, carbonates, salts). ``basis`` lists one or more
    chemical formulas separated by ``|``; the first is the central compound, the range spans
    all of them. The fraction is computed here from IUPAC 2021 standard atomic weights,

    .. math:: w_M = \frac{n_M A_M}{\sum_e n_e A_e},

    e.g. Co in CoO :math:`= 58.933 / (58.933 + 15.999) = 0.7865`. An optional ``purity``
    (``central;low;high``) scales the stoichiometric fraction for commercial products that are
    not pure compounds (e.g. crude cobalt hydroxide intermediate).
``grade``
    Ores, concentrates, ferro-alloys, unwrought metal, scrap: typical commercial grades from
    the cited literature (fraction, low, high given in the file).
``bom``
    Products (bill of materials): lithium-ion cells (8507.60) per kg of cell from the BatPac 5.1
    kg-per-kWh intensities (Busch et al. 2024) times a documented cell specific energy, see
    :func:`calc_battery_bom`; NdFeB permanent magnets (8505.11) from the composition of
    sintered magnets (Yang et al. 2017).

``revisions`` says in which HS editions the code carries that meaning (``HS92+``,
``HS92-HS02``, ``HS12+``; editions HS92, HS96, HS02, HS07, HS12, HS17, HS22). ``exporters``
(optional, ``;``-separated ISO3) restricts a row to shipments from those countries (for
catch-all codes whose content is only known for some origins). ``stage`` places the item in
the chain of :mod:`reslog.model.trade.stages`.

Separately, :func:`calc_metal_flags` answers "which metals does this HS item contain" for every
HS6 code, from the content table plus heading-level rules (``metal_flags.csv``) where the
presence of a metal is known but its fraction is not.

References
----------
Prohaska, T. et al. (2022) Standard atomic weights of the elements 2021 (IUPAC Technical
Report). Pure Appl. Chem. 94(5), 573–600.
Other sources per row in the ``citation`` column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from reslog.errors import InputError, ModelInputError
from reslog.paths import PACKAGE_DATA

CONTENT_FILE = PACKAGE_DATA / "metal_content.csv"
FLAGS_FILE = PACKAGE_DATA / "metal_flags.csv"

REVISIONS: tuple[str, ...] = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")
METHODS = ("stoichiometry", "grade", "bom")
STAGE_NAMES = ("mine", "refined", "semi", "product", "scrap")

#: Metals covered (canonical commodity names of ``reslog.schema``) → element symbol.
METALS: dict[str, str] = {
    "iron": "Fe", "aluminium": "Al", "copper": "Cu", "zinc": "Zn", "lead": "Pb",
    "nickel": "Ni", "chromium": "Cr", "manganese": "Mn", "molybdenum": "Mo", "cobalt": "Co",
    "lithium": "Li", "tungsten": "W", "tin": "Sn", "tantalum": "Ta", "gallium": "Ga",
    "platinum": "Pt", "palladium": "Pd", "neodymium": "Nd", "dysprosium": "Dy", "gold": "Au",
    "silver": "Ag", "praseodymium": "Pr",
}

#: IUPAC 2021 standard atomic weights (abridged to 5 significant figures; conventional values
#: for elements given as intervals: H 1.008, Li 6.94, C 12.011, O 15.999, S 32.06, Cl 35.45).
ATOMIC_WEIGHTS: dict[str, float] = {
    "H": 1.008, "Li": 6.94, "B": 10.81, "C": 12.011, "N": 14.007, "O": 15.999, "F": 18.998,
    "Na": 22.990, "Mg": 24.305, "Al": 26.982, "Si": 28.085, "P": 30.974, "S": 32.06,
    "Cl": 35.45, "K": 39.098, "Ca": 40.078, "Ti": 47.867, "V": 50.942, "Cr": 51.996,
    "Mn": 54.938, "Fe": 55.845, "Co": 58.933, "Ni": 58.693, "Cu": 63.546, "Zn": 65.38,
    "Ga": 69.723, "Ge": 72.630, "As": 74.922, "Se": 78.971, "Sr": 87.62, "Y": 88.906,
    "Zr": 91.224, "Nb": 92.906, "Mo": 95.95, "Pd": 106.42, "Ag": 107.87, "Cd": 112.41,
    "In": 114.82, "Sn": 118.71, "Sb": 121.76, "Te": 127.60, "Ba": 137.33, "La": 138.91,
    "Ce": 140.12, "Pr": 140.91, "Nd": 144.24, "Sm": 150.36, "Tb": 158.93, "Dy": 162.50,
    "Ta": 180.95, "W": 183.84, "Re": 186.21, "Pt": 195.08, "Au": 196.97, "Pb": 207.2,
    "Bi": 208.98, "U": 238.03,
}

_TOKEN = re.compile(r"([A-Z][a-z]?|\(|\)|\d+(?:\.\d+)?)")
# hydrate separators: "·" and "*" always; "." unless it is a decimal point (digit.digit), but a
# digit.digit whose digits run into "H2O" ("CuSO4.5H2O") is the hydrate spelling.
_HYDRATE_SPLIT = re.compile(r"[·*](?=[\d.]*[A-Z(])")
_DOT_SPLIT = re.compile(r"(?<!\d)\.(?=\d*[A-Z(])|(?<=\d)\.(?=\d*H2O)|(?<=\d)\.(?=[A-Z(])")
_LEAD = re.compile(r"^(\d+(?:\.\d+)?)(?=[A-Z(])")


def _hydrate_parts(formula: str) -> list[tuple[float, str]]:
    """(multiplier, body) per part: ``CuSO4·5H2O`` → [(1, 'CuSO4'), (5, 'H2O')]."""
    out: list[tuple[float, str]] = []
    for part in _HYDRATE_SPLIT.split(formula):
        m = _LEAD.match(part)
        lead, rest = (float(m.group(1)), part[m.end():]) if m else (1.0, part)
        for k, sub in enumerate(_DOT_SPLIT.split(rest)):
            mm = re.match(r"^(\d+)(?=[A-Z(])", sub) if k else None
            out.append(((float(mm.group(1)) if mm else 1.0) * (lead if k == 0 else 1.0),
                        sub[mm.end():] if mm else sub))
    return out


# ---------------------------------------------------------------------------- stoichiometry
def parse_formula(formula: str) -> dict[str, float]:
    """Element counts of a chemical formula.

    Handles nested parentheses, decimal (non-stoichiometric) counts such as battery cathodes
    (``Ni0.8Co0.15Al0.05O2``, ``LiNi0.8Mn0.1Co0.1O2``), zero counts (kept as 0), and hydrates
    written with ``·`` or ``*`` (``CuSO4·5H2O``, ``(NH4)10(H2W12O42)·4H2O``).

    A ``.`` is a decimal point when it stands between two digits, except in the one common
    hydrate spelling ``…4.5H2O`` (a ``.`` between digits whose digits are followed by ``H2O``),
    where it separates the water of hydration; elsewhere ``.`` also separates a hydrate
    (``CuSO4.H2O``). Write ``·`` to be unambiguous.

    Raises
    ------
    ModelInputError
        Unknown element or malformed formula.
    """
    counts: dict[str, float] = {}
    for mult, body in _hydrate_parts(formula.replace(" ", "")):
        for el, n in _parse_group(body, formula).items():
            counts[el] = counts.get(el, 0.0) + mult * n
    if not counts:
        raise ModelInputError(f"formula {formula!r}: no element found")
    return counts


def _parse_group(body: str, formula: str) -> dict[str, float]:
    tokens = _TOKEN.findall(body)
    if "".join(tokens) != body:
        raise ModelInputError(f"formula {formula!r}: cannot parse {body!r}")
    stack: list[dict[str, float]] = [{}]
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        mult = float(nxt) if re.fullmatch(r"\d+(?:\.\d+)?", nxt or "x") else None
        if tok == "(":
            stack.append({})
            i += 1
            continue
        if tok == ")":
            if len(stack) == 1:
                raise ModelInputError(f"formula {formula!r}: unbalanced ')'")
            grp = stack.pop()
            f = 1.0 if mult is None else mult
            for el, n in grp.items():
                stack[-1][el] = stack[-1].get(el, 0.0) + n * f
            i += 2 if mult is not None else 1
            continue
        if re.fullmatch(r"\d+(?:\.\d+)?", tok):
            raise ModelInputError(f"formula {formula!r}: stray number {tok}")
        if tok not in ATOMIC_WEIGHTS:
            raise ModelInputError(f"formula {formula!r}: unknown element {tok!r}")
        stack[-1][tok] = stack[-1].get(tok, 0.0) + (1.0 if mult is None else mult)
        i += 2 if mult is not None else 1
    if len(stack) != 1:
        raise ModelInputError(f"formula {formula!r}: unbalanced '('")
    return stack[0]


def molar_mass(formula: str) -> float:
    """Molar mass in g/mol from IUPAC 2021 standard atomic weights."""
    return sum(ATOMIC_WEIGHTS[el] * n for el, n in parse_formula(formula).items())


def stoichiometric_fraction(formula: str, element: str) -> float:
    """Mass fraction of ``element`` (symbol or canonical metal name) in ``formula``.

    ``stoichiometric_fraction("CoO", "Co") == 58.933 / 74.932``.
    """
    sym = METALS.get(element, element)
    counts = parse_formula(formula)
    if sym not in counts:
        raise ModelInputError(f"formula {formula!r} contains no {sym}")
    return ATOMIC_WEIGHTS[sym] * counts[sym] / molar_mass(formula)


# ---------------------------------------------------------------------------- revisions
def normalize_revision(rev: str) -> str:
    """``HS92``/``H0``/``HS1992``/``1992`` → ``HS92`` (… ``HS22``)."""
    s = str(rev).strip().upper().replace(" ", "")
    bac = {"H0": "HS92", "H1": "HS96", "H2": "HS02", "H3": "HS07", "H4": "HS12", "H5": "HS17",
           "H6": "HS22"}
    if s in bac:
        return bac[s]
    m = re.fullmatch(r"(?:HS)?(\d{2}|\d{4})", s)
    if m:
        yy = m.group(1)[-2:]
        cand = f"HS{yy}"
        if cand in REVISIONS:
            return cand
    raise ModelInputError(f"unknown HS revision {rev!r}; expected one of {REVISIONS}")


def expand_revisions(spec: str) -> tuple[str, ...]:
    """``HS92+`` → all from HS92; ``HS92-HS02`` → HS92, HS96, HS02; ``HS12`` → (HS12,)."""
    s = spec.strip().upper()
    if s.endswith("+"):
        start = REVISIONS.index(normalize_revision(s[:-1]))
        return REVISIONS[start:]
    if "-" in s:
        a, b = (normalize_revision(x) for x in s.split("-", 1))
        ia, ib = REVISIONS.index(a), REVISIONS.index(b)
        if ib < ia:
            raise ModelInputError(f"revision range {spec!r} runs backwards")
        return REVISIONS[ia:ib + 1]
    return (normalize_revision(s),)


# ---------------------------------------------------------------------------- the table
def _triple(path: Path, row: int, field: str, raw: str) -> tuple[float, float, float] | None:
    s = (raw or "").strip()
    if not s:
        return None
    parts = s.split(";")
    try:
        vals = [float(p) for p in parts]
    except ValueError:
        raise InputError(path, f"'{raw}' is not 'central;low;high'", row=row, field=field) from None
    if len(vals) == 1:
        vals = vals * 3
    if len(vals) != 3 or not (0 < vals[1] <= vals[0] <= vals[2] <= 1):
        raise InputError(path, f"'{raw}' must be one number or 'central;low;high' with "
                         "0 < low ≤ central ≤ high ≤ 1", row=row, field=field)
    return vals[0], vals[1], vals[2]


def read_metal_content(path: str | Path = CONTENT_FILE) -> pd.DataFrame:
    """Read and validate a metal-content table; stoichiometric fractions are computed.

    Returns
    -------
    DataFrame
        ``hs6`` (6-digit string), ``revisions`` (spec), ``metal``, ``stage``, ``method``,
        ``basis``, ``fraction``, ``low``, ``high`` (kg metal / kg item), ``exporters``,
        ``citation``, ``note``.

    Raises
    ------
    InputError
        Unknown metal, method, stage or revision; fraction outside [0, 1] or not
        ``low ≤ fraction ≤ high``; a stoichiometric formula without the metal; duplicates.
    """
    path = Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, comment=None)
    need = ["hs6", "revisions", "metal", "stage", "method", "basis", "purity", "fraction", "low",
            "high", "exporters", "citation", "note"]
    miss = [c for c in need if c not in df.columns]
    if miss:
        raise InputError(path, f"missing column(s) {miss}", row=0, field=miss[0])
    recs = []
    for n, r in enumerate(df.itertuples(index=False), start=1):
        hs6 = r.hs6.strip()
        if not re.fullmatch(r"\d{6}", hs6):
            raise InputError(path, f"HS code {r.hs6!r} is not 6 digits", row=n, field="hs6")
        if r.metal not in METALS:
            raise InputError(path, f"unknown metal {r.metal!r}; known: {sorted(METALS)}", row=n,
                             field="metal")
        if r.method not in METHODS:
            raise InputError(path, f"method {r.method!r} not in {METHODS}", row=n, field="method")
        if r.stage not in STAGE_NAMES:
            raise InputError(path, f"stage {r.stage!r} not in {STAGE_NAMES}", row=n, field="stage")
        try:
            expand_revisions(r.revisions)
        except ModelInputError as e:
            raise InputError(path, str(e), row=n, field="revisions") from None
        if not r.citation.strip():
            raise InputError(path, "every row needs a citation", row=n, field="citation")
        if r.method == "stoichiometry":
            if r.fraction.strip() or r.low.strip() or r.high.strip():
                raise InputError(path, "stoichiometric rows are computed from 'basis'; leave "
                                 "fraction/low/high empty", row=n, field="fraction")
            try:
                fr = [stoichiometric_fraction(f, r.metal) for f in r.basis.split("|")]
            except ModelInputError as e:
                raise InputError(path, str(e), row=n, field="basis") from None
            pur = _triple(path, n, "purity", r.purity) or (1.0, 1.0, 1.0)
            frac, low, high = fr[0] * pur[0], min(fr) * pur[1], max(fr) * pur[2]
        else:
            if r.purity.strip():
                raise InputError(path, "purity applies to stoichiometric rows only", row=n,
                                 field="purity")
            vals = []
            for fld in ("fraction", "low", "high"):
                raw = getattr(r, fld)
                try:
                    vals.append(float(raw))
                except ValueError:
                    raise InputError(path, f"'{raw}' is not a number", row=n, field=fld) from None
            frac, low, high = vals
            if not (0 <= low <= frac <= high <= 1):
                raise InputError(path, f"need 0 ≤ low ≤ fraction ≤ high ≤ 1, got {low}, {frac}, "
                                 f"{high}", row=n, field="fraction")
        recs.append({"hs6": hs6, "revisions": r.revisions.strip(), "metal": r.metal,
                     "stage": r.stage, "method": r.method, "basis": r.basis, "fraction": frac,
                     "low": low, "high": high, "exporters": r.exporters.strip(),
                     "citation": r.citation, "note": r.note})
    out = pd.DataFrame(recs)
    # a code may appear twice for a metal only with disjoint revisions
    for (hs6, metal), g in out.groupby(["hs6", "metal"]):
        seen: set[str] = set()
        for spec, exp in zip(g["revisions"], g["exporters"]):
            revs = {f"{x}/{exp}" for x in expand_revisions(spec)}
            if seen & revs:
                raise InputError(path, f"duplicate rows for {hs6} {metal} in the same revision",
                                 row=int(g.index[-1]) + 1, field="hs6")
            seen |= revs
    return out


@lru_cache(maxsize=4)
def _cached(path: str) -> pd.DataFrame:
    return read_metal_content(path)


def metal_content_table(revision: str | None = None, metal: str | None = None,
                        path: str | Path = CONTENT_FILE) -> pd.DataFrame:
    """The packaged metal-content table, optionally for one HS revision and/or metal.

    Parameters
    ----------
    revision : ``HS92`` … ``HS22`` (BACI ``H0`` … ``H6`` accepted); ``None`` keeps all rows.
    metal : canonical metal name (``cobalt``); ``None`` keeps all metals.
    """
    df = _cached(str(path)).copy()
    if revision is not None:
        rev = normalize_revision(revision)
        df = df[df["revisions"].map(lambda s: rev in expand_revisions(s))]
    if metal is not None:
        if metal not in METALS:
            raise ModelInputError(f"unknown metal {metal!r}; known: {sorted(METALS)}")
        df = df[df["metal"] == metal]
    return df.reset_index(drop=True)


# ---------------------------------------------------------------------------- flags
def read_metal_flag_rules(path: str | Path = FLAGS_FILE) -> pd.DataFrame:
    """Heading-level "contains metal" rules: ``hs_prefix`` (2/4/6 digits), ``revisions``, ``metal``."""
    path = Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for n, r in enumerate(df.itertuples(index=False), start=1):
        if not re.fullmatch(r"\d{2}|\d{4}|\d{6}", r.hs_prefix):
            raise InputError(path, f"prefix {r.hs_prefix!r} is not 2, 4 or 6 digits", row=n,
                             field="hs_prefix")
        if r.metal not in METALS:
            raise InputError(path, f"unknown metal {r.metal!r}", row=n, field="metal")
        try:
            expand_revisions(r.revisions)
        except ModelInputError as e:
            raise InputError(path, str(e), row=n, field="revisions") from None
    return df


def calc_metal_flags(codes: Iterable[str | int], revision: str,
                     content: pd.DataFrame | None = None,
                     rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """Which metals each HS6 item contains (where known).

    Parameters
    ----------
    codes : HS6 codes (strings with leading zeros or BACI integers).
    revision : HS edition of the codes.
    content, rules : default the packaged tables.

    Returns
    -------
    DataFrame
        ``hs6, metal, source`` with ``source`` = ``content`` (a fraction is known) or
        ``rule:<prefix>`` (presence known from the heading), one row per (hs6, metal).
    """
    rev = normalize_revision(revision)
    content = metal_content_table(rev) if content is None else content
    rules = read_metal_flag_rules() if rules is None else rules
    hs = pd.Series([str(c).strip().zfill(6) for c in codes], dtype=str).drop_duplicates()
    out = [content.loc[content["hs6"].isin(hs), ["hs6", "metal"]].assign(source="content")]
    rules = rules[rules["revisions"].map(lambda s: rev in expand_revisions(s))]
    for r in rules.itertuples(index=False):
        hit = hs[hs.str.startswith(r.hs_prefix)]
        if len(hit):
            out.append(pd.DataFrame({"hs6": hit.to_numpy(), "metal": r.metal,
                                     "source": f"rule:{r.hs_prefix}"}))
    res = pd.concat(out, ignore_index=True)
    return res.drop_duplicates(["hs6", "metal"], keep="first").sort_values(["hs6", "metal"]) \
        .reset_index(drop=True)


# ---------------------------------------------------------------------------- battery BoM
#: Cell-level specific energy (kWh per kg of cell) assumed per chemistry for :func:`calc_battery_bom`.
#: Typical commercial graphite-anode cells 2020–2023: NMC/NCA 0.20–0.28, LFP 0.16–0.18,
#: LMO 0.15, LTO-anode cells 0.09 (Frith, Lacey & Ulissi 2023, Nat. Commun. 14:420; BatPac 5.1
#: default designs). reslog assumption, stated in docs/trade.md.
CELL_SPECIFIC_ENERGY: dict[str, float] = {
    "NMC 111": 0.20, "NMC 532": 0.22, "NMC 622": 0.24, "NMC 721": 0.25, "NMC 811": 0.26,
    "NMC 95": 0.28, "NMCA 89:4:4:3": 0.27, "NCA": 0.26, "LFP": 0.165, "LMO": 0.15,
    "LMNO": 0.20, "LMO-LTO": 0.09,
}

#: Battery intensity file mineral names → metals.
BATTERY_MINERALS: dict[str, str] = {"Lithium": "lithium", "Cobalt": "cobalt", "Nickel": "nickel",
                                    "Manganese": "manganese", "Copper": "copper"}


def calc_battery_bom(intensity: pd.DataFrame,
                     specific_energy: Mapping[str, float] = CELL_SPECIFIC_ENERGY,
                     central: str = "NMC 622") -> pd.DataFrame:
    r"""Metal per kg of lithium-ion cell from kg-per-kWh intensities.

    .. math:: w_{m} = I_{m,c}\;[\mathrm{kg\,kWh^{-1}}] \times e_c\;[\mathrm{kWh\,kg^{-1}}]

    Central value from chemistry ``central``; low/high the minimum/maximum over all chemistries
    in ``specific_energy`` (so cobalt's low is 0 from LFP).

    Parameters
    ----------
    intensity : long table ``Mineral, chemistry, kg_per_kwh`` (BatPac 5.1 via Busch et al.
        2024, ``material_intensity/battery_mineral_intensity_kg_per_kwh_busch2024.csv``).
    specific_energy : cell specific energy per chemistry (kWh/kg).
    central : the chemistry of the central value.

    Returns
    -------
    DataFrame ``metal, fraction, low, high``.
    """
    need = {"Mineral", "chemistry", "kg_per_kwh"}
    if not need <= set(intensity.columns):
        raise ModelInputError(f"battery intensity lacks {sorted(need - set(intensity.columns))}")
    df = intensity[intensity["chemistry"].isin(list(specific_energy))
                   & intensity["Mineral"].isin(list(BATTERY_MINERALS))].copy()
    missing = sorted(set(specific_energy) - set(df["chemistry"]))
    if missing or central not in specific_energy:
        raise ModelInputError(f"battery intensity lacks chemistries {missing or [central]}")
    df["w"] = df["kg_per_kwh"].astype(float) * df["chemistry"].map(specific_energy)
    rows = []
    for mineral, g in df.groupby("Mineral"):
        c = g.loc[g["chemistry"] == central, "w"]
        rows.append({"metal": BATTERY_MINERALS[str(mineral)], "fraction": float(c.iloc[0]),
                     "low": float(g["w"].min()), "high": float(g["w"].max())})
    return pd.DataFrame(rows).sort_values("metal").reset_index(drop=True)


def content_lookup(content: pd.DataFrame, bound: str = "fraction") -> dict[tuple[str, str], float]:
    """``{(hs6, metal): value}`` for rows without exporter restriction (``bound`` fraction|low|high)."""
    if bound not in ("fraction", "low", "high"):
        raise ModelInputError(f"bound must be fraction, low or high, got {bound!r}")
    plain = content[content["exporters"] == ""]
    return {(h, m): float(v) for h, m, v in zip(plain["hs6"], plain["metal"], plain[bound])}


def check_fractions(values: np.ndarray) -> None:
    """Raise if any fraction is outside [0, 1] (guards hand-made content frames)."""
    bad = (values < 0) | (values > 1) | ~np.isfinite(values)
    if bad.any():
        raise ModelInputError(f"metal content: fraction(s) outside [0, 1]: {values[bad][:5]}")
