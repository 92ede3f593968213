"""Figures stage: charts and display tables from series and findings (never fits a model)."""
