"""The app skeleton: discovery of routers, problem+json errors, offline docs, body limit."""

from __future__ import annotations

import re

from fastapi import APIRouter


def test_health_and_warehouse_counts(empty_client):
    r = empty_client.get("/api/meta/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    r = empty_client.get("/api/meta/warehouse")
    assert r.json()["tables"]["countries"] > 200  # reference table filled at creation


def test_unknown_route_is_problem_json_404(empty_client):
    r = empty_client.get("/api/no/such/thing")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 404 and "/api/no/such/thing" in body["detail"]


def test_docs_page_makes_no_external_request(empty_client):
    html = empty_client.get("/docs").text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") for u in urls), urls
    assert not re.search(r"https?://", html.replace("/openapi.json", ""))
    for u in urls:
        assert empty_client.get(u).status_code == 200, u
    assert empty_client.get("/openapi.json").json()["openapi"].startswith("3.")


def test_validation_error_names_the_field(empty_app, empty_client):
    router = APIRouter()

    @router.get("/api/_t/n")
    def n(k: int) -> dict:
        return {"k": k}

    empty_app.include_router(router)
    r = empty_client.get("/api/_t/n", params={"k": "abc"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["field"] == "query.k"


def test_crash_is_500_without_traceback(empty_app, empty_client):
    router = APIRouter()

    @router.get("/api/_t/boom")
    def boom() -> dict:
        raise RuntimeError("secret internals at /home/x/y.py line 3")

    empty_app.include_router(router)
    r = empty_client.get("/api/_t/boom")
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "secret" not in r.text and "Traceback" not in r.text


def test_oversized_body_is_413(empty_app, empty_client):
    router = APIRouter()
    seen = []

    @router.post("/api/_t/upload")
    async def upload(request_body: dict) -> dict:  # pragma: no cover - must not be reached
        seen.append(1)
        return {}

    empty_app.include_router(router)
    limit = empty_app.state.settings.max_upload_bytes
    r = empty_client.post("/api/_t/upload", content=b"x" * (limit + 1),
                          headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")
    assert seen == []


def test_streamed_oversized_body_is_413_not_a_parser_error(empty_app, empty_client):
    router = APIRouter()

    @router.post("/api/_t/json")
    async def take(request_body: dict) -> dict:  # pragma: no cover - must not be reached
        return {}

    empty_app.include_router(router)
    limit = empty_app.state.settings.max_upload_bytes

    def chunks():
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    r = empty_client.post("/api/_t/json", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert "RESLOG_MAX_UPLOAD_BYTES" in r.json()["detail"]


def test_redoc_is_offline_too(empty_client):
    html = empty_client.get("/redoc").text
    assert "/static-docs/redoc.standalone.js" in html
    assert "fonts.googleapis" not in html and "cdn." not in html
