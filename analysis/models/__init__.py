"""Escalation models. Each returns a :class:`ModelResult`: tables plus a short summary."""

from analysis.modelresult import ModelResult

__all__ = ["ModelResult"]
