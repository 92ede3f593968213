"""Text pieces shared by the findings and the figures' captions: Markdown lists."""

from __future__ import annotations

from collections.abc import Iterable


def bullets(lines: Iterable[str]) -> str:
    """A Markdown bullet list, one ``- `` line per item (a model's assumptions or caveats)."""
    return "\n".join(f"- {line}" for line in lines)
