"""Where the two scopes differ: launches per month under ``national`` and under ``all``.

A report states the scope it counts; in the months where the other scope differs materially
(by at least :data:`MATERIAL_SHARE` and :data:`MATERIAL_LAUNCHES`), it shows both.
"""

from __future__ import annotations

import pandas as pd

from analysis.data.scope import in_scope
from analysis.data.series import as_timestamps, series
from analysis.vocabulary import NATIONAL_SCOPE

#: A month's totals "differ materially" when the scopes differ by at least this share...
MATERIAL_SHARE = 0.02
#: ...and by at least this many launches.
MATERIAL_LAUNCHES = 10


def scope_comparison(strikes: pd.DataFrame) -> pd.DataFrame:
    """Launches per month and headline group under both scopes: ``month, group, national,
    all, difference, share`` (``difference / national``; missing when national is 0) and
    ``material`` (at least :data:`MATERIAL_SHARE` and :data:`MATERIAL_LAUNCHES` apart)."""
    days = as_timestamps(strikes["end_date"])
    span = {"by": "headline", "freq": "M", "start": days.min(), "end": days.max()}
    every = series(strikes, **span)
    national = series(in_scope(strikes, NATIONAL_SCOPE), **span)
    out = pd.DataFrame(
        {
            "month": every["period"],
            "group": every["headline"],
            "national": national["launched"].to_numpy(),
            "all": every["launched"],
        }
    )
    out["difference"] = out["all"] - out["national"]
    out["share"] = (out["difference"] / out["national"].where(out["national"] > 0)).astype(
        "float64"
    )
    out["material"] = (out["difference"] >= MATERIAL_LAUNCHES) & (
        out["share"].isna() | (out["share"] >= MATERIAL_SHARE)
    )
    return out.sort_values(["group", "month"], kind="stable").reset_index(drop=True)
