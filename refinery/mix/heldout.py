"""How many documents each channel sets aside as held-out, and which: pure arithmetic.

A channel of ``n`` documents gives ``min(docs_per_channel, floor(max_fraction × n))`` documents:
those with the lowest held-out draw (``keys.uniform(doc_id, seed, "heldout")``, ties by doc_id).
The draws are uniform, so the ``k`` lowest lie below about ``k / n``; the job first keeps only the
candidates under ``candidate_bound`` (a few times that) and ranks those, instead of ranking a whole
channel in one task, and widens the bound to 1 for a channel that came up short.
"""
from __future__ import annotations

import math

from refinery.mix.config import Heldout


def heldout_sizes(docs: dict[str, int], cfg: Heldout) -> tuple[dict[str, int], list[str]]:
    """(channel → held-out documents, warnings) for ``docs`` = channel → documents."""
    sizes, warnings = {}, []
    for channel, n in docs.items():
        k = min(cfg.docs_per_channel, math.floor(cfg.max_fraction * n))
        if cfg.docs_per_channel and k == 0:
            warnings.append(f"channel {channel!r} has {n} documents: max_fraction {cfg.max_fraction} "
                            f"leaves it no held-out document")
        sizes[channel] = k
    return sizes, warnings


def candidate_bound(k: int, n: int) -> float:
    """A draw bound under which a channel of ``n`` documents almost surely holds ``k`` draws: the
    count under it is Binomial(n, b) with mean 4k + 64, so falling short of k is a > 8σ event."""
    return 1.0 if n == 0 else min(1.0, (4 * k + 64) / n)
