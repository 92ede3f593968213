"""Weapon taxonomy: every reported ``model`` to a ``weapon_class`` and an ``origin``.

``origin`` is the design origin as publicly attributed. Shahed/Geran drones are Iranian
designs that Russia also builds under licence (Alabuga, Tatarstan); the data does not say
where a given drone was made, so their origin stays ``iran``. ``Iskander-M/KN-23`` lumps a
Russian and a North Korean missile and stays ``russia_or_north_korea``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from analysis.vocabulary import (
    BALLISTIC_MISSILE,
    CRUISE_MISSILE,
    GUIDED_BOMB,
    IRAN,
    MISSILE_CLASSES,
    MIXED,
    MIXED_DRONE,
    MIXED_MISSILE,
    MIXED_ORIGIN,
    NORTH_KOREA,
    RECON_DRONE,
    RUSSIA,
    RUSSIA_OR_NORTH_KOREA,
    SAM_GROUND_ATTACK,
    STRIKE_DRONE,
    TACTICAL_STRIKE_DRONE,
    UAV_CLASSES,
    UNIDENTIFIED_DRONE,
    UNKNOWN,
    UNKNOWN_MISSILE,
    UNKNOWN_ORIGIN,
)

COMBINED_SEPARATOR = " and "


@dataclass(frozen=True)
class Weapon:
    weapon_class: str
    origin: str


_R, _IR, _NK = RUSSIA, IRAN, NORTH_KOREA

#: Single weapon names as they appear in the data (Cyrillic ones included).
WEAPONS: dict[str, Weapon] = {
    # Shahed-136/131 family ("Geran-1/2"); from 2025 the counts include decoys (Gerbera etc.).
    "Shahed-136/131": Weapon(STRIKE_DRONE, _IR),
    # Front-line loitering munitions: not the long-range campaign.
    "Lancet": Weapon(TACTICAL_STRIKE_DRONE, _R),
    "Kub": Weapon(TACTICAL_STRIKE_DRONE, _R),
    "Молнія": Weapon(TACTICAL_STRIKE_DRONE, _R),
    "Привет-82": Weapon(TACTICAL_STRIKE_DRONE, _R),
    "Orlan-10": Weapon(RECON_DRONE, _R),
    "Orlan-30": Weapon(RECON_DRONE, _R),
    "Supercam": Weapon(RECON_DRONE, _R),
    "ZALA": Weapon(RECON_DRONE, _R),
    "Merlin-VR": Weapon(RECON_DRONE, _R),
    "Eleron": Weapon(RECON_DRONE, _R),
    "Forpost": Weapon(RECON_DRONE, _R),
    "Granat-4": Weapon(RECON_DRONE, _R),
    "Orion": Weapon(RECON_DRONE, _R),
    "Фенікс": Weapon(RECON_DRONE, _R),
    "Картограф": Weapon(RECON_DRONE, _R),
    "Reconnaissance UAV": Weapon(RECON_DRONE, UNKNOWN_ORIGIN),
    "Mohajer-6": Weapon(RECON_DRONE, _IR),
    "Unknown UAV": Weapon(UNIDENTIFIED_DRONE, UNKNOWN_ORIGIN),
    "X-101/X-555": Weapon(CRUISE_MISSILE, _R),
    "Kalibr": Weapon(CRUISE_MISSILE, _R),
    "Iskander-K": Weapon(CRUISE_MISSILE, _R),
    "X-22": Weapon(CRUISE_MISSILE, _R),
    "X-32": Weapon(CRUISE_MISSILE, _R),
    "X-59": Weapon(CRUISE_MISSILE, _R),
    "X-69": Weapon(CRUISE_MISSILE, _R),
    "X-59/X-69": Weapon(CRUISE_MISSILE, _R),
    "X-59MK2": Weapon(CRUISE_MISSILE, _R),
    "X-31": Weapon(CRUISE_MISSILE, _R),
    "X-31P": Weapon(CRUISE_MISSILE, _R),
    "X-31PD": Weapon(CRUISE_MISSILE, _R),
    "X-35": Weapon(CRUISE_MISSILE, _R),
    "P-800 Oniks": Weapon(CRUISE_MISSILE, _R),
    "3M22 Zircon": Weapon(CRUISE_MISSILE, _R),
    "Banderol": Weapon(CRUISE_MISSILE, _R),
    "Iskander-M": Weapon(BALLISTIC_MISSILE, _R),
    "KN-23": Weapon(BALLISTIC_MISSILE, _NK),
    "Iskander-M/KN-23": Weapon(BALLISTIC_MISSILE, RUSSIA_OR_NORTH_KOREA),
    "X-47 Kinzhal": Weapon(BALLISTIC_MISSILE, _R),
    "Ballistic Missile": Weapon(BALLISTIC_MISSILE, UNKNOWN_ORIGIN),
    "Intercontinental Ballistic Missile": Weapon(BALLISTIC_MISSILE, _R),
    "C-300": Weapon(SAM_GROUND_ATTACK, _R),
    "C-400": Weapon(SAM_GROUND_ATTACK, _R),
    "C-300/C-400": Weapon(SAM_GROUND_ATTACK, _R),
    "Unknown Missile": Weapon(UNKNOWN_MISSILE, UNKNOWN_ORIGIN),
    "GBU": Weapon(GUIDED_BOMB, _R),
    "Aerial Bomb": Weapon(GUIDED_BOMB, _R),
}

_BY_FOLDED_NAME = {name.casefold(): weapon for name, weapon in WEAPONS.items()}


def split_model(model: str) -> list[str]:
    """``'X-101/X-555 and Kalibr'`` -> ``['X-101/X-555', 'Kalibr']``."""
    return [part.strip() for part in str(model).split(COMBINED_SEPARATOR) if part.strip()]


def lookup(component: str) -> Weapon | None:
    """The weapon a single name stands for, or None when the name is unmapped."""
    return _BY_FOLDED_NAME.get(component.strip().casefold())


def combine_classes(classes: Iterable[str]) -> str:
    """One class for a row that lumps several weapons without a per-weapon split."""
    distinct = set(classes)
    if len(distinct) == 1:
        return distinct.pop()
    if UNKNOWN in distinct:
        return UNKNOWN
    if distinct <= MISSILE_CLASSES:
        return MIXED_MISSILE
    if distinct <= UAV_CLASSES:
        return MIXED_DRONE
    return MIXED


def combine_origins(origins: Iterable[str]) -> str:
    """One origin for several weapons, keeping ambiguity rather than choosing a side."""
    distinct = set(origins)
    if len(distinct) == 1:
        return distinct.pop()
    if distinct <= {RUSSIA, NORTH_KOREA, RUSSIA_OR_NORTH_KOREA}:
        return RUSSIA_OR_NORTH_KOREA
    if UNKNOWN_ORIGIN in distinct:
        return UNKNOWN_ORIGIN
    return MIXED_ORIGIN


def classify(model: str) -> tuple[Weapon, list[str]]:
    """Classify a whole ``model`` value; also return the component names that are unmapped."""
    parts = split_model(model) or [str(model)]
    weapons = [lookup(p) for p in parts]
    unmapped = [p for p, w in zip(parts, weapons, strict=True) if w is None]
    if unmapped:
        return Weapon(UNKNOWN, UNKNOWN_ORIGIN), unmapped
    known = [w for w in weapons if w is not None]
    return (
        Weapon(
            combine_classes(w.weapon_class for w in known),
            combine_origins(w.origin for w in known),
        ),
        [],
    )
