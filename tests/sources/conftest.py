"""Helpers for the reader tests: write files, expect an InputError naming file, row and field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import pytest

from reslog.errors import InputError


def _expect(fn: Callable[..., Any], path: Path, *args: Any, row: int | None | str = "any",
            field: str | None | str = "any", match: str | None = None, file: Path | None = None,
            **kw: Any) -> InputError:
    with pytest.raises(InputError) as info:
        fn(path, *args, **kw)
    err = info.value
    named = Path(file if file is not None else path).name
    assert Path(err.file).name == named, str(err)
    if row != "any":
        assert err.row == row, f"row {err.row} != {row}: {err}"
    if field != "any":
        assert err.field == field, f"field {err.field!r} != {field!r}: {err}"
    if match is not None:
        assert re.search(match, str(err), re.IGNORECASE), str(err)
    text = str(err)
    assert text.startswith(str(err.file))
    if err.row is not None:
        assert f"row {err.row}" in text
    if err.field is not None:
        assert f"field '{err.field}'" in text
    return err


@pytest.fixture()
def expect_error() -> Callable[..., InputError]:
    """``expect_error(reader, path, row=, field=, match=)`` → the InputError raised."""
    return _expect


@pytest.fixture()
def write(tmp_path: Path) -> Callable[..., Path]:
    """``write(name, text_or_bytes)`` → path in tmp_path (text written as UTF-8, no newline
    translation)."""

    def _write(name: str, content: str | bytes) -> Path:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_bytes(content.encode("utf-8"))
        return p

    return _write
