"""Monitored parameters, their canonical units, and unit conversion with pint.

Every reading is stored in the canonical unit of its parameter (column ``value``) beside the
value and unit it arrived with (``raw_value``/``raw_unit``; see :mod:`reslog.store.readings`).
Conversion factors are computed once per distinct unit string (vectorised ingest), never per
reading.

=====================  ============  ==============================================  ==========
parameter              canonical     accepted units (any pint spelling of the same
                                     dimension; e.g. ``ug/L``, ``µg/L``, ``mg/m^3``)   range
=====================  ============  ==============================================  ==========
``pH``                 ``pH``        ``pH`` only                                      0–14
``EC``                 ``uS/cm``     conductivity: ``mS/cm``, ``S/m`` …               0–200,000
``turbidity``          ``NTU``       ``NTU`` (``FNU`` is a different method: refused) 0–4,000
``As Hg Cd Pb Cu Zn``  ``mg/L``      mass concentration: ``ug/L``, ``g/m^3`` …       0–10,000
``CN SO4``             ``mg/L``      mass concentration                               0–100,000
``groundwater_level``  ``m``         length                                           -1e4–1e4
``water_level``        ``m``         length                                           -1e4–1e4
``piezometric_pressure`` ``kPa``     pressure: ``Pa``, ``bar``, ``psi``, ``mH2O`` …  -100–1e5
``displacement``       ``mm``        length                                           -1e5–1e5
``temperature``        ``degC``      temperature (offset units converted exactly)      -60–100
=====================  ============  ==============================================  ==========

``ppm``/``ppb`` are refused: in water they are an assumption (mass per mass, not per volume).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import numpy as np

from reslog.errors import ReslogError


@dataclass(frozen=True)
class Parameter:
    """A monitored parameter: name, canonical unit, physically possible range, label."""

    name: str
    unit: str
    lo: float
    hi: float
    label: str
    kind: str  # "water_quality", "groundwater", "geotechnical", "meteo"


PARAMETERS: dict[str, Parameter] = {p.name: p for p in (
    Parameter("pH", "pH", 0.0, 14.0, "pH", "water_quality"),
    Parameter("EC", "uS/cm", 0.0, 200_000.0, "electrical conductivity", "water_quality"),
    Parameter("turbidity", "NTU", 0.0, 4_000.0, "turbidity", "water_quality"),
    Parameter("As", "mg/L", 0.0, 10_000.0, "dissolved arsenic", "water_quality"),
    Parameter("Hg", "mg/L", 0.0, 10_000.0, "dissolved mercury", "water_quality"),
    Parameter("Cd", "mg/L", 0.0, 10_000.0, "dissolved cadmium", "water_quality"),
    Parameter("Pb", "mg/L", 0.0, 10_000.0, "dissolved lead", "water_quality"),
    Parameter("Cu", "mg/L", 0.0, 10_000.0, "dissolved copper", "water_quality"),
    Parameter("Zn", "mg/L", 0.0, 10_000.0, "dissolved zinc", "water_quality"),
    Parameter("CN", "mg/L", 0.0, 100_000.0, "cyanide", "water_quality"),
    Parameter("SO4", "mg/L", 0.0, 100_000.0, "sulfate", "water_quality"),
    Parameter("groundwater_level", "m", -1e4, 1e4, "groundwater level", "groundwater"),
    Parameter("water_level", "m", -1e4, 1e4, "pond / surface water level", "groundwater"),
    Parameter("piezometric_pressure", "kPa", -100.0, 1e5, "piezometric (pore) pressure",
              "geotechnical"),
    Parameter("displacement", "mm", -1e5, 1e5, "displacement / inclinometer", "geotechnical"),
    Parameter("temperature", "degC", -60.0, 100.0, "temperature", "meteo"),
)}

_REFUSED = {"ppm", "ppb", "ppt", "mg/kg", "ug/kg"}


class UnitProblem(ReslogError):
    """A unit string that cannot be used for a parameter (unknown, or the wrong dimension)."""


def get_parameter(name: str) -> Parameter:
    """The :class:`Parameter` called ``name`` (case-sensitive symbol, e.g. ``As``, ``pH``)."""
    p = PARAMETERS.get(name)
    if p is None:
        raise ReslogError(f"unknown parameter '{name}'; known: {', '.join(PARAMETERS)}")
    return p


@lru_cache(maxsize=1)
def _registry():  # -> pint.UnitRegistry
    import pint

    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    ureg.define("NTU = [turbidity]")
    if "mH2O" not in ureg:
        ureg.define("mH2O = 9.80665 * kPa = m_H2O")
    return ureg


def _norm(unit: str) -> str:
    return unit.strip().replace("µ", "u").replace("μ", "u")


@lru_cache(maxsize=4096)
def conversion(unit: str, parameter: str) -> tuple[float, float]:
    """``(scale, offset)`` with ``canonical = raw * scale + offset`` for ``unit`` → ``parameter``.

    Raises
    ------
    UnitProblem
        Unknown unit, a refused ambiguous unit (ppm …), or a dimension that is not the
        parameter's.
    """
    p = get_parameter(parameter)
    u = _norm(unit)
    if u == "" or u == p.unit:
        return 1.0, 0.0
    if p.unit == "pH":
        raise UnitProblem(f"unit '{unit}' for pH: pH readings must be given in pH units")
    if u.lower() in _REFUSED:
        raise UnitProblem(f"unit '{unit}' is ambiguous in water (mass per mass); send "
                          f"{p.unit} or another mass-per-volume unit")
    ureg = _registry()
    try:
        src = ureg.Quantity(1.0, u)
        dst_unit = ureg.Unit(p.unit)
    except Exception as e:  # pint raises several error types for junk strings
        raise UnitProblem(f"unknown unit '{unit}' ({type(e).__name__})") from None
    if src.dimensionality != ureg.Quantity(1.0, dst_unit).dimensionality:
        raise UnitProblem(f"unit '{unit}' is not a {p.label} unit (expected something "
                          f"convertible to {p.unit})")
    zero = float(ureg.Quantity(0.0, u).to(dst_unit).magnitude)
    one = float(src.to(dst_unit).magnitude)
    return one - zero, zero


def convert_values(values: np.ndarray, units: np.ndarray, parameters: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Convert ``values`` to canonical units; return ``(converted, error_message_or_empty)``.

    Vectorised: one pint conversion per distinct (unit, parameter) pair.
    """
    out = np.full(len(values), np.nan)
    err = np.full(len(values), "", dtype=object)
    keys = np.char.add(np.char.add(units.astype(str), "\x1f"), parameters.astype(str))
    uniq, inv = np.unique(keys, return_inverse=True)
    for k, key in enumerate(uniq):
        unit, par = key.split("\x1f")
        idx = inv == k
        try:
            scale, offset = conversion(unit, par)
        except (UnitProblem, ReslogError) as e:
            err[idx] = str(e)
            continue
        out[idx] = values[idx] * scale + offset
    return out, err


def parameter_names() -> Iterable[str]:
    """All parameter symbols."""
    return PARAMETERS.keys()
