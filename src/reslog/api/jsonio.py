"""JSON for API bodies: DataFrames to records, NaN/inf to null, numpy scalars and dates to JSON."""

from __future__ import annotations

import datetime as _dt
import json
import math
from typing import Any

import numpy as np
import pandas as pd


def _default(o: Any) -> Any:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        f = float(o)
        return f if math.isfinite(f) else None
    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, np.ndarray):
        return jsonable(o.tolist())
    if isinstance(o, (pd.Timestamp, _dt.datetime, _dt.date)):
        return o.isoformat()
    if isinstance(o, pd.DataFrame):
        return records(o)
    if isinstance(o, pd.Series):
        return jsonable(o.to_dict())
    if o is pd.NaT:
        return None
    raise TypeError(f"{type(o).__name__} is not JSON serialisable")


def jsonable(o: Any) -> Any:
    """Replace non-finite floats by ``None`` recursively (JSON has no NaN)."""
    if isinstance(o, float):
        return o if math.isfinite(o) else None
    if isinstance(o, dict):
        return {str(k): jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [jsonable(v) for v in o]
    if isinstance(o, (np.floating,)):
        f = float(o)
        return f if math.isfinite(f) else None
    if isinstance(o, pd.DataFrame):
        return records(o)
    return o


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as a list of row dicts with JSON-safe values (NaN → null, times → ISO 8601)."""
    if df.empty:
        return []
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[c] = s.map(lambda t: None if pd.isna(t) else t.isoformat())
    out = out.astype(object).where(out.notna(), None)
    return jsonable(out.to_dict(orient="records"))


def dumps(o: Any) -> bytes:
    """Compact UTF-8 JSON bytes."""
    return json.dumps(jsonable(o), default=_default, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")
