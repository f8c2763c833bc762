"""Fixtures of the dashboard tests: a demo site (warehouse + demo accounts) in a tmp folder, served
by uvicorn on 127.0.0.1, and Debian's chromium driven by Playwright with an offline route guard."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reslog.web.browser import CHROMIUM, LocalServer, build_demo_site, guard_offline, launch_chromium


@pytest.fixture(scope="session")
def _demo_sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    """The demo site, and a copy of it for the live server: a process serves a warehouse file
    through one hub (``reslog.store.hub``), so the TestClient app of ``test_pages`` and the
    uvicorn server of ``test_browser`` (same worker under ``--dist loadgroup``) each get their own."""
    import shutil

    folder = tmp_path_factory.mktemp("web-demo")
    settings = build_demo_site(folder)
    copy = tmp_path_factory.mktemp("web-live") / "site"
    shutil.copytree(folder, copy)
    live = settings.model_copy(update={"db": copy / "reslog.duckdb",
                                       "platform_url": f"sqlite:///{copy / 'platform.sqlite'}",
                                       "readings": copy / "readings"})
    return settings, live


@pytest.fixture(scope="session")
def demo_settings(_demo_sites: tuple[Any, Any]) -> Any:
    return _demo_sites[0]


@pytest.fixture(scope="session")
def live_server(_demo_sites: tuple[Any, Any]) -> Iterator[LocalServer]:
    with LocalServer(_demo_sites[1]) as srv:
        yield srv


def _unavailable(reason: str) -> None:
    """Skip locally; under CI=true a missing browser fails the run (make test installs it)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        import playwright.sync_api as pw_api
    except ModuleNotFoundError:
        _unavailable("playwright is not installed (pip install 'reslog[dev]')")
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} missing (scripts/system-deps.d/chromium.sh installs it)")
    with pw_api.sync_playwright() as pw:
        b = launch_chromium(pw)
        yield b
        b.close()


@pytest.fixture()
def offline_page(browser: Any, tmp_path: Path) -> Iterator[tuple[Any, list[str]]]:
    """A fresh browser context whose every non-localhost request is aborted and recorded; the
    test fails if any was made."""
    blocked: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    guard_offline(ctx, blocked)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    yield page, blocked
    ctx.close()
    assert blocked == [], f"requests not to localhost (aborted): {blocked}"
