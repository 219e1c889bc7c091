"""Heuristic document rules (English and Chinese) and line-level edits for the clean stage.

One module per rule family (``gopher_quality``, ``gopher_repetition``, ``c4``, ``fineweb``,
``chinese``, ``general``), each a set of named rules measured over a whole Arrow batch;
``lines`` drops boilerplate lines; ``structure`` gives prose rules a document's prose (code lines
and markup left out); ``text_language`` picks the profile of a page whose label disagrees with its
text; ``evaluate`` judges a batch with its language profile and category overrides; ``pipeline``
is the clean stage's operator. Nothing here knows Spark.
"""
from refinery.filters.evaluate import FAMILIES, RULES_BY_NAME, evaluate
from refinery.filters.lines import LineEditConfig, remove_boilerplate_lines

__all__ = ["FAMILIES", "RULES_BY_NAME", "evaluate", "LineEditConfig", "remove_boilerplate_lines"]
