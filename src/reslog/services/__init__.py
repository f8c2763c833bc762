"""Orchestration shared by the CLI, the API and the dashboard: read the warehouse, call the model.

Each function takes a :class:`~reslog.store.warehouse.Warehouse` (read-only is enough), reads the
frames it needs, calls the pure functions of :mod:`reslog.model`, and returns plain results plus
their **provenance** (the ledger entries and packaged files the numbers come from). They hold no
numerics of their own; presentation layers (``cli``, ``api``, ``web``, ``report``) only shape
their output.

Some orchestrators still live in the CLI modules where they were first written
(``reslog.cli.risk.run_shock``, ``reslog.cli.trade.load_chain`` …); the functions here call them
rather than copy them, so there is one implementation of each.
"""
