"""Escalation models. Each returns a :class:`ModelResult`: tables plus a short summary."""

from .result import ModelResult

__all__ = ["ModelResult"]
