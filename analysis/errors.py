"""Exceptions with messages meant for the person running the command."""

from __future__ import annotations


class AnalysisError(Exception):
    """Base class: the CLI prints the message and exits non-zero, without a traceback."""


class FetchError(AnalysisError):
    """A raw file could not be found, or its bytes differ from the registry."""


class DataValidationError(AnalysisError):
    """A raw table breaks its declared schema; the message names file, column and rows."""
