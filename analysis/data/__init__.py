"""Data stage: fetch, check, clean and shape the raw releases into tables and series."""
