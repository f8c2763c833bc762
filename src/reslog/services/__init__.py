"""Orchestration shared by the CLI, the API and the dashboard: read the warehouse, call the model.

Each function takes a :class:`~reslog.store.warehouse.Warehouse` (read-only is enough), reads the
frames it needs, calls the pure functions of :mod:`reslog.model`, and returns plain results plus
their **provenance** (the ledger entries and packaged files the numbers come from). They hold no
numerics of their own; presentation layers (``cli``, ``api``, ``web``, ``report``) only shape
their output.

The orchestrators the CLI commands print from live here too (``criticality.criticality_frame``,
``shock.run_shock``, ``products.run_product_footprint``, ``trade.load_chain`` …), so the CLI, the
API and the dashboard call one implementation and no presentation layer imports another.
"""
