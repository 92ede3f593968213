"""Publish stage: execute the notebooks, render them and publish reports and batches."""
