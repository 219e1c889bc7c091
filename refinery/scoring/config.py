"""The score job's configuration (``--config score.yaml``), validated before any Spark work."""
from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass, field
from typing import Literal

from refinery.config import check
from refinery.scoring.categories import CATEGORIES

REPO = pathlib.Path(__file__).resolve().parents[2]


def resolve_model_path(path: str) -> str:
    """Absolute path: as given when it exists (relative to the working directory), else
    relative to the repository (so the default ``models/…`` works from any directory)."""
    if os.path.isabs(path) or os.path.exists(path):
        return os.path.abspath(path)
    return str(REPO / path)


@dataclass
class ModelPaths:
    """Local paths visible to every executor (shared filesystem, or shipped with --archives)."""

    domain: str = "models/domain.ftz"
    fasttext_quality: str = "models/quality.ftz"
    bert_quality: str = "models/quality_bert"
    fasttext_positive_label: str = "hq"


@dataclass
class CascadeConfig:
    """``cascade``: BERT only where fastText is undecided (low < p < high); ``bert``: BERT on
    every document; ``fasttext``: no BERT at all. Cheap decisions first (DESIGN.md)."""

    mode: Literal["cascade", "bert", "fasttext"] = "cascade"
    fasttext_low: float = 0.1
    fasttext_high: float = 0.9

    def __post_init__(self):
        check(0.0 <= self.fasttext_low <= self.fasttext_high <= 1.0, "fasttext_low",
              f"need 0 <= fasttext_low <= fasttext_high <= 1, got {self.fasttext_low}, {self.fasttext_high}")


@dataclass
class BertConfig:
    max_length: int = 256
    batch_size: int = 64
    max_batch_tokens: int = 16384
    torch_threads: int = 1  # per Python worker; match spark.task.cpus
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["auto", "float32", "bfloat16"] = "auto"

    def __post_init__(self):
        check(1 <= self.max_length <= 4096, "max_length", "must be in 1..4096")
        check(self.batch_size > 0, "batch_size", "must be positive")
        check(self.max_batch_tokens >= self.max_length, "max_batch_tokens", "must be >= max_length")
        check(self.torch_threads >= 0, "torch_threads", "must be >= 0 (0: torch's default)")


@dataclass
class ScoreConfig:
    models: ModelPaths = field(default_factory=ModelPaths)
    cascade: CascadeConfig = field(default_factory=CascadeConfig)
    bert: BertConfig = field(default_factory=BertConfig)
    # Keep a document when quality_score >= its category's threshold. Categories not set
    # here take the BERT model's suggestion (refinery_quality.json), then default_threshold.
    thresholds: dict[str, float] = field(default_factory=dict)
    default_threshold: float | None = None  # None: the model's global suggestion
    # The bias check reports what this single threshold would have removed (None: default_threshold).
    global_threshold: float | None = None
    fasttext_max_chars: int = 4000
    rejected_buckets: int = 4
    spark: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        for cat, t in self.thresholds.items():
            check(cat in CATEGORIES, f"thresholds.{cat}", f"unknown category (known: {list(CATEGORIES)})")
            check(0.0 <= t <= 1.0, f"thresholds.{cat}", "must be in [0, 1]")
        for key in ("default_threshold", "global_threshold"):
            v = getattr(self, key)
            check(v is None or 0.0 <= v <= 1.0, key, "must be in [0, 1]")
        check(self.fasttext_max_chars > 0, "fasttext_max_chars", "must be positive")
        check(self.rejected_buckets > 0, "rejected_buckets", "must be positive")
        self.models.domain = resolve_model_path(self.models.domain)
        self.models.fasttext_quality = resolve_model_path(self.models.fasttext_quality)
        self.models.bert_quality = resolve_model_path(self.models.bert_quality)
