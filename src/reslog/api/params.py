"""Shared query/path parameter checks for routers: canonical commodity and country codes.

Each returns the canonical value or raises a 422 problem naming the field, so routers stay thin.
"""

from __future__ import annotations

from reslog.api.problems import invalid


def commodity(value: str | None, field: str = "query.commodity") -> str | None:
    """Canonical commodity name (accepts aliases, symbols, Japanese names), or 422."""
    if value is None:
        return None
    from reslog.schema import resolve_commodity

    c = resolve_commodity(value)
    if c is None:
        raise invalid(field, f"unknown commodity {value!r} (a name such as 'cobalt', a symbol "
                      "such as 'Co', or a Japanese name)")
    return c


def country(value: str | None, field: str = "query.country") -> str | None:
    """ISO 3166-1 alpha-3 code of a code or name, or 422."""
    if value is None:
        return None
    from reslog.schema import resolve_country

    c = resolve_country(value)
    if c is None:
        raise invalid(field, f"unknown country {value!r} (an ISO3 code such as 'COD' or a name)")
    return c


def event_type(value: str | None, field: str = "query.type") -> str | None:
    """A risk-event type of the taxonomy, or 422 listing them."""
    if value is None:
        return None
    from reslog.schema.taxonomy import EVENT_TYPES, is_event_type

    if not is_event_type(value):
        raise invalid(field, f"unknown event type {value!r}; types: {', '.join(sorted(EVENT_TYPES))}")
    return value
