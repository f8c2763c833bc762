"""Screenshots of every dashboard view in English and Japanese, from the demo data.

Builds the demo warehouse in a temporary folder, serves the dashboard on 127.0.0.1, drives
Debian's chromium with Playwright (route guard: any request not to localhost fails the run),
logs in as the demo analyst, uploads the example supplier list, watches Brazilian iron-ore
events, and writes
``docs/screenshots/<view>-<lang>.png`` (1280 px wide).

Usage: PYTHONPATH=src python scripts/screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from reslog.web.browser import DEMO_ANALYST, LocalServer, build_demo_site, guard_offline, launch_chromium

ROOT = Path(__file__).resolve().parents[1]
MAX_HEIGHT = 1700  # px; longer pages are cut (the event feed goes on)
SUPPLIERS = ROOT / "docs" / "examples" / "suppliers.csv"

# (name, path with query string, element that must be drawn first)
VIEWS = (
    ("map", "/map?commodity=copper&indicator=share", "#fig-map[data-rendered]"),
    ("flows", "/flows", "main"),
    ("exposure", "/exposure?product=bev&basis=kg_metal", "#fig-origins[data-rendered]"),
    ("criticality", "/criticality", "#fig-crit[data-rendered]"),
    ("events", "/events", "#fig-events[data-rendered]"),
    ("shock", "/shock?mine=bra-corrego-do-feijao&months=12", "#fig-shock[data-rendered]"),
    ("provenance", "/provenance", "main table"),
    ("suppliers", "/suppliers", "main"),
    ("sites", "/sites?sensor=as-downstream", "#fig-heatmap[data-rendered]"),
    ("scenarios", "/scenarios", "#fig-demand[data-rendered]"),
    ("hotspots", "/map?commodity=gold&indicator=governance&hotspots=1", "#fig-map[data-rendered]"),
    ("login", "/login", "#login-form"),
)


def _shrink(path: Path) -> None:
    """Cut to MAX_HEIGHT and store as a 256-colour PNG (screens have few colours)."""
    from PIL import Image

    with Image.open(path) as im:
        im = im.convert("RGB")
        if im.height > MAX_HEIGHT:
            im = im.crop((0, 0, im.width, MAX_HEIGHT))
        im.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = build_demo_site(Path(tmp))
        with LocalServer(settings) as srv, sync_playwright() as pw:
            browser = launch_chromium(pw)
            ctx = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
            guard_offline(ctx, blocked)
            page = ctx.new_page()
            page.goto(srv.url + "/login")
            page.fill("input[name=username]", DEMO_ANALYST[0])
            page.fill("input[name=password]", DEMO_ANALYST[1])
            with page.expect_navigation():
                page.click("#login-form button[type=submit]")
            page.goto(srv.url + "/suppliers")
            page.set_input_files("#upload-form input[type=file]", str(SUPPLIERS))
            with page.expect_navigation(url="**uploaded=1**"):
                page.click("#upload-form button[type=submit]")
            # A watch-list from the event feed's filters (Brazilian iron ore), so alerts show.
            page.goto(srv.url + "/events?country=BRA&commodity=iron")
            with page.expect_navigation():
                page.click("#watch-filters")
            for lang in ("en", "ja"):
                for name, path, ready in VIEWS:
                    if name == "login":
                        continue
                    sep = "&" if "?" in path else "?"
                    page.goto(f"{srv.url}{path}{sep}lang={lang}")
                    page.wait_for_selector(ready, timeout=30_000)
                    page.wait_for_timeout(300)
                    target = out / f"{name}-{lang}.png"
                    page.screenshot(path=str(target), full_page=True)
                    _shrink(target)
                    print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
            anon = browser.new_context(viewport={"width": 1280, "height": 700})
            guard_offline(anon, blocked)
            p2 = anon.new_page()
            for lang in ("en", "ja"):
                p2.goto(f"{srv.url}/login?lang={lang}")
                p2.wait_for_selector("#login-form")
                p2.screenshot(path=str(out / f"login-{lang}.png"))
                _shrink(out / f"login-{lang}.png")
            browser.close()
    if blocked:
        raise SystemExit(f"requests not to localhost were made (and aborted): {blocked}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
