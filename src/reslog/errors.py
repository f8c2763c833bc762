"""Error types shared by every layer.

Every error a user can cause carries enough to fix it: the file, the row, the
field, what is wrong (with the numbers) and the way out. The CLI maps
:class:`ReslogError` to exit code 2 and prints ``str(err)``, nothing else.
"""

from __future__ import annotations

from pathlib import Path


class ReslogError(Exception):
    """Base class of errors caused by input or use; the CLI exits with code 2."""

    exit_code: int = 2


class InputError(ReslogError):
    """A file (or a value in it) that cannot be accepted.

    Parameters
    ----------
    file : path or str
        The offending file.
    message : str
        What is wrong, with the numbers, and the way out.
    row : int, optional
        1-based data row number (the header is row 0; for JSON lines, the line number).
    field : str, optional
        The column or key that holds the bad value.
    """

    def __init__(
        self,
        file: str | Path,
        message: str,
        *,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = str(file)
        self.row = row
        self.field = field
        self.message = message
        where = [self.file]
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {message}")


class ModelInputError(ReslogError):
    """Data handed to a ``model`` function is inconsistent (shape, labels, NaN, no solution).

    The message names the block (e.g. ``Z``, ``Y``, ``F``) and the offending labels.
    """


class NetworkUnavailable(ReslogError):
    """An online-only command (``reslog data fetch``) cannot reach the network."""
