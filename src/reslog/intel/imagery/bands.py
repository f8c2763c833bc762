"""Sentinel-2 L2A bands reslog reads, and the scene-classification (SCL) codes it masks."""

from __future__ import annotations

BANDS: tuple[str, ...] = ("B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12")
"""The ten 10 m / 20 m bands, in the order every array in reslog uses (axis 0)."""

BAND_INDEX: dict[str, int] = {b: i for i, b in enumerate(BANDS)}

RES_10M = ("B02", "B03", "B04", "B08")
RES_20M = ("B05", "B06", "B07", "B8A", "B11", "B12")

SCL_MASKED: dict[int, str] = {0: "no data", 1: "saturated or defective", 3: "cloud shadow",
                              8: "cloud (medium probability)", 9: "cloud (high probability)",
                              10: "thin cirrus"}
"""SCL classes that are masked (ESA Sentinel-2 L2A product definition)."""

REFLECTANCE_SCALE = 10000.0
"""L2A digital numbers per unit reflectance (BOA_QUANTIFICATION_VALUE)."""

PATCH = 48
"""Patch side in pixels (Amazon Mining Watch: 48 × 48 px ≈ 480 m at 10 m)."""
