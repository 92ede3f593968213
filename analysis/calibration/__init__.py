"""Calibration: how often each headline interval holds a planted truth on simulated data.

A stage above the models (it imports the ground floor, ``data`` and ``models``, and nothing
below it imports it back): :mod:`.simulate` plants the truths, :mod:`.estimators` calls each
model's public interval function on them, :mod:`.run` counts the coverage and writes
``reports/calibration/``.
"""
