"""The warehouse: the only layer that writes. DuckDB file by default, Parquet for large arrays."""

from reslog.store.warehouse import Warehouse

__all__ = ["Warehouse"]
