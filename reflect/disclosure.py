"""Disclosure control for counts of people (docs/architecture.md).

Every count of people shown to a lead or a commissioner for a unit smaller than the whole
pool (an organisation, a community, a group, a month) goes through :func:`disclosed`, in pages
and exports alike: 0 stays 0, 1 to 7 is shown as "*" (fewer than 8), anything larger is
rounded to the nearest 5. This is the rule NHS Digital uses for published health
statistics. Hours and money are not counts of people and are never suppressed.
"""

from __future__ import annotations

from typing import Final

SUPPRESSED: Final = "*"
SMALLEST_SHOWN: Final = 8
ROUND_TO: Final = 5


def disclosed(count: int) -> int | str:
    """The figure that may be shown for ``count`` people: 0, "*", or a multiple of 5."""
    if count < 0:
        raise ValueError("A count of people cannot be negative.")
    if count == 0:
        return 0
    if count < SMALLEST_SHOWN:
        return SUPPRESSED
    # Round half up (12.5 → 15), as integers so there is no float rounding to the even.
    return ((count + ROUND_TO // 2) // ROUND_TO) * ROUND_TO
