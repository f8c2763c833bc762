"""``reslog data fetch``: the one place reslog goes online.

It downloads a full official dataset into the data folder (``$RESLOG_DATA_DIR`` or
``./reslog-data/downloads``), streaming, with a SHA-256 written beside the file; the CLI then
ingests it, which records the ledger entry. Without network it fails fast (the connection
attempt has a timeout, default 10 s) with a message saying what to download by hand.
"""

from __future__ import annotations

import hashlib
import socket
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

from reslog.errors import NetworkUnavailable, ReslogError
from reslog.paths import data_dir


@dataclass(frozen=True)
class Dataset:
    """A downloadable official dataset."""

    title: str
    url: str
    licence: str
    filename: str
    kind: str | None  # the `reslog ingest` kind that reads it; None: not ingestible as downloaded
    unzip: bool = False
    after: str = ""  # what the user does next when ``kind`` is None


DATASETS: dict[str, Dataset] = {
    "baci": Dataset(
        "CEPII BACI, HS 2017 nomenclature, release V202401b (all years, one CSV per year)",
        "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS17_V202401b.zip",
        "Etalab Open Licence 2.0", "BACI_HS17_V202401b.zip", "baci", unzip=True),
    "wgi": Dataset(
        "World Bank Worldwide Governance Indicators, 2024 update (xlsx, long format)",
        "https://www.worldbank.org/content/dam/sites/govindicators/doc/wgidataset.xlsx",
        "CC BY 4.0", "wgidataset.xlsx", "wgi"),
    "usgs": Dataset(
        "USGS Mineral Commodity Summaries 2026 — world production tables (data release)",
        "https://pubs.usgs.gov/periodicals/mcs2026/mcs2026.pdf",
        "Public domain (US Government work)", "mcs2026.pdf", None,
        after="USGS publishes the world production tables inside the PDF chapters: export each "
              "commodity's 'World Mine Production and Reserves' table to CSV in the layout of "
              "docs/readers.md (usgs), then run `reslog ingest usgs FILE.csv`."),
    "exiobase": Dataset(
        "EXIOBASE 3 (Zenodo), downloaded through pymrio.download_exiobase3",
        "https://zenodo.org/records/5589597",
        "CC BY-SA 4.0", "exiobase3", None,
        after="Load it into the warehouse with `reslog ingest mrio <folder>/IOT_<year>_ixi.zip`, "
              "or use the zip directly with `reslog io footprint --mrio <zip>`."),
}


def check_network(url: str, timeout: float) -> None:
    """Raise :class:`NetworkUnavailable` unless a TCP connection to the URL's host opens in time."""
    host = urlparse(url).hostname or url
    port = 443 if url.startswith("https") else 80
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return
    except OSError as e:
        raise NetworkUnavailable(
            f"the network is unreachable ({host}:{port}: {e.__class__.__name__}: {e}). "
            f"Download {url} by hand, put it in {data_dir()}, then run "
            f"`reslog ingest <kind> <path>`."
        ) from e


def _download(url: str, dest: Path, timeout: float, log: Callable[[str], object]) -> str:
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_suffix(dest.suffix + ".part")
    h = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r, open(part, "wb") as f:
            total = int(r.headers.get("Content-Length") or 0)
            done = 0
            for chunk in iter(lambda: r.read(1 << 20), b""):
                f.write(chunk)
                h.update(chunk)
                done += len(chunk)
                if total and done % (64 << 20) < (1 << 20):
                    log(f"  {done / 1e6:,.0f} / {total / 1e6:,.0f} MB")
    except (urllib.error.URLError, OSError) as e:
        part.unlink(missing_ok=True)
        raise NetworkUnavailable(f"download of {url} failed ({e}); download it by hand into {dest.parent}") from e
    part.replace(dest)
    digest = h.hexdigest()
    dest.with_suffix(dest.suffix + ".sha256").write_text(f"{digest}  {dest.name}\n")
    return digest


def fetch(name: str, *, year: int | None = None, timeout: float = 10.0,
          log: Callable[[str], object] = print) -> Path:
    """Download dataset ``name`` and return the path to ingest.

    Raises
    ------
    NetworkUnavailable
        When offline (within ``timeout`` seconds).
    ReslogError
        For an unknown dataset name.
    """
    if name not in DATASETS:
        raise ReslogError(f"unknown dataset '{name}'; known: {', '.join(DATASETS)}")
    ds = DATASETS[name]
    check_network(ds.url, timeout)
    target = data_dir() / name
    if name == "exiobase":
        import pymrio

        pymrio.download_exiobase3(storage_folder=str(target), system="ixi", years=[year or 2022])
        return target
    dest = target / ds.filename
    log(f"downloading {ds.url}")
    digest = _download(ds.url, dest, timeout, log)
    log(f"sha256 {digest}")
    if ds.unzip:
        with zipfile.ZipFile(dest) as z:
            z.extractall(target / dest.stem)
        return target / dest.stem
    return dest
