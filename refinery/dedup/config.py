"""The dedup job's configuration (``--config dedup.yaml``), validated before any Spark work."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from refinery.config import check
from refinery.dedup.lsh import BandParams, optimal_bands
from refinery.dedup.minhash import HashFamily, ShingleSpec
from refinery.scoring.categories import CATEGORIES

DEFAULT_GROUP = "__default__"


_SHINGLE_KEYS = ("mode", "word_ngram", "char_ngram", "cjk_ratio")


def _check_shingle_settings(settings) -> None:
    if settings.word_ngram is not None:
        check(settings.word_ngram >= 1, "word_ngram", "must be >= 1")
    if settings.char_ngram is not None:
        check(settings.char_ngram >= 1, "char_ngram", "must be >= 1")
    if settings.cjk_ratio is not None:
        check(0.0 <= settings.cjk_ratio <= 1.0, "cjk_ratio", "must be in [0, 1]")


@dataclass
class CategoryShingles:
    """A category's own shingle settings; a key left out (null) takes the global value."""

    mode: Literal["char", "word"] | None = None
    word_ngram: int | None = None
    char_ngram: int | None = None
    cjk_ratio: float | None = None

    def __post_init__(self):
        _check_shingle_settings(self)


@dataclass
class ShingleConfig:
    # "char": character 7-grams of the text without whitespace, for every kind of text.
    # Measured on real near-duplicate pairs (BENCHMARKS.md, "shingling"): word 5-grams
    # (FineWeb/datatrove's choice) miss lightly edited code — a changed character changes
    # five shingles of ~6 characters each — and a page mixing Chinese and English flips
    # between word and character tokens when a cut moves its CJK share across cjk_ratio.
    # "word": word_ngram-grams of words; CJK documents by character (char_ngram).
    mode: Literal["char", "word"] = "char"
    word_ngram: int = 5
    char_ngram: int = 7
    # A document counts as CJK (word mode: shingles by character) when CJK characters are
    # at least this share of its letters and digits.
    cjk_ratio: float = 0.3
    # Per category (the scoring stage's), settings that replace the ones above:
    # ``category: {markdown_docs: {mode: word}}``. Signatures of two shinglings are not
    # comparable, so every category listed here is its own LSH group (deduplicated only
    # against itself), with its category_thresholds entry or the default threshold.
    category: dict[str, CategoryShingles] = field(default_factory=dict)

    def __post_init__(self):
        _check_shingle_settings(self)
        for cat in self.category:
            # a misspelt or unknown category would silently get the global settings
            check(cat in CATEGORIES, f"category.{cat}",
                  f"unknown category (the scoring stage's are: {', '.join(CATEGORIES)})")

    def spec(self, category: str | None = None) -> ShingleSpec:
        """The global spec, or ``category``'s (its own settings over the global ones)."""
        own = self.category.get(category) if category is not None else None
        values = {k: getattr(self, k) for k in _SHINGLE_KEYS}
        if own is not None:
            values.update({k: getattr(own, k) for k in _SHINGLE_KEYS if getattr(own, k) is not None})
        return ShingleSpec(values["word_ngram"], values["char_ngram"], values["cjk_ratio"], values["mode"])


@dataclass
class MinHashConfig:
    num_perm: int = 128
    seed: int = 1

    def __post_init__(self):
        check(2 <= self.num_perm <= 1024, "num_perm", "must be in [2, 1024]")
        check(self.seed >= 0, "seed", "must be >= 0")

    def family(self) -> HashFamily:
        return HashFamily(self.num_perm, self.seed)


