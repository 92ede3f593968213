"""Strike-escalation analysis: Russia's missile and drone strikes on Ukraine, as data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("strike-escalation-analysis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"
