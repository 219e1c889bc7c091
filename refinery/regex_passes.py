"""Regex rewrite passes over an Arrow string column, run only on the rows they can change.

A ``pc.replace_substring_regex`` pass scans every row even where it changes nothing, and most
rewrite rules (control characters in extracted pages, POD or markdown markup in a line) touch
few rows. One scan with the alternation of every pattern of a group finds the rows any of them
can match; only those go through the group's passes, in order. A row no pattern matches is left
unchanged by every pass (a pass changes only rows its pattern matches, and nothing before it
changed the row), and a row that matches goes through every pass, so the result is the one of
running each pass on every row.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class RewritePasses:
    """``rules``: (RE2 pattern, replacement) applied in order."""

    rules: tuple[tuple[str, str], ...]
    any_pattern: str = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "any_pattern", "|".join(f"(?:{pattern})" for pattern, _ in self.rules))

    def every_row(self, texts: pa.Array) -> pa.Array:
        """Each pass over every row: the plain definition (what ``apply`` must equal)."""
        for pattern, replacement in self.rules:
            texts = pc.replace_substring_regex(texts, pattern=pattern, replacement=replacement)
        return texts

    def apply(self, texts: pa.Array) -> pa.Array:
        needed = pc.fill_null(pc.match_substring_regex(texts, pattern=self.any_pattern), False)
        count = pc.sum(needed).as_py() or 0
        if count == 0:
            return texts
        if count == len(texts):
            return self.every_row(texts)
        return pc.replace_with_mask(texts, needed, self.every_row(texts.filter(needed)))
