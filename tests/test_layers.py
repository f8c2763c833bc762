"""The one-way flow of ARCHITECTURE.md, enforced: ``model/`` is pure numerics.

No module under ``reslog/model`` may import ``reslog.sources``, ``reslog.store``, the
presentation layers, or a plotting library — not at module level, not inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import reslog

MODEL = Path(reslog.__file__).parent / "model"
FORBIDDEN = ("reslog.sources", "reslog.store", "reslog.cli", "reslog.api", "reslog.web",
             "reslog.report", "reslog.figures", "reslog.platform", "reslog.jobs",
             "plotly", "matplotlib")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
    return out


def test_model_imports_no_io_or_plotting() -> None:
    bad = [f"{p.relative_to(MODEL.parent)}:{line} imports {name}"
           for p in sorted(MODEL.rglob("*.py"))
           for line, name in _imports(p)
           if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)]
    assert not bad, "model/ must stay pure:\n" + "\n".join(bad)


def test_checker_sees_function_level_imports(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("def g():\n    from reslog.sources.mrio import read_mrio\n    import plotly.graph_objects\n")
    names = [n for _l, n in _imports(f)]
    assert names == ["reslog.sources.mrio", "plotly.graph_objects"]
