"""limit/offset pagination: ``{"total", "limit", "offset", "items", "links": {"self", "next", "prev"}}``.

Lists are answered in pages. ``limit`` (1–1000, default 100) and ``offset`` (≥ 0) are query
parameters; ``links.next`` is the URL of the next page (``null`` on the last one), and the same
links go in an RFC 8288 ``Link`` header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Query, Request


@dataclass(frozen=True)
class Page:
    """Which slice of a list to answer."""

    limit: int
    offset: int


async def page_params(
    limit: int = Query(100, ge=1, le=1000, description="Items per page (1–1000)."),
    offset: int = Query(0, ge=0, le=10_000_000, description="Items to skip."),
) -> Page:
    """The ``limit`` and ``offset`` query parameters."""
    return Page(limit=limit, offset=offset)


def _url(request: Request, offset: int, limit: int) -> str:
    return str(request.url.include_query_params(offset=offset, limit=limit))


def paginate(request: Request, items: list[Any], page: Page, **extra: Any) -> dict[str, Any]:
    """Cut one page out of ``items`` (the whole filtered list) and add total and links."""
    total = len(items)
    return paged(request, items[page.offset:page.offset + page.limit], total, page, **extra)


def paged(request: Request, page_items: list[Any], total: int, page: Page, **extra: Any) -> dict[str, Any]:
    """Wrap one already-cut page (e.g. from SQL ``LIMIT/OFFSET``) with total and links."""
    nxt = page.offset + page.limit
    links = {"self": _url(request, page.offset, page.limit),
             "next": _url(request, nxt, page.limit) if nxt < total else None,
             "prev": _url(request, max(page.offset - page.limit, 0), page.limit) if page.offset > 0 else None}
    return {"total": total, "limit": page.limit, "offset": page.offset, **extra,
            "items": page_items, "links": links}
