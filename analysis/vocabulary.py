"""The words every stage shares: weapon classes, design origins and counting scopes.

Plain constants with no imports, so that parameters, data, models and charts all name a class
or an origin the same way. Which reported ``model`` belongs to which class and origin is
:mod:`analysis.data.taxonomy`'s job.
"""

from __future__ import annotations

STRIKE_DRONE = "strike_drone"
TACTICAL_STRIKE_DRONE = "tactical_strike_drone"
RECON_DRONE = "recon_drone"
UNIDENTIFIED_DRONE = "unidentified_drone"
CRUISE_MISSILE = "cruise_missile"
BALLISTIC_MISSILE = "ballistic_missile"
SAM_GROUND_ATTACK = "sam_ground_attack"
UNKNOWN_MISSILE = "unknown_missile"
GUIDED_BOMB = "guided_bomb"
MIXED_MISSILE = "mixed_missile"
MIXED_DRONE = "mixed_drone"
MIXED = "mixed"
UNKNOWN = "unknown"

#: Every class, in display order.
WEAPON_CLASSES: tuple[str, ...] = (
    STRIKE_DRONE,
    TACTICAL_STRIKE_DRONE,
    RECON_DRONE,
    UNIDENTIFIED_DRONE,
    CRUISE_MISSILE,
    BALLISTIC_MISSILE,
    SAM_GROUND_ATTACK,
    UNKNOWN_MISSILE,
    MIXED_MISSILE,
    GUIDED_BOMB,
    MIXED_DRONE,
    MIXED,
    UNKNOWN,
)
#: Classes summed into a wave's ``missiles_*`` headline.
MISSILE_CLASSES = frozenset(
    {CRUISE_MISSILE, BALLISTIC_MISSILE, SAM_GROUND_ATTACK, UNKNOWN_MISSILE, MIXED_MISSILE}
)
#: Classes summed into a wave's ``drones_*`` headline (Shahed/Geran type and decoys).
DRONE_CLASSES = frozenset({STRIKE_DRONE})
UAV_CLASSES = frozenset({STRIKE_DRONE, TACTICAL_STRIKE_DRONE, RECON_DRONE, UNIDENTIFIED_DRONE})

RUSSIA = "russia"
IRAN = "iran"
NORTH_KOREA = "north_korea"
RUSSIA_OR_NORTH_KOREA = "russia_or_north_korea"
MIXED_ORIGIN = "mixed"
UNKNOWN_ORIGIN = "unknown"
ORIGINS: tuple[str, ...] = (
    RUSSIA,
    IRAN,
    NORTH_KOREA,
    RUSSIA_OR_NORTH_KOREA,
    MIXED_ORIGIN,
    UNKNOWN_ORIGIN,
)

#: Scopes: whose counts a figure adds up (see :mod:`analysis.data.scope`). ``national`` is the
#: Air Force's national summary alone, comparable with published national totals; ``all``
#: adds every reporter (regional air commands, General Staff, ...), overlaps included.
NATIONAL_SCOPE = "national"
ALL_SCOPE = "all"
SCOPES: tuple[str, ...] = (NATIONAL_SCOPE, ALL_SCOPE)
DEFAULT_SCOPE = NATIONAL_SCOPE
