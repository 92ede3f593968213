"""Plain-words findings built from model results: the report's sentences, with their numbers.

Each function takes results computed in the run and returns the sentence (and records it on a
:class:`analysis.results.Publisher`), so no number in the prose is typed by hand.
"""
