"""Pure computation on numpy/scipy/pandas objects: IO engine, trade, criticality, risk mapping.

Nothing in ``reslog.model`` opens a file or a database connection."""
