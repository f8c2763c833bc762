"""Canonical tables and code lists: countries, commodities, HS codes, the risk taxonomy.

See ``docs/data-model.md`` for the full description of every canonical table.
"""

from reslog.schema.commodities import COMMODITIES, Commodity, commodities_table, resolve_commodity
from reslog.schema.countries import AGGREGATES, countries_table, country_name, resolve_country
from reslog.schema.taxonomy import EVENT_TYPES, TAXONOMY_VERSION, EventType, is_event_type

__all__ = [
    "AGGREGATES",
    "COMMODITIES",
    "Commodity",
    "EVENT_TYPES",
    "EventType",
    "TAXONOMY_VERSION",
    "commodities_table",
    "countries_table",
    "country_name",
    "is_event_type",
    "resolve_commodity",
    "resolve_country",
]
