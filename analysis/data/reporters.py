"""Who reported a row: the account named in its ``source``, as one of a few reporters.

The national summary of the Air Force (``kpszsu``) is one reporter among several: its regional
air commands, the General Staff and the commander-in-chief post their own counts, often of the
same night. Knowing the reporter of each row lets a count keep to one scope instead of adding
every reporter's numbers together.

Mapping. A ``source`` is a path whose first part is the account (``kpszsu/posts/123``), or a
full Telegram or Facebook URL that names the account after the host
(``https://t.me/kpszsu/22252``, ``https://www.facebook.com/PvKPivden/posts/1``). The account is
matched without regard to case. Anything else (another account, a site, a video link such as
``watch/?v=...``, an empty source) is ``other``: kept, and listed by :func:`unmapped_reporters`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NATIONAL = "national"
AIR_COMMAND_SOUTH = "air_command_south"
AIR_COMMAND_EAST = "air_command_east"
AIR_COMMAND_WEST = "air_command_west"
AIR_COMMAND_CENTER = "air_command_center"
GENERAL_STAFF = "general_staff"
COMMANDER_IN_CHIEF = "commander_in_chief"
OTHER = "other"
#: A wave whose rows come from more than one reporter.
SEVERAL = "several"

#: Every reporter, in display order.
REPORTERS: tuple[str, ...] = (
    NATIONAL,
    AIR_COMMAND_SOUTH,
    AIR_COMMAND_EAST,
    AIR_COMMAND_WEST,
    AIR_COMMAND_CENTER,
    GENERAL_STAFF,
    COMMANDER_IN_CHIEF,
    OTHER,
)
REPORTER_LABELS: dict[str, str] = {
    NATIONAL: "Air Force national summary",
    AIR_COMMAND_SOUTH: "Air Command South",
    AIR_COMMAND_EAST: "Air Command East",
    AIR_COMMAND_WEST: "Air Command West",
    AIR_COMMAND_CENTER: "Air Command Center",
    GENERAL_STAFF: "General Staff",
    COMMANDER_IN_CHIEF: "Commander-in-Chief",
    OTHER: "other sources",
    SEVERAL: "several reporters",
}
#: Account (lower case) -> reporter.
ACCOUNTS: dict[str, str] = {
    "kpszsu": NATIONAL,
    "pvkpivden": AIR_COMMAND_SOUTH,
    "pvkshid": AIR_COMMAND_EAST,
    "pvkzahid": AIR_COMMAND_WEST,
    "pvkcenter": AIR_COMMAND_CENTER,
    "generalstaff.ua": GENERAL_STAFF,
    "cincafu": COMMANDER_IN_CHIEF,
}
#: The source up to its account: an optional scheme, an optional host that names the account
#: next (Telegram, Facebook; ``t.me/s/`` is Telegram's web preview), then the account itself
#: (for a URL of any other site, its host).
_ACCOUNT = (
    r"^(?P<prefix>/?(?:https?://)?(?:www\.|m\.|web\.)?"
    r"(?:(?:t|telegram)\.me/(?:s/)?|(?:facebook|fb)\.com/)?"
    r"(?P<account>[^/?#\s]*))"
)
#: The name :func:`unmapped_reporters` gives a missing or blank source.
EMPTY = "(empty)"


def _distinct_accounts(source: pd.Series) -> tuple[np.ndarray, pd.DataFrame]:
    """Each row's code (-1 for a missing source) and, per distinct source, ``prefix`` (the
    source up to its account) and ``account`` (lower case); a last row, both empty, stands for
    a missing source (code -1). Each distinct source is read once: a report's rows share it."""
    codes, uniques = pd.factorize(source)
    text = pd.Series(uniques, dtype="string").str.strip()
    found = text.str.extract(_ACCOUNT).fillna("")
    found["account"] = found["account"].str.lower()
    found.loc[len(found)] = ["", ""]  # what code -1 (a missing source) takes
    return codes, found


def _reporters(account: pd.Series) -> pd.Series:
    """The reporter of each lower-case account (``other`` when unknown)."""
    codes, uniques = pd.factorize(account)
    names = [ACCOUNTS.get(a, OTHER) for a in uniques] + [OTHER]
    text = pd.Series([""]).dtype  # pandas' default text dtype, as the other text columns
    return pd.Series(pd.array(names, dtype=text).take(codes), index=account.index, name="reporter")


def reporter_of(source: pd.Series) -> pd.Series:
    """The reporter of each row from its ``source`` (see the module docstring); ``other`` for
    an account that maps to no reporter, or no source at all."""
    codes, found = _distinct_accounts(source)
    per_source = _reporters(found["account"]).array  # code -1 takes the last: no source
    return pd.Series(per_source.take(codes), index=source.index, name="reporter")


def unmapped_reporters(source: pd.Series) -> list[dict[str, object]]:
    """The sources that map to ``other``, by their text up to the account (``value``, as
    written; ``(empty)`` for no source) with their row count, most rows first."""
    codes, found = _distinct_accounts(source)
    rows = np.bincount(np.where(codes < 0, len(found) - 1, codes), minlength=len(found))
    unmapped = _reporters(found["account"]).eq(OTHER).to_numpy() & (rows > 0)
    prefix = found.loc[unmapped, "prefix"].replace("", EMPTY).to_numpy(dtype=object)
    counts = pd.Series(rows[unmapped]).groupby(prefix, sort=False).sum()
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"value": str(value), "rows": int(n)} for value, n in ordered]
