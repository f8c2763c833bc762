"""The ``reslog ingest KIND PATH`` kinds and the reader behind each.

Every reader is a pure function ``read_*(path, **options) -> Parsed`` that either returns
canonical tables with their provenance (:class:`~reslog.sources.base.SourceMeta`: source,
version, licence, citation, files, sha256) or raises :class:`~reslog.errors.InputError`
naming the file, row and field.

======================  =====================================  ====================================
kind                    reader                                 licence recorded
======================  =====================================  ====================================
``baci``                :func:`reslog.sources.baci.read_baci`  Etalab Open Licence 2.0
``usgs``                :func:`~reslog.sources.usgs.read_usgs_mcs`  public domain (US Government work)
``production``          :func:`~reslog.sources.usgs.read_production_csv`  per row (source column)
``wgi``                 :func:`~reslog.sources.wgi.read_wgi`   CC BY 4.0
``mines``               :func:`~reslog.sources.mines.read_mine_sites`  per row (source column)
``lithium-deposits``    :func:`~reslog.sources.mines.read_lithium_deposits_busch`  MIT
``events``              :func:`~reslog.sources.events.read_risk_events`  per row (source column)
``tailings``            :func:`~reslog.sources.tailings.read_csp2_tailings`  none stated (CSP2)
``niosh``               :func:`~reslog.sources.niosh.read_niosh_disasters`  public domain
``hs``                  :func:`~reslog.sources.hs.read_hs_codes`  ODC-PDDL (WCO nomenclature)
``mrio``                :func:`read_mrio_blocks`               per table (WIOD: free with citation)
======================  =====================================  ====================================
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from reslog.errors import InputError
from reslog.sources.base import Parsed
from reslog.sources.baci import read_baci
from reslog.sources.events import read_risk_events
from reslog.sources.hs import read_hs_codes
from reslog.sources.mrio import read_mrio
from reslog.sources.mines import read_lithium_deposits_busch, read_mine_sites
from reslog.sources.niosh import read_niosh_disasters
from reslog.sources.tailings import read_csp2_tailings
from reslog.sources.usgs import read_production_csv, read_usgs_mcs
from reslog.sources.wgi import read_wgi
from reslog.sources.emissions import read_cait, read_owid_co2
from reslog.sources.geochem import read_porphyry_auml, read_porphyry_csv, read_reference_composition
from reslog.sources.production_history import read_metal_production_history
from reslog.sources.scenarios import read_scenario_paths, read_ssp
from reslog.sources.sdg import read_wdi_sdg
from reslog.sources.socioeconomic import read_owid_energy, read_worldbank_series

Reader = Callable[..., Parsed]


def read_mrio_blocks(path: str | Path, mrio: str | None = None) -> Parsed:
    """Any supported MRIO (WIOD 2011 folder, Z/Y blocks, pymrio folder or zip, EXIOBASE zip,
    ``pymrio-test``) as the long ``io_blocks`` table, named ``mrio`` (default: its source name)."""
    return read_mrio(path).to_parsed(mrio)

READERS: dict[str, Reader] = {
    "baci": read_baci,
    "usgs": read_usgs_mcs,
    "production": read_production_csv,
    "wgi": read_wgi,
    "mines": read_mine_sites,
    "lithium-deposits": read_lithium_deposits_busch,
    "events": read_risk_events,
    "tailings": read_csp2_tailings,
    "niosh": read_niosh_disasters,
    "hs": read_hs_codes,
    "mrio": read_mrio_blocks,
    # scenario / panel / fingerprint area (docs/scenario.md, panel.md, fingerprint.md)
    "owid-co2": read_owid_co2,
    "cait": read_cait,
    "wb-series": read_worldbank_series,
    "owid-energy": read_owid_energy,
    "ssp": read_ssp,
    "scenario-paths": read_scenario_paths,
    "sdg": read_wdi_sdg,
    "metal-history": read_metal_production_history,
    "refcomp": read_reference_composition,
    "porphyry": read_porphyry_csv,
    "porphyry-auml": read_porphyry_auml,
}

#: One line per kind, for ``reslog ingest --help``.
DESCRIPTIONS: dict[str, str] = {
    "baci": "CEPII BACI release folder, or one BACI_HS??_Y????_V*.csv beside its code files",
    "usgs": "USGS Mineral Commodity Summaries world production/reserves table (one commodity)",
    "production": "canonical long production CSV (country,commodity,year,stage,quantity,...)",
    "wgi": "World Bank WGI long format, CSV or wgidataset.xlsx",
    "mines": "mine sites, canonical CSV or GeoJSON points",
    "lithium-deposits": "Busch et al. 2024 lithium deposits (Parameters/Deposit.csv)",
    "events": "risk events, canonical CSV or JSON lines",
    "tailings": "CSP2 Tailings Dam Failures 1915-2022 table",
    "niosh": "NIOSH US mining disasters 1839-2010 (mine accidents)",
    "mrio": "MRIO table: WIOD 2011 folder, Z/Y(/F) CSV or Parquet blocks, pymrio folder/zip, EXIOBASE zip",
    "owid-co2": "OWID CO2/GHG by country (owid-co2-data.csv) -> country_indicators",
    "cait": "CAIT 2021 GHG by country and sector (OWID layout), total incl. LUCF, 1990-2018",
    "wb-series": "World Bank GDP or population, long CSV (Country Code,Year,Value)",
    "owid-energy": "OWID primary energy consumption (BP & EIA) by country",
    "ssp": "IIASA SSP v0.9.3 population or GDP|PPP per capita growth by country",
    "scenario-paths": "scenario paths CSV (scenario,country,year,ghg,gdp,population)",
    "sdg": "World Bank WDI/SDG wide CSV (Country Code,Indicator Code,1960..)",
    "metal-history": "OWID metal production, Clio Infra & USGS, 1681-2015",
    "refcomp": "pyrolite reference composition CSV (chondrite ...)",
    "porphyry": "porphyry-rock-classification ESM Table 1 (labelled REE)",
    "porphyry-auml": "PorphyryAuML_DATA.xlsx (labelled REE, 3 sheets)",
    "hs": "HS code list (revision,code,level,description,parent), e.g. the packaged HS 2022 mineral codes",
}


def read(kind: str, path: str | Path, **options: Any) -> Parsed:
    """Read ``path`` with the reader of ``kind`` (see :data:`READERS`).

    Raises
    ------
    InputError
        Unknown kind (the message lists the valid ones), or any problem in the file.
    """
    reader = READERS.get(kind.strip().lower())
    if reader is None:
        raise InputError(path, f"unknown kind '{kind}'; valid kinds are "
                         f"{', '.join(sorted(READERS))}", field="kind")
    return reader(path, **options)
