"""One colour per concept on every page of the report, colour-blind safe.

The colours are from Okabe and Ito's palette, which stays distinguishable with the common
colour-vision deficiencies; no two concepts that appear together form a red/green pair. A
chart takes its colours from here and nowhere else, so that "blue" means drones on every page.
"""

from __future__ import annotations

DRONES = "#0072B2"  # blue
MISSILES = "#D55E00"  # vermillion
IRAN = "#E69F00"  # orange: Iran-linked (Iranian-design drones, Iran events)
NORTH_KOREA = "#CC79A7"  # reddish purple: North-Korea-linked (KN-23, DPRK events)
DEFEATED = "#009E73"  # bluish green: shot down or otherwise stopped
GOT_THROUGH = "#333333"  # near black: launched and not reported stopped
NEUTRAL = "#9E9E9E"  # grey: context, other reporters, the rest

#: Concept name -> colour, for code that looks a concept up by name.
CONCEPT_COLOURS: dict[str, str] = {
    "drones": DRONES,
    "missiles": MISSILES,
    "iran": IRAN,
    "north_korea": NORTH_KOREA,
    "defeated": DEFEATED,
    "got_through": GOT_THROUGH,
    "neutral": NEUTRAL,
}
