"""Plain names for what the tables hold: weapon classes, groups, partners and periods.

Shared by findings (sentences) and figures (titles and labels), so a group has one name
everywhere.
"""

from __future__ import annotations

from analysis.vocabulary import ALL_SCOPE, NATIONAL_SCOPE

CLASS_LABELS: dict[str, str] = {
    "strike_drone": "Long-range strike drones (Shahed/Geran type, decoys included)",
    "tactical_strike_drone": "Tactical strike drones (Lancet, Kub, ...)",
    "recon_drone": "Reconnaissance drones",
    "unidentified_drone": "Unidentified drones",
    "cruise_missile": "Cruise missiles",
    "ballistic_missile": "Ballistic missiles",
    "sam_ground_attack": "S-300/S-400 missiles fired at ground targets",
    "unknown_missile": "Unidentified missiles",
    "mixed_missile": "Several missile types reported together",
    "guided_bomb": "Guided aerial bombs",
    "mixed_drone": "Several drone types reported together",
    "mixed": "Drones and missiles reported together",
    "unknown": "Unmapped weapon name",
}


#: Plain names of the groups a notebook may choose (headline groups, classes, origins).
GROUP_LABELS: dict[str, str] = {
    "drones": "Long-range strike drones (Shahed/Geran type, decoys included)",
    "missiles": "Missiles (cruise, ballistic, S-300/S-400 at ground targets, unidentified)",
    **CLASS_LABELS,
    "russia": "Weapons of Russian design",
    "iran": "Weapons of Iranian design (Shahed/Geran type, Russian-built included)",
    "north_korea": "Missiles named as North Korean (KN-23 alone)",
    "russia_or_north_korea": "Iskander-M/KN-23 (Russian or North Korean)",
}


#: The period a frequency code stands for, and its adjective.
PERIOD_WORDS: dict[str, tuple[str, str]] = {
    "D": ("day", "daily"),
    "W": ("week", "weekly"),
    "M": ("month", "monthly"),
}


def group_label(group: str) -> str:
    """A plain name for a group (headline group, weapon class or origin)."""
    return GROUP_LABELS.get(group, group.replace("_", " ").capitalize())


PARTNER_NAMES = {"iran": "Iran", "north_korea": "North Korea"}


#: The public dataset the strike tables are built from.
DATASET_NAME = "Kaggle piterfm/massive-missile-attacks-on-ukraine"
#: Who reported and who compiled the data.
DATA_CREDIT = f"Air Force of the Armed Forces of Ukraine, compiled by P. Ivaniuk ({DATASET_NAME})"
#: The source credit under every chart; ``{release}`` is the release shown.
SOURCE_CREDIT = f"Source: {DATA_CREDIT}, release of {{release}}"
#: The second credit line of a chart that draws partnership events.
EVENTS_CREDIT = "Partnership events: this report's own timeline, with one public source per event"

#: What each counting scope counts, as a phrase for "counts of ...".
SCOPE_LABELS: dict[str, str] = {
    NATIONAL_SCOPE: "the Air Force's national summary",
    ALL_SCOPE: "every reporter (national summary, air commands and others; overlaps included)",
}
