"""The score job's configuration (``--config score.yaml``), validated before any Spark work."""
from __future__ import annotations

import os
import pathlib
from urllib.parse import urlparse
from dataclasses import dataclass, field
from typing import Literal

from refinery.config import check
from refinery.filters.structure import CODE_FALLBACK_CATEGORY, CODE_MIN_CODE_LINES, check_code_routing
from refinery.scoring.categories import CATEGORIES

REPO = pathlib.Path(__file__).resolve().parents[2]


def is_uri(path: str) -> bool:
    """``hdfs://…``, ``file://…``, ``s3a://…``: a file the driver ships to the executors (not a
    path each machine looks up itself)."""
    scheme = urlparse(path).scheme
    return len(scheme) > 1  # a one-letter scheme is a Windows drive


def model_candidates(path: str, extra_dirs: tuple[str, ...] = ()) -> list[str]:
    """Where a model path is looked for, in order. Relative paths stay relative to where the
    model is *used*: the working directory (an executor's, where ``--archives
    models.tar.gz#models`` unpacks), then ``extra_dirs`` (Spark's files directory), then this
    checkout (so the default ``models/…`` works from any directory of a local run)."""
    if os.path.isabs(path):
        return [path]
    return [os.path.abspath(path), *(os.path.join(d, path) for d in extra_dirs), str(REPO / path)]


def find_model_path(path: str, extra_dirs: tuple[str, ...] = ()) -> str | None:
    """The first of ``model_candidates`` that exists (file or directory), else None."""
    return next((c for c in model_candidates(path, extra_dirs) if os.path.exists(c)), None)


@dataclass
class ModelPaths:
    """Relative (looked up where used: an executor's working directory, ``--archives
    models.tar.gz#models``), absolute (the same on every machine) or a URI (``hdfs://``,
    ``file://``: shipped by the driver, fetched once per executor); see refinery.spark.model_files."""

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
    max_length: int = 256  # tokens per window
    windows: int = 1  # windows of max_length tokens read from each document's head; its score is their mean log-odds
    batch_size: int = 64
    max_batch_tokens: int = 16384
    torch_threads: int = 1  # per Python worker; match spark.task.cpus
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["auto", "float32", "bfloat16"] = "auto"

    def __post_init__(self):
        check(1 <= self.max_length <= 4096, "max_length", "must be in 1..4096")
        check(self.windows >= 1, "windows", "must be >= 1")
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
    # The domain model's ``code`` counts only with at least this share of code lines
    # (refinery/filters/structure.py); else the page takes ``code_fallback_category`` and its
    # threshold: the model calls catalog tables and function lists of manuals code, and the code
    # cut (0.163) dropped 108 of the 193 PostgreSQL pages it sent there. 0: trust the model; the
    # clean job's two keys of the same names, same defaults.
    code_min_code_lines: float = CODE_MIN_CODE_LINES
    code_fallback_category: str | None = CODE_FALLBACK_CATEGORY
    rejected_buckets: int = 4
    # Who writes kept/: "workers" (the Python workers, with pyarrow; refinery.spark.worker_parquet)
    # or "spark", as in ingest and clean.
    kept_writer: Literal["workers", "spark"] = "workers"
    spark: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        for cat, t in self.thresholds.items():
            check(cat in CATEGORIES, f"thresholds.{cat}", f"unknown category (known: {list(CATEGORIES)})")
            check(0.0 <= t <= 1.0, f"thresholds.{cat}", "must be in [0, 1]")
        for key in ("default_threshold", "global_threshold"):
            v = getattr(self, key)
            check(v is None or 0.0 <= v <= 1.0, key, "must be in [0, 1]")
        check(self.fasttext_max_chars > 0, "fasttext_max_chars", "must be positive")
        check_code_routing(self.code_min_code_lines, self.code_fallback_category)
        check(self.rejected_buckets > 0, "rejected_buckets", "must be positive")
        # model paths are not resolved here: on a cluster the driver's resolution is not the executors'

    def model_paths(self) -> dict[tuple, str]:
        """Config key -> path of every model this config loads (refinery.spark.model_files ships them)."""
        out = {("models", "domain"): self.models.domain, ("models", "fasttext_quality"): self.models.fasttext_quality}
        bert = self.models.bert_quality
        # fasttext mode reads only the thresholds file beside the BERT weights, when there is one
        if self.cascade.mode != "fasttext" or is_uri(bert) or find_model_path(bert) is not None:
            out[("models", "bert_quality")] = bert
        return out
