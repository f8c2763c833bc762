"""The risk-event taxonomy (versioned). Every risk event carries one of these types.

Changing a definition or adding a type bumps :data:`TAXONOMY_VERSION` (semantic
versioning: a new type is a minor bump, a changed meaning is a major bump), and
``docs/taxonomy.md`` records the change.
"""

from __future__ import annotations

from dataclasses import dataclass

TAXONOMY_VERSION = "1.0.0"


@dataclass(frozen=True)
class EventType:
    """One risk-event type: name, English and Japanese label, definition, IO channel."""

    name: str
    label_en: str
    label_ja: str
    definition: str
    channel: str  # how it reaches the economy: "supply" (output loss), "social", "environment", "none"


EVENT_TYPES: dict[str, EventType] = {e.name: e for e in (
    EventType("tailings_failure", "Tailings-dam failure", "鉱滓ダム決壊",
              "Failure, breach or overtopping of a tailings storage facility releasing tailings or "
              "process water.", "supply"),
    EventType("mine_accident", "Mine accident", "鉱山事故",
              "Collapse, explosion, flooding, fire or other accident at a mine or plant causing "
              "casualties or a stoppage (not a tailings-dam failure).", "supply"),
    EventType("labour_unrest", "Labour unrest", "労働争議",
              "Strike, lock-out, walk-out or wage dispute at a mine, smelter, refinery or port.",
              "supply"),
    EventType("community_conflict", "Community conflict", "地域住民との対立",
              "Protest, blockade or dispute between a mining operation and local or indigenous "
              "communities over land, water, consent or benefits.", "supply"),
    EventType("armed_conflict", "Armed conflict", "武力紛争",
              "Armed violence, insurgency, militia control or military operations affecting a "
              "mining area or mineral supply route.", "supply"),
    EventType("export_restriction", "Export restriction", "輸出規制",
              "Export ban, quota, licence requirement or export duty on ores, concentrates, "
              "refined metals or products.", "supply"),
    EventType("sanctions", "Sanctions", "制裁",
              "Sanctions or embargoes by states or international bodies on producers, "
              "companies or minerals.", "supply"),
    EventType("regulatory_change", "Regulatory change", "規制変更",
              "New mining code, royalty or tax change, licence revocation, nationalisation, "
              "permitting decision or court ruling affecting operations.", "supply"),
    EventType("asgm", "Artisanal / illegal mining", "零細・違法採掘",
              "Artisanal and small-scale mining (ASM/ASGM), illegal mining (galamsey, garimpo), "
              "incursions into protected areas, mercury use.", "environment"),
    EventType("pollution", "Pollution", "環境汚染",
              "Spill, leak, acid mine drainage, toxic emissions or contamination of water, air "
              "or soil from mining or processing (not a dam failure).", "environment"),
    EventType("natural_hazard", "Natural hazard", "自然災害",
              "Earthquake, flood, landslide, cyclone, drought or wildfire affecting mining, "
              "processing or transport.", "supply"),
    EventType("logistics_disruption", "Logistics disruption", "物流の混乱",
              "Blockage or closure of ports, railways, roads, canals or power supply that stops "
              "mineral shipments or processing.", "supply"),
    EventType("human_rights", "Human rights", "人権侵害",
              "Child or forced labour, abuse of workers or residents, unsafe working conditions "
              "reported as rights violations.", "social"),
    EventType("none", "No risk event", "リスク事象なし",
              "The text reports no risk event at a mining or mineral supply-chain origin "
              "(e.g. market prices, company results, general news).", "none"),
)}


def is_event_type(name: object) -> bool:
    """True if ``name`` is a type of the taxonomy."""
    return isinstance(name, str) and name in EVENT_TYPES
