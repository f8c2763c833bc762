"""Find Sentinel-2 L2A scenes through a STAC API (pystac-client) and stream their COG bands.

:func:`search_scenes` asks a STAC API (default: Element 84 Earth Search v1, collection
``sentinel-2-l2a``) for items over a bounding box and a date range, cloud cover below a limit;
:func:`item_bands` maps an item's assets to reslog band names (Earth Search names ``blue``,
``green`` … ``scl`` and Planetary Computer names ``B02`` … ``SCL`` are both understood);
:func:`open_item` opens the item as a :class:`~reslog.sources.sentinel2.Sentinel2Scene` whose
bands are read window by window over HTTP (GDAL ``/vsicurl/``), never downloaded whole.

This is the one imagery path that goes online. Offline it raises :class:`StacUnavailable`
with the URL; the tests use a :class:`pystac_client.stac_api_io.StacApiIO` that answers from
saved responses.
"""

from __future__ import annotations

from typing import Any

from reslog.errors import ReslogError
from reslog.intel.imagery.bands import BANDS

EARTH_SEARCH = "https://earth-search.aws.element84.com/v1"
COLLECTION = "sentinel-2-l2a"

ASSET_KEYS: dict[str, tuple[str, ...]] = {
    "B02": ("blue", "B02", "b02"), "B03": ("green", "B03", "b03"), "B04": ("red", "B04", "b04"),
    "B05": ("rededge1", "B05", "b05"), "B06": ("rededge2", "B06", "b06"),
    "B07": ("rededge3", "B07", "b07"), "B08": ("nir", "B08", "b08"),
    "B8A": ("nir08", "B8A", "b8a"), "B11": ("swir16", "B11", "b11"),
    "B12": ("swir22", "B12", "b12"), "SCL": ("scl", "SCL"),
}


class StacUnavailable(ReslogError):
    """The STAC API cannot be reached (offline) or answered with an error."""


def search_scenes(bbox: tuple[float, float, float, float], start: str, end: str, *,
                  url: str = EARTH_SEARCH, collection: str = COLLECTION,
                  max_cloud: float = 30.0, max_items: int = 20, stac_io: Any = None
                  ) -> list[dict]:
    """STAC items (as dicts) over ``bbox`` (lon/lat) between ``start`` and ``end`` (ISO dates).

    Sorted by cloud cover (least first). ``stac_io`` replaces the HTTP layer (tests).
    """
    if not (-180 <= bbox[0] < bbox[2] <= 180 and -90 <= bbox[1] < bbox[3] <= 90):
        raise ReslogError(f"bbox {bbox}: expected (west, south, east, north) in degrees with "
                          "west < east and south < north")
    from pystac_client import Client
    from pystac_client.exceptions import APIError

    try:
        client = Client.open(url, stac_io=stac_io) if stac_io is not None else Client.open(url)
        search = client.search(collections=[collection], bbox=list(bbox),
                               datetime=f"{start}/{end}", max_items=max_items,
                               query={"eo:cloud_cover": {"lt": max_cloud}})
        items = [it.to_dict() for it in search.items()]
    except APIError as e:
        raise StacUnavailable(f"{url}: the STAC API answered with an error ({e})") from None
    except OSError as e:
        raise StacUnavailable(f"{url}: cannot reach the STAC API ({e}); this needs the network "
                              "— use --scenes DIR with downloaded scenes offline") from None
    except Exception as e:  # requests' ConnectionError is not an OSError subclass everywhere
        if type(e).__name__ in ("ConnectionError", "Timeout", "SSLError"):
            raise StacUnavailable(f"{url}: cannot reach the STAC API ({e})") from None
        raise
    items.sort(key=lambda it: (it.get("properties", {}).get("eo:cloud_cover", 100.0), it["id"]))
    return items


def item_bands(item: dict) -> dict[str, str]:
    """reslog band name → asset href of a Sentinel-2 L2A STAC item (SCL if present)."""
    assets = item.get("assets", {})
    out: dict[str, str] = {}
    for band, keys in ASSET_KEYS.items():
        for k in keys:
            if k in assets and assets[k].get("href"):
                out[band] = assets[k]["href"]
                break
    missing = [b for b in BANDS if b not in out]
    if missing:
        raise ReslogError(f"STAC item {item.get('id')}: no asset for band(s) {' '.join(missing)} "
                          f"(assets: {', '.join(sorted(assets))})")
    return out


def _gdal_path(href: str) -> str:
    if href.startswith(("http://", "https://")):
        return "/vsicurl/" + href
    if href.startswith("s3://"):
        return "/vsis3/" + href[5:]
    return href


def open_item(item: dict):
    """Open a STAC item as a scene streamed window by window (bands read over HTTP)."""
    from reslog.sources.sentinel2 import open_scene

    bands = {b: _gdal_path(h) for b, h in item_bands(item).items()}
    sc = open_scene(item.get("id", "stac-item"), bands=bands)
    dt = item.get("properties", {}).get("datetime")
    if dt:
        sc.spec.date = str(dt)[:10]
    sc.spec.name = item.get("id", sc.spec.name)
    return sc
