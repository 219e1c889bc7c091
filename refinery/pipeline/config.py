"""`pipeline.yaml`: which stages run, each with its own stage config, in one run directory.

Every stage's config is the same YAML its spark-submit job takes (``config:`` a path) plus
inline overrides (``set:`` a mapping of dotted keys), so moving a stage from the pipeline to a
cluster job is copying one file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from refinery.config import check


@dataclass
class StageSpec:
    enabled: bool = True
    config: str | None = None  # the stage's own YAML (e.g. conf/clean.yaml)
    set: dict[str, Any] = field(default_factory=dict)  # dotted key -> value, applied over `config`


@dataclass
class TokenizerSpec:
    """Train the tokenizer on the dedup output, or use ``path`` (an existing HF tokenizer dir)."""

    enabled: bool = True
    path: str | None = None
    vocab_size: int = 8192
    sample_chars: int = 20_000_000
    args: list[str] = field(default_factory=list)  # extra train_tokenizer flags

    def __post_init__(self):
        check(self.vocab_size % 128 == 0, "vocab_size", "must be a multiple of 128")


@dataclass
class ShardsSpec:
    enabled: bool = True
    chunk_tokens: int = 1_000_000_000

    def __post_init__(self):
        check(self.chunk_tokens > 0, "chunk_tokens", "must be positive")


@dataclass
class TrainSpec:
    """A short training run on the shards through the deepspeed launcher, then export and eval."""

    enabled: bool = False
    config: str = "trainer/configs/tiny.yaml"
    ranks: int = 1
    cpu: bool = True  # DS_ACCELERATOR=cpu (the demo); False on GPU nodes
    set: list[str] = field(default_factory=list)  # trainer overrides, dotted.key=value
    probes: str | None = None  # probe YAML for trainer.evaluate
    benchmarks: list[str] = field(default_factory=list)  # generative benchmark JSONL files (trainer.benchmarks)
    shots: int = 3
    transforms: str | None = None  # paper variants besides the original, e.g. "shuffle,cn_numerals"
    history: bool = True  # evaluate every kept checkpoint into train/eval_history.jsonl (the report's trends)
    timeout_s: int = 1800

    def __post_init__(self):
        check(self.ranks >= 1, "ranks", "must be >= 1")


@dataclass
class PipelineConfig:
    run_dir: str = "runs/pipeline"
    input: list[str] = field(default_factory=list)
    master: str | None = None  # None: spark-submit's, else local[*]
    spark: dict[str, str] = field(default_factory=dict)
    ingest: StageSpec = field(default_factory=StageSpec)
    clean: StageSpec = field(default_factory=StageSpec)
    score: StageSpec = field(default_factory=StageSpec)
    dedup: StageSpec = field(default_factory=StageSpec)
    tokenizer: TokenizerSpec = field(default_factory=TokenizerSpec)
    mix: StageSpec = field(default_factory=StageSpec)
    shards: ShardsSpec = field(default_factory=ShardsSpec)
    tokenize: dict[str, Any] | None = None  # the old name of `shards:`; refused with a pointer to the new one
    train: TrainSpec = field(default_factory=TrainSpec)
    report: bool = True

    def __post_init__(self):
        check(self.tokenize is None, "tokenize", "this section is now called `shards:` (same keys: enabled, chunk_tokens)")
        check(bool(self.input) or not self.ingest.enabled, "input", "the ingest stage needs at least one input")
