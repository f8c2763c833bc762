"""Intelligence: turn raw signals (news and social-media text, imagery, sensors) into risk events.

Sub-packages
------------
text
    News and social-media text in English and Japanese → geolocated, de-duplicated,
    scored risk events of the taxonomy (:mod:`reslog.schema.taxonomy`).

Everything here is pure computation on in-memory objects; events reach the warehouse only
through :class:`reslog.store.warehouse.Warehouse` called from the CLI layer.
"""
