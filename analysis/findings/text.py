"""Text pieces shared by the findings and the figures' captions: dates as a reader writes
them, plain ranges, Markdown lists.

Reader-facing sentences use these instead of ISO dates and "95% CI": the statistical wording
belongs in a page's "Method and diagnostics" fold (cells tagged ``method``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from analysis.data.dates import day_label, month_label

__all__ = ["bullets", "day_label", "month_label", "plausibly", "week_label"]


def bullets(lines: Iterable[str]) -> str:
    """A Markdown bullet list, one ``- `` line per item (a model's assumptions or caveats)."""
    return "\n".join(f"- {line}" for line in lines)


def week_label(value) -> str:
    """A week (given by its first day) as a reader writes it: ``the week of 7 Sep 2025``."""
    return f"the week of {day_label(value)}"


def plausibly(low: float, high: float, fmt: str = "{:,.0f}") -> str:
    """A 95% interval in plain words: ``plausibly 24 to 55`` (``fmt`` formats each end)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "range not estimated"
    return f"plausibly {fmt.format(low)} to {fmt.format(high)}"