@dataclass
class LSHConfig:
    # Practitioners pick the threshold by how much data they can afford to lose ("need
    # 10T tokens: dedup at 80% similarity; 5T: at 90%") and per category ("news at ~70%,
    # knowledge at ~85%"): see shared/seeds/000 (数据去重, 数据配比).
    threshold: float = 0.8
    category_thresholds: dict[str, float] = field(default_factory=dict)
    # Weights of the false-positive / false-negative areas when choosing bands x rows
    # (datasketch's defaults are 0.5/0.5). Candidates are verified below, so a false
    # positive costs one check while a miss is a duplicate kept: we weight misses 9:1
    # (0.8 -> 14 bands x 9 rows; see BENCHMARKS.md for the effect on F1).
    false_positive_weight: float = 0.1
    false_negative_weight: float = 0.9
    # Check each candidate pair before it becomes an edge: "signature" (estimated Jaccard
    # from the MinHash signatures), "exact" (Jaccard of the shingle sets, recomputed from
    # both texts) or "none" (every LSH collision is an edge).
    verify: Literal["none", "signature", "exact"] = "exact"

    def __post_init__(self):
        check(0.0 < self.threshold <= 1.0, "threshold", "must be in (0, 1]")
        for cat, t in self.category_thresholds.items():
            # a misspelt or unknown category would silently get the default threshold
            check(cat in CATEGORIES, f"category_thresholds.{cat}",
                  f"unknown category (the scoring stage's are: {', '.join(CATEGORIES)})")
            check(0.0 < t <= 1.0, f"category_thresholds.{cat}", "must be in (0, 1]")
        for key in ("false_positive_weight", "false_negative_weight"):
            check(0.0 <= getattr(self, key) <= 1.0, key, "must be in [0, 1]")
        check(self.false_positive_weight + self.false_negative_weight > 0, "false_positive_weight",
              "the two weights must not both be 0")

    def groups(self, num_perm: int, own_groups=()) -> dict[str, BandParams]:
        """LSH group -> bands x rows. A group is a category with its own threshold or one of
        ``own_groups`` (categories that must be deduplicated apart: their own shingles), or
        the default (all other documents)."""
        thresholds = {cat: self.threshold for cat in own_groups}
        thresholds.update(self.category_thresholds, **{DEFAULT_GROUP: self.threshold})
        return {g: optimal_bands(t, num_perm, self.false_positive_weight, self.false_negative_weight)
                for g, t in sorted(thresholds.items())}


@dataclass
class ContaminationConfig:
    # Evaluation sets to decontaminate against: JSONL(.gz) with ``text_field``, Parquet,
    # or .txt (one item per line). Read on the driver: they are small.
    eval_sets: list[str] = field(default_factory=list)
    text_field: str = "text"
    # 13-grams: GPT-3's contamination analysis (Brown et al. 2020, appendix C).
    ngram: int = 13
    cjk_ngram: int = 13
    # A document is contaminated when it shares at least this many distinct n-grams.
    min_matches: int = 1

    def __post_init__(self):
        for i, path in enumerate(self.eval_sets):
            check(os.path.isfile(path), f"eval_sets[{i}]", f"no such file: {path}")
        check(self.ngram >= 1, "ngram", "must be >= 1")
        check(self.cjk_ngram >= 1, "cjk_ngram", "must be >= 1")
        check(self.min_matches >= 1, "min_matches", "must be >= 1")


@dataclass
class ComponentsConfig:
    # Reliable checkpoint directory (HDFS on a cluster); null: localCheckpoint on the
    # executors, which truncates lineage just as well but does not survive losing one.
    checkpoint_dir: str | None = None
    max_iterations: int = 60
    # Up to this many verified edges, components are found in the driver (union-find over
    # the collected edges: ~100 bytes each); above, in distributed large-star/small-star rounds.
    local_max_edges: int = 1_000_000

    def __post_init__(self):
        check(self.max_iterations >= 1, "max_iterations", "must be >= 1")
        check(self.local_max_edges >= 0, "local_max_edges", "must be >= 0 (0: always distributed)")


@dataclass
class DedupConfig:
    exact: bool = True  # exact dedup on the normalised-text hash before MinHash
    shingles: ShingleConfig = field(default_factory=ShingleConfig)
    minhash: MinHashConfig = field(default_factory=MinHashConfig)
    lsh: LSHConfig = field(default_factory=LSHConfig)
    components: ComponentsConfig = field(default_factory=ComponentsConfig)
    contamination: ContaminationConfig = field(default_factory=ContaminationConfig)
    # Incremental dedup: signatures/ of earlier dedup outputs (the corpus already kept).
    # New documents that duplicate them are marked duplicates of the old documents.
    reference_signatures: list[str] = field(default_factory=list)
    # Columns the scoring stage adds; used when present.
    category_column: str = "category"
    quality_column: str = "quality_score"
    # Write signatures/ of the kept documents (what a later incremental run reads).
    write_signatures: bool = True
    rejected_buckets: int = 4
    spark: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        check(self.rejected_buckets > 0, "rejected_buckets", "must be positive")

    def lsh_groups(self) -> dict[str, BandParams]:
        """The job's LSH groups: categories with their own threshold or shingles, and the default."""
        return self.lsh.groups(self.minhash.num_perm, own_groups=self.shingles.category)

    def group_specs(self) -> dict[str, ShingleSpec]:
        """LSH group -> how its documents are shingled (the default group: the global settings)."""
        return {g: self.shingles.spec(None if g == DEFAULT_GROUP else g) for g in self.lsh_groups()}
