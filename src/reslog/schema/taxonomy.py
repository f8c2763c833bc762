"""The risk-event taxonomy (versioned). Every risk event carries one of these types.

Changing a definition or adding a type bumps :data:`TAXONOMY_VERSION` (semantic
versioning: a new type is a minor bump, a changed meaning is a major bump), and
``docs/taxonomy.md`` records the change.
"""

from __future__ import annotations

from dataclasses import dataclass

TAXONOMY_VERSION = "2.0.0"
"""2.0.0 (issue 13): new type ``production_disruption``; ``none`` no longer covers announced output
cuts, suspensions and closures for economic reasons (major bump: a changed meaning). Events
stored under 1.0.0 keep their type (:data:`MIGRATIONS`)."""

# How a stored event's type maps from an older taxonomy version to the next one. Types absent
# from a mapping keep their name. 1.0.0 → 2.0.0: every 1.0.0 risk type keeps its meaning for the
# events it labelled (the narrowed ``none`` is never stored as a risk event).
MIGRATIONS: dict[tuple[str, str], dict[str, str]] = {("1.0.0", "2.0.0"): {}}


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
    EventType("production_disruption", "Production disruption", "生産障害·減産",
              "An operator or producer cuts, curtails, suspends or stops output, puts a mine or plant "
              "on care and maintenance, or closes it, for economic or operational reasons or because "
              "an input runs short (sulphuric acid, reagents, cyanide, fuel, water, power supply, "
              "feed ore or concentrate) — when the cause is not itself another risk event (accident, "
              "strike, hazard, conflict, regulation, logistics outage).", "supply"),
    EventType("human_rights", "Human rights", "人権侵害",
              "Child or forced labour, abuse of workers or residents, unsafe working conditions "
              "reported as rights violations.", "social"),
    EventType("none", "No risk event", "リスク事象なし",
              "The text reports no risk event at a mining or mineral supply-chain origin "
              "(e.g. market prices, company results, general news).", "none"),
)}


def migrate_event_type(event_type: str, from_version: str, to_version: str = TAXONOMY_VERSION) -> str:
    """The type an event labelled ``event_type`` under ``from_version`` has under ``to_version``.

    Raises
    ------
    ValueError
        No migration path between the versions, or a type unknown to the source version.
    """
    order = ["1.0.0", "2.0.0"]
    if from_version not in order or to_version not in order or order.index(from_version) > order.index(to_version):
        raise ValueError(f"no taxonomy migration from {from_version} to {to_version}; known versions {order}")
    t = event_type
    for a, b in zip(order[order.index(from_version):order.index(to_version)],
                    order[order.index(from_version) + 1:order.index(to_version) + 1]):
        t = MIGRATIONS.get((a, b), {}).get(t, t)
    if t not in EVENT_TYPES:
        raise ValueError(f"event type '{event_type}' (taxonomy {from_version}) has no counterpart in {to_version}")
    return t


def is_event_type(name: object) -> bool:
    """True if ``name`` is a type of the taxonomy."""
    return isinstance(name, str) and name in EVENT_TYPES
