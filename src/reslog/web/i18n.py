"""Interface language: English / 日本語 catalogues (``web/i18n/en.json``, ``ja.json``) and display
names of countries (pycountry's Japanese locale via :func:`reslog.schema.countries.country_name`),
commodities (:mod:`reslog.schema.commodities`) and event types (:mod:`reslog.schema.taxonomy`).

The language comes from the ``lang`` query parameter (so a shared URL shows the same language),
else the ``reslog_lang`` cookie the switch sets, else the server's ``lang_default``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from reslog.schema.countries import country_name

LANGS = ("en", "ja")
CATALOGUE_DIR = Path(__file__).parent / "i18n"
COOKIE = "reslog_lang"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """The message catalogue of ``lang`` (``en`` or ``ja``)."""
    if lang not in LANGS:
        raise ValueError(f"unknown interface language {lang!r}; known: {', '.join(LANGS)}")
    return json.loads((CATALOGUE_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def missing_keys() -> dict[str, list[str]]:
    """Keys present in one catalogue but not in the other (a test keeps this empty)."""
    en, ja = set(catalogue("en")), set(catalogue("ja"))
    return {"ja": sorted(en - ja), "en": sorted(ja - en)}


class Translator:
    """``t("key", n=3)`` → the message of the current language, formatted; plus display names."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else "en"
        self._cat = catalogue(self.lang)
        self._en = catalogue("en")

    def __call__(self, key: str, **kw: object) -> str:
        msg = self._cat.get(key) or self._en.get(key) or key
        return msg.format(**kw) if kw else msg

    def get(self, key: str, default: str) -> str:
        """The message of ``key``, or ``default`` when no catalogue has it (e.g. a new product)."""
        return self._cat.get(key) or self._en.get(key) or default

    def country(self, iso3: object) -> str:
        """Display name of an ISO3 code (the code itself when unknown)."""
        if iso3 is None or (isinstance(iso3, float) and iso3 != iso3):
            return "—"
        return country_name(str(iso3), self.lang)

    def commodity(self, name: object) -> str:
        """Display name of a canonical commodity."""
        from reslog.schema.commodities import get_commodity

        if not isinstance(name, str) or not name:
            return "—"
        try:
            c = get_commodity(name)
        except Exception:  # noqa: BLE001 - not in the canonical list: show it as stored
            return name.replace("_", " ")
        return c.name_ja if self.lang == "ja" and c.name_ja else c.name.replace("_", " ")

    def event_type(self, name: object) -> str:
        """Label of a risk-event type."""
        from reslog.schema.taxonomy import EVENT_TYPES

        et = EVENT_TYPES.get(str(name))
        if et is None:
            return str(name)
        return et.label_ja if self.lang == "ja" else et.label_en

    def names(self, codes: object) -> dict[str, str]:
        """ISO3 → display name for an iterable of codes."""
        return {str(c): self.country(c) for c in codes}  # type: ignore[union-attr]
