"""Property tests: pages tile a list exactly; the response cache stays bounded and computes once."""

from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlparse

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from reslog.api.caching import ResponseCache
from reslog.api.pagination import Page, paginate


def _request(query: str = "") -> Request:
    return Request({"type": "http", "method": "GET", "path": "/api/x", "query_string": query.encode(),
                    "headers": [(b"host", b"testserver")], "scheme": "http", "server": ("testserver", 80),
                    "root_path": ""})


@given(n=st.integers(0, 300), limit=st.integers(1, 50))
@settings(max_examples=60, deadline=None)
def test_following_next_links_tiles_the_list(n: int, limit: int):
    items = list(range(n))
    got, offset, pages = [], 0, 0
    while True:
        body = paginate(_request(f"limit={limit}&offset={offset}"), items, Page(limit, offset))
        assert body["total"] == n and len(body["items"]) <= limit
        got += body["items"]
        pages += 1
        nxt = body["links"]["next"]
        if nxt is None:
            break
        q = parse_qs(urlparse(nxt).query)
        assert int(q["limit"][0]) == limit
        offset = int(q["offset"][0])
    assert got == items
    assert pages == max(1, -(-n // limit))


def test_prev_link_and_offset_past_the_end():
    body = paginate(_request(), list(range(10)), Page(4, 8))
    assert body["items"] == [8, 9] and body["links"]["next"] is None
    assert "offset=4" in body["links"]["prev"]
    empty = paginate(_request(), list(range(10)), Page(4, 40))
    assert empty["items"] == [] and empty["total"] == 10


@given(keys=st.lists(st.integers(0, 40), max_size=200), cap=st.integers(0, 10))
@settings(max_examples=60, deadline=None)
def test_cache_is_bounded_and_returns_what_was_computed(keys: list[int], cap: int):
    c = ResponseCache(cap)
    for k in keys:
        etag, body, _hit = c.get_or_compute(("k", k), lambda k=k: {"k": k})
        assert body == f'{{"k":{k}}}'.encode() and etag.startswith('"')
        assert len(c._data) <= cap


def test_concurrent_requests_for_one_key_compute_once():
    c = ResponseCache(8)
    calls, gate = [], threading.Event()

    def compute():
        calls.append(1)
        gate.wait(5)
        return {"x": 1}

    threads = [threading.Thread(target=c.get_or_compute, args=(("same",), compute)) for _ in range(10)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(10)
    assert len(calls) == 1 and c.hits == 9
