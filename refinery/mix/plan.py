"""How much of each channel to take: pure arithmetic over measured token counts.

A channel's rate is target tokens / available tokens. A rate of 2.3 means every document twice
plus 30% of the tokens once more; the rate is capped at ``max_repeats``. When a channel cannot
reach its share even at the cap, the whole budget shrinks so the ratios still hold (the
ratio is the promise, the budget an upper bound), and the report says so.
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class ChannelPlan:
    channel: str
    ratio: float
    available_tokens: int
    available_docs: int
    target_tokens: int
    full_passes: int  # every document this many times
    remainder_tokens: int  # then this many more tokens, chosen by weighted sampling

    @property
    def rate(self) -> float:
        return self.target_tokens / self.available_tokens if self.available_tokens else 0.0


def plan_channels(ratios: dict[str, float], available: dict[str, tuple[int, int]], total_tokens: int,
                  max_repeats: int) -> tuple[list[ChannelPlan], int, list[str]]:
    """(plans, effective budget, warnings) for ``available`` = channel → (tokens, docs)."""
    warnings = []
    budget = total_tokens
    for name, share in ratios.items():
        tokens = available.get(name, (0, 0))[0]
        if tokens == 0:
            raise ValueError(f"channel {name!r} matched no documents: its ratio cannot be met")
        most = tokens * max_repeats / share
        if most < budget:
            warnings.append(f"channel {name!r} holds {tokens} tokens: at most {max_repeats} repeats give "
                            f"{tokens * max_repeats}, so the budget shrinks from {budget} to {math.floor(most)}")
            budget = math.floor(most)
    plans = []
    for name, share in ratios.items():
        tokens, docs = available[name]
        target = int(round(budget * share))
        full = min(target // tokens, max_repeats)
        remainder = target - full * tokens if full < max_repeats else 0
        plans.append(ChannelPlan(name, share, tokens, docs, target, full, remainder))
    return plans, budget, warnings
