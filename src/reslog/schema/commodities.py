"""Commodities: every material on the EU 2023 critical (CRM) and strategic (SRM) raw
materials lists (Regulation (EU) 2024/1252, Annexes I and II), plus the major metals
Fe, Al, Cu, Zn, Pb, Ni, Au, Ag, Sn and a few more of the mineral value chains.

Canonical names are lower-case ASCII (``cobalt``, ``rare_earths``, ``pgm``). Aliases map
trade and newsroom words ("coltan", "iron ore", "galamsey", "レアアース") to them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd


@dataclass(frozen=True)
class Commodity:
    """One commodity of the canonical list.

    Attributes
    ----------
    name : canonical name.
    symbol : element symbol or short code (``REE`` for rare earths).
    group : ``metal``, ``ree``, ``pgm``, ``industrial_mineral``, ``energy``, ``fertiliser``.
    eu_crm_2023 : on the EU critical raw materials list (Annex II, 34 materials).
    eu_srm_2023 : on the EU strategic raw materials list (Annex I).
    name_ja : Japanese name.
    aliases : other spellings (English and Japanese), lower-case.
    parent : the broader commodity (``neodymium`` → ``rare_earths``).
    """

    name: str
    symbol: str
    group: str
    eu_crm_2023: bool
    eu_srm_2023: bool
    name_ja: str
    aliases: tuple[str, ...] = field(default_factory=tuple)
    parent: str | None = None


def _c(name, symbol, group, crm, srm, ja, aliases=(), parent=None) -> Commodity:
    return Commodity(name, symbol, group, crm, srm, ja, tuple(aliases), parent)


COMMODITIES: tuple[Commodity, ...] = (
    # EU CRM 2023 (34) — strategic ones flagged
    _c("aluminium", "Al", "metal", True, True, "アルミニウム", ["aluminum", "alumina", "primary aluminium", "アルミ"]),
    _c("bauxite", "Al", "metal", True, False, "ボーキサイト", ["bauxite ore"], parent="aluminium"),
    _c("antimony", "Sb", "metal", True, False, "アンチモン", ["stibnite"]),
    _c("arsenic", "As", "metal", True, False, "ヒ素", ["ヒ素"]),
    _c("baryte", "Ba", "industrial_mineral", True, False, "重晶石", ["barite", "barytes", "バライト"]),
    _c("beryllium", "Be", "metal", True, False, "ベリリウム", ["beryl"]),
    _c("bismuth", "Bi", "metal", True, True, "ビスマス", []),
    _c("boron", "B", "industrial_mineral", True, True, "ホウ素", ["borate", "borates", "boric acid", "ホウ酸塩"]),
    _c("cobalt", "Co", "metal", True, True, "コバルト", ["cobaltite"]),
    _c("coking_coal", "C", "energy", True, False, "原料炭", ["coking coal", "metallurgical coal", "met coal", "強粘結炭"]),
    _c("copper", "Cu", "metal", True, True, "銅", ["copper ore", "copper concentrate", "cathode copper", "銅鉱石", "銅精鉱"]),
    _c("feldspar", "KAlSi3O8", "industrial_mineral", True, False, "長石", []),
    _c("fluorspar", "CaF2", "industrial_mineral", True, False, "蛍石", ["fluorite"]),
    _c("gallium", "Ga", "metal", True, True, "ガリウム", []),
    _c("germanium", "Ge", "metal", True, True, "ゲルマニウム", []),
    _c("hafnium", "Hf", "metal", True, False, "ハフニウム", []),
    _c("helium", "He", "industrial_mineral", True, False, "ヘリウム", []),
    _c("rare_earths", "REE", "ree", True, True, "レアアース", ["rare earths", "rare earth", "rare-earth", "rare earth elements", "ree", "rees", "希土類", "レアアース"]),
    _c("heavy_rare_earths", "HREE", "ree", True, True, "重希土類", ["hree", "heavy rare earths", "heavy rare earth elements"], parent="rare_earths"),
    _c("light_rare_earths", "LREE", "ree", True, True, "軽希土類", ["lree", "light rare earths", "light rare earth elements"], parent="rare_earths"),
    _c("neodymium", "Nd", "ree", True, True, "ネオジム", ["ネオジウム"], parent="light_rare_earths"),
    _c("praseodymium", "Pr", "ree", True, True, "プラセオジム", [], parent="light_rare_earths"),
    _c("dysprosium", "Dy", "ree", True, True, "ジスプロシウム", [], parent="heavy_rare_earths"),
    _c("terbium", "Tb", "ree", True, True, "テルビウム", [], parent="heavy_rare_earths"),
    _c("lithium", "Li", "metal", True, True, "リチウム", ["spodumene", "lithium carbonate", "lithium hydroxide", "lithium brine", "炭酸リチウム"]),
    _c("magnesium", "Mg", "metal", True, True, "マグネシウム", ["magnesium metal"]),
    _c("manganese", "Mn", "metal", True, True, "マンガン", ["manganese ore"]),
    _c("graphite", "C", "industrial_mineral", True, True, "黒鉛", ["natural graphite", "flake graphite", "グラファイト", "天然黒鉛"]),
    _c("nickel", "Ni", "metal", True, True, "ニッケル", ["nickel ore", "nickel laterite", "nickel pig iron", "npi", "ニッケル鉱石"]),
    _c("niobium", "Nb", "metal", True, False, "ニオブ", ["columbium", "pyrochlore"]),
    _c("phosphate_rock", "P2O5", "fertiliser", True, False, "リン鉱石", ["phosphate rock", "phosphate", "phosphates"]),
    _c("phosphorus", "P", "fertiliser", True, False, "リン", ["white phosphorus", "黄リン"]),
    _c("pgm", "PGM", "pgm", True, True, "白金族金属", ["platinum group metals", "platinum-group metals", "pgms", "白金族"]),
    _c("platinum", "Pt", "pgm", True, True, "白金", ["プラチナ"], parent="pgm"),
    _c("palladium", "Pd", "pgm", True, True, "パラジウム", [], parent="pgm"),
    _c("rhodium", "Rh", "pgm", True, True, "ロジウム", [], parent="pgm"),
    _c("scandium", "Sc", "metal", True, False, "スカンジウム", []),
    _c("silicon", "Si", "metal", True, True, "シリコン", ["silicon metal", "metallurgical silicon", "ケイ素", "金属シリコン"]),
    _c("strontium", "Sr", "industrial_mineral", True, False, "ストロンチウム", ["celestine"]),
    _c("tantalum", "Ta", "metal", True, False, "タンタル", ["coltan", "columbite-tantalite", "tantalite", "コルタン"]),
    _c("titanium", "Ti", "metal", True, True, "チタン", ["titanium metal", "ilmenite", "rutile", "titanium sponge"]),
    _c("tungsten", "W", "metal", True, True, "タングステン", ["wolfram", "wolframite", "scheelite"]),
    _c("vanadium", "V", "metal", True, False, "バナジウム", []),
    # Major metals and others of the mineral value chains
    _c("iron", "Fe", "metal", False, False, "鉄鉱石", ["iron ore", "iron-ore", "hematite", "magnetite", "pig iron", "鉄"]),
    _c("steel", "Fe", "metal", False, False, "鉄鋼", ["crude steel", "stainless steel"], parent="iron"),
    _c("zinc", "Zn", "metal", False, False, "亜鉛", ["sphalerite", "zinc concentrate"]),
    _c("lead", "Pb", "metal", False, False, "鉛", ["galena"]),
    _c("gold", "Au", "metal", False, False, "金", ["galamsey", "garimpo", "gold ore", "金鉱"]),
    _c("silver", "Ag", "metal", False, False, "銀", []),
    _c("tin", "Sn", "metal", False, False, "スズ", ["cassiterite", "錫"]),
    _c("chromium", "Cr", "metal", False, False, "クロム", ["chromite", "ferrochrome", "ferrochromium"]),
    _c("molybdenum", "Mo", "metal", False, False, "モリブデン", ["molybdenite"]),
    _c("uranium", "U", "energy", False, False, "ウラン", ["yellowcake"]),
    _c("zirconium", "Zr", "metal", False, False, "ジルコニウム", ["zircon"]),
    _c("indium", "In", "metal", False, False, "インジウム", []),
    _c("tellurium", "Te", "metal", False, False, "テルル", []),
    _c("selenium", "Se", "metal", False, False, "セレン", []),
    _c("cadmium", "Cd", "metal", False, False, "カドミウム", []),
    _c("rhenium", "Re", "metal", False, False, "レニウム", []),
    _c("potash", "K2O", "fertiliser", False, False, "カリ", ["potassium chloride", "カリウム"]),
    _c("coal", "C", "energy", False, False, "石炭", ["thermal coal", "steam coal", "一般炭"]),
    _c("diamond", "C", "industrial_mineral", False, False, "ダイヤモンド", ["diamonds"]),
    # Gemstones: Hpakant jade (Myanmar), coloured-gem rushes (Madagascar, Mozambique). Named so that
    # a jade or gem site is never guessed as rare earths from its region (Kachin).
    _c("jade", "JADE", "gemstone", False, False, "ヒスイ", ["jadeite", "翡翠", "ひすい"]),
    _c("gemstones", "GEM", "gemstone", False, False, "宝石",
       ["gemstone", "gem", "gems", "precious stones", "coloured gemstones", "colored gemstones", "ruby",
        "rubies", "sapphire", "sapphires", "emerald", "emeralds", "ルビー", "サファイア", "エメラルド",
        "宝石類", "貴石"]),
)

_BY_NAME: dict[str, Commodity] = {c.name: c for c in COMMODITIES}


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lower().replace("_", " ")
    return re.sub(r"\s+", " ", text)


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    idx: dict[str, str] = {}
    for c in COMMODITIES:
        idx[_norm(c.name)] = c.name
        idx[_norm(c.name_ja)] = c.name
        for a in c.aliases:
            idx.setdefault(_norm(a), c.name)
    # element symbols last, so words win over symbols; only unambiguous ones
    for c in COMMODITIES:
        if c.parent is None and c.symbol.isalpha() and len(c.symbol) <= 2:
            idx.setdefault(c.symbol.lower(), c.name)
    idx["aluminum"] = "aluminium"
    idx["platinum-group metals"] = "pgm"
    idx["rare earths"] = "rare_earths"
    return idx


def resolve_commodity(value: object) -> str | None:
    """Canonical commodity name of a name, alias, Japanese name or element symbol, else ``None``.

    ``resolve_commodity("Coltan") == "tantalum"``; ``resolve_commodity("iron ore") == "iron"``;
    ``resolve_commodity("Platinum-group metals") == "pgm"``; ``resolve_commodity("銅") == "copper"``.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    key = _norm(value)
    if key in _index():
        return _index()[key]
    # USGS chapter titles: "Rare earths", "Graphite (natural)", "Gallium (low-purity)"
    key2 = re.sub(r"\s*\(.*?\)\s*", " ", key).strip()
    return _index().get(key2)


def get_commodity(name: str) -> Commodity:
    """The :class:`Commodity` for a canonical name (``KeyError`` if unknown)."""
    return _BY_NAME[name]


@lru_cache(maxsize=1)
def commodities_table() -> pd.DataFrame:
    """The canonical ``commodities`` table."""
    return pd.DataFrame(
        [{"name": c.name, "symbol": c.symbol, "group": c.group, "eu_crm_2023": c.eu_crm_2023,
          "eu_srm_2023": c.eu_srm_2023, "name_ja": c.name_ja, "aliases": "|".join(c.aliases),
          "parent": c.parent} for c in COMMODITIES]
    )
