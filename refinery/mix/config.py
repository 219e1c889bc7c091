"""The mix job's configuration (``--config mix.yaml``), validated before any Spark work.

```yaml
total_tokens: 100_000_000          # token budget of the mixture
channels:                          # first matching channel wins; a document matching none is not used
  - {name: code, ratio: 2, category: [code]}
  - {name: zh,   ratio: 4, lang: [zh]}
  - {name: en,   ratio: 4, lang: [en]}
tokens: {method: exact, tokenizer: tok/}   # or estimate (chars / measured chars-per-token), or chars
max_repeats: 4
usage: {table: runs/usage, decay: 0.5}
order: {method: random, seed: 0}           # or quality, similarity
anneal: {tokens: 0, top_fraction: 0.1}
heldout: {docs_per_channel: 1000, max_fraction: 0.01, seed: 0}   # written to heldout/, never trained on
```
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from refinery.config import ConfigError, check


@dataclass
class ChannelSpec:
    """A channel: documents whose every given field matches one of the listed values."""

    name: str
    ratio: float
    lang: list[str] | None = None
    category: list[str] | None = None
    source: list[str] | None = None
    # dotted path inside the ``metadata`` JSON → accepted values, e.g. {"meta.lang": ["code"]}
    metadata: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self):
        check(bool(self.name) and "/" not in self.name and "\n" not in self.name, "name", f"bad channel name {self.name!r}")
        check(self.ratio > 0, "ratio", f"must be positive (channel {self.name})")


@dataclass
class TokenCount:
    # exact: tokenize every candidate (one extra tokenizer pass, exact budgets);
    # estimate: characters / chars-per-token measured per channel on ``sample_docs`` documents;
    # chars: count characters (no tokenizer; ratios are then ratios of characters)
    method: Literal["exact", "estimate", "chars"] = "exact"
    tokenizer: str | None = None
    sample_docs: int = 2000

    def __post_init__(self):
        check(self.method == "chars" or self.tokenizer is not None, "tokenizer",
              f"needed for method {self.method!r} (or use method: chars)")
        check(self.tokenizer is None or os.path.isfile(os.path.join(self.tokenizer, "tokenizer.json")), "tokenizer",
              f"no tokenizer.json in {self.tokenizer}")
        check(self.sample_docs > 0, "sample_docs", "must be positive")


@dataclass
class Usage:
    """How often each document was used by earlier mixes (Parquet: doc_id, uses)."""

    table: str | None = None
    # a document used u times is picked with weight decay**u (practitioner note 000: documents
    # used often should be less likely to be picked again)
    decay: float = 0.5
    update: bool = True

    def __post_init__(self):
        check(0 < self.decay <= 1, "decay", "must be in (0, 1]")


@dataclass
class Order:
    # random: seeded shuffle; quality: curriculum by quality_score, low to high (best data last,
    # before annealing); similarity: MinHash-grouped so related documents share a sequence
    # (in the spirit of In-Context Pretraining, Shi et al. 2023, arXiv:2310.10638)
    method: Literal["random", "quality", "similarity"] = "random"
    seed: int = 0
    quality_bins: int = 100  # curriculum granularity: random order inside each quality quantile

    def __post_init__(self):
        check(self.quality_bins > 0, "quality_bins", "must be positive")


@dataclass
class Anneal:
    """A separate mixture of the best documents (by quality_score) for the annealing phase."""

    tokens: int = 0  # 0: no annealing output
    top_fraction: float = 0.1  # per channel, the documents above this quality quantile

    def __post_init__(self):
        check(self.tokens >= 0, "tokens", "must be >= 0")
        check(0 < self.top_fraction <= 1, "top_fraction", "must be in (0, 1]")


@dataclass
class Heldout:
    """Documents set aside per channel for held-out loss (``heldout/``), never trained on.

    The seed notes' first tool is the loss on test sets per domain, watched every day; it tracks
    the training curve only when no held-out text is in the training data. Each channel gives its
    ``docs_per_channel`` documents with the lowest ``keys.uniform(doc_id, seed, "heldout")``, at
    most ``max_fraction`` of its documents. The draw depends on the document and ``seed`` only, so
    every mix with the same seed (another ratio, sampling seed or usage table) keeps the same
    held-out documents out of training: keep the seed for all mixes of one model.
    """

    docs_per_channel: int = 1000         # 0: no held-out split
    max_fraction: float = 0.01           # of a channel's documents
    seed: int = 0

    def __post_init__(self):
        check(self.docs_per_channel >= 0, "docs_per_channel", "must be >= 0")
        check(0 < self.max_fraction < 1, "max_fraction", "must be in (0, 1)")


@dataclass
class MixConfig:
    total_tokens: int = 0
    channels: list[ChannelSpec] = field(default_factory=list)
    tokens: TokenCount = field(default_factory=lambda: TokenCount(method="chars"))
    # at most this many copies of one document (Muennighoff et al. 2023, "Scaling Data-Constrained
    # Language Models": up to ~4 epochs are almost as good as unique data)
    max_repeats: int = 4
    usage: Usage = field(default_factory=Usage)
    order: Order = field(default_factory=Order)
    anneal: Anneal = field(default_factory=Anneal)
    heldout: Heldout = field(default_factory=Heldout)
    seed: int = 0
    spark: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        check(self.total_tokens > 0, "total_tokens", "must be positive")
        check(len(self.channels) > 0, "channels", "at least one channel is needed")
        names = [c.name for c in self.channels]
        check(len(set(names)) == len(names), "channels", f"duplicate channel names in {names}")
        check(self.max_repeats >= 1, "max_repeats", "must be >= 1")

    @property
    def ratios(self) -> dict[str, float]:
        total = sum(c.ratio for c in self.channels)
        return {c.name: c.ratio / total for c in self.channels}


__all__ = ["MixConfig", "ChannelSpec", "TokenCount", "Usage", "Order", "Anneal", "Heldout", "ConfigError"]
