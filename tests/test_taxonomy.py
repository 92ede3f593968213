import pytest

from analysis.data.taxonomy import WEAPONS, classify, split_model
from analysis.vocabulary import (
    BALLISTIC_MISSILE,
    CRUISE_MISSILE,
    GUIDED_BOMB,
    MIXED_DRONE,
    MIXED_MISSILE,
    RECON_DRONE,
    SAM_GROUND_ATTACK,
    STRIKE_DRONE,
    TACTICAL_STRIKE_DRONE,
    UNKNOWN,
    WEAPON_CLASSES,
)


@pytest.mark.parametrize(
    ("model", "weapon_class", "origin"),
    [
        ("Shahed-136/131", STRIKE_DRONE, "iran"),
        ("Iskander-M/KN-23", BALLISTIC_MISSILE, "russia_or_north_korea"),
        ("KN-23", BALLISTIC_MISSILE, "north_korea"),
        ("Iskander-M", BALLISTIC_MISSILE, "russia"),
        ("X-101/X-555", CRUISE_MISSILE, "russia"),
        ("C-300/C-400", SAM_GROUND_ATTACK, "russia"),
        ("Aerial Bomb", GUIDED_BOMB, "russia"),
        ("Фенікс", RECON_DRONE, "russia"),
        ("Картограф", RECON_DRONE, "russia"),
        ("Привет-82", TACTICAL_STRIKE_DRONE, "russia"),
        ("Молнія", TACTICAL_STRIKE_DRONE, "russia"),
        ("Mohajer-6", RECON_DRONE, "iran"),
    ],
)
def test_single_models_map_to_class_and_origin(model, weapon_class, origin):
    weapon, unmapped = classify(model)
    assert (weapon.weapon_class, weapon.origin) == (weapon_class, origin)
    assert unmapped == []


def test_combined_name_splits_on_and_only():
    assert split_model("X-101/X-555 and Kalibr and X-59/X-69") == [
        "X-101/X-555",
        "Kalibr",
        "X-59/X-69",
    ]
    assert split_model("Shahed-136/131") == ["Shahed-136/131"]


@pytest.mark.parametrize(
    ("model", "weapon_class", "origin"),
    [
        ("X-101/X-555 and Kalibr", CRUISE_MISSILE, "russia"),
        ("C-300 and Iskander-M", MIXED_MISSILE, "russia"),
        ("X-47 Kinzhal and Iskander-M/KN-23", BALLISTIC_MISSILE, "russia_or_north_korea"),
        ("X-101/X-555 and Kalibr and Iskander-M/KN-23", MIXED_MISSILE, "russia_or_north_korea"),
        ("Shahed-136/131 and Lancet", MIXED_DRONE, "mixed"),
        ("Orlan-10 and ZALA and Supercam", RECON_DRONE, "russia"),
    ],
)
def test_combined_names_keep_one_class_or_a_labelled_mixed_class(model, weapon_class, origin):
    weapon, _ = classify(model)
    assert (weapon.weapon_class, weapon.origin) == (weapon_class, origin)


def test_unmapped_model_goes_to_unknown_and_is_reported():
    weapon, unmapped = classify("Geran-3 and Kalibr")
    assert weapon.weapon_class == UNKNOWN
    assert unmapped == ["Geran-3"]


def test_every_mapped_weapon_uses_a_declared_class():
    assert {w.weapon_class for w in WEAPONS.values()} <= set(WEAPON_CLASSES)


@pytest.mark.real_data
def test_every_model_in_the_real_snapshot_is_mapped(real_strikes):
    assert (real_strikes["weapon_class"] == UNKNOWN).sum() == 0
