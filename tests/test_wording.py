"""Claims the numbers cannot back are not made (issue 14, item 9).

The Ghosh model is not an upper bound of a supply shock's losses: shortages of inputs that
cannot be substituted can make real losses larger. No code, CLI text or doc may call it one.
"""

from __future__ import annotations

import re
from pathlib import Path

import reslog

ROOT = Path(reslog.__file__).resolve().parents[2]
PATTERN = re.compile(r"ghosh[^.]{0,200}upper[ -]bound|upper[ -]bound[^.]{0,200}ghosh", re.I | re.S)


def _texts() -> list[Path]:
    files = list((ROOT / "src" / "reslog").rglob("*.py"))
    files += list((ROOT / "docs").glob("*.md")) if (ROOT / "docs").is_dir() else []
    return files


def test_ghosh_is_never_called_an_upper_bound() -> None:
    bad = [str(p.relative_to(ROOT)) for p in _texts()
           if PATTERN.search(p.read_text(encoding="utf-8")) and p.name != "test_wording.py"]
    assert not bad, f"the Ghosh result is called an upper bound in {bad}"


def test_pattern_catches_the_old_wording() -> None:
    assert PATTERN.search("Sector losses: supply-driven Ghosh model (upper bound, fixed allocation).")
    assert PATTERN.search("Ghosh supply-driven propagation; relative loss (inoperability; upper bound).")
    assert not PATTERN.search("HHI is a lower bound; the gap to the upper bound is s_ROW².")
