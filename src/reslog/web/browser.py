"""Run the dashboard on loopback and drive Debian's chromium with Playwright (tests, screenshots).

- :func:`build_demo_site` — a demo warehouse (``reslog.jobs.demo.build_warehouse``: the bundled,
  cited starter data) and the demo accounts (``reslog.platform.accounts.ensure_demo_users``) in
  a folder;
- :class:`LocalServer` — ``uvicorn`` on ``127.0.0.1`` and a free port, in a thread;
- :func:`launch_chromium` — ``/usr/bin/chromium`` (never a downloaded browser) with the flags
  that keep it from calling home;
- :func:`guard_offline` — a route guard that aborts and records every request not to the
  local server.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

CHROMIUM = os.environ.get("RESLOG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-default-apps", "--disable-extensions", "--metrics-recording-only",
                 "--no-default-browser-check", "--disable-domain-reliability"]
LOCAL_HOSTS = ("127.0.0.1", "localhost")

DEMO_ADMIN = ("demo@reslog.example", "demo-admin-password")
DEMO_ANALYST = ("analyst@reslog.example", "demo-analyst-password")


def build_demo_site(folder: Path, *, news: bool = True, mrio: bool = True, site: bool = True,
                    imagery: bool = True) -> Any:
    """Build the demo warehouse in ``folder`` and return server :class:`Settings` for it
    (platform state in ``folder/platform.sqlite``, demo users created).

    With ``news``, the packaged sample articles (``data/sample_articles.jsonl``) also go through
    ``reslog events extract`` and ``reslog events ingest`` (the same commands a user runs), so the
    event feed and the map show recent news events beside the tailings-failure history.
    With ``mrio``, pymrio's small synthetic test MRIO (6 regions x 8 sectors, shipped in the
    pymrio wheel) is ingested as ``reslog ingest mrio pymrio-test`` does, so the exposure explorer's
    country/sector mode has a table to work on.
    With ``imagery``, one small simulated Sentinel-2 scene goes through the shipped ASGM detector
    and its hotspots are ingested as ``asgm`` events (the map's hotspot layer); with ``site``, the
    demo organisation gets one monitored site with 42 days of simulated sensor readings
    (:mod:`reslog.web.demo_data`).
    """
    from rich.console import Console

    from reslog.api.settings import Settings
    from reslog.jobs.demo import build_warehouse

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "reslog.duckdb"
    wh = build_warehouse(db, Console(quiet=True))
    wh.close()
    if news:
        import contextlib
        import io

        from reslog.cli import events as ev_cli
        from reslog.paths import PACKAGE_DATA

        out = folder / "sample_events.jsonl"
        with contextlib.redirect_stdout(io.StringIO()):
            ev_cli.extract_cmd(input=str(PACKAGE_DATA / "sample_articles.jsonl"), output=out, db=db)
            ev_cli.ingest_cmd(out, db=db)
    if mrio:
        from reslog.sources.registry import read
        from reslog.store.warehouse import Warehouse

        with Warehouse.open(db) as wh:  # as `reslog ingest mrio pymrio-test`
            wh.ingest(read("mrio", "pymrio-test"), kind="mrio")
    if imagery:
        from reslog.web.demo_data import ingest_demo_hotspots

        ingest_demo_hotspots(db, folder)
    settings = Settings(db=db, platform_url=f"sqlite:///{folder / 'platform.sqlite'}",
                        secret_key="test-secret-key-for-the-local-demo-only")
    try:
        from reslog.platform import open_platform
        from reslog.platform.accounts import ensure_demo_users
    except ModuleNotFoundError:
        return settings
    state = open_platform(settings)
    with state.sessions() as s:
        ensure_demo_users(s)
        from reslog.platform.accounts import demo_org_id

        org_id = demo_org_id(s)
    state.engine.dispose()
    if site:
        from reslog.web.demo_data import register_demo_site

        register_demo_site(db, org_id, folder)
    return settings


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalServer:
    """``create_app(settings)`` served by uvicorn on 127.0.0.1 in a background thread."""

    def __init__(self, settings: Any, port: int | None = None) -> None:
        import uvicorn

        from reslog.api.app import create_app

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port,
                                log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LocalServer":
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the dashboard did not start on {self.url}")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def launch_chromium(playwright: Any, **kwargs: Any) -> Any:
    """Debian's chromium through Playwright (no browser download), headless."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"{CHROMIUM} not found: install it with "
                                "scripts/system-deps.d/chromium.sh (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, **kwargs)


def guard_offline(context: Any, blocked: list[str]) -> None:
    """Abort every request of ``context`` that is not to localhost, recording its URL in ``blocked``."""
    def _route(route: Any) -> None:
        url = route.request.url
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", _route)
