"""The score operator: domain category, fastText quality, BERT quality (cascade), and the
keep/reject decision against the category's threshold, over one Arrow batch.

Practitioner rule (seeds/000): a quality scorer gives code, markdown and LaTeX low scores,
so the threshold is chosen per category; the scorer is one signal among others.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from refinery.filters.structure import code_without_code_lines
from refinery.scoring.bert_scorer import BertQualityScorer, BertRuntime, check_model_dir, read_metadata
from refinery.scoring.categories import CATEGORIES
from refinery.scoring.config import ScoreConfig
from refinery.scoring.domain import DomainClassifier
from refinery.scoring.fasttext_model import load_fasttext, predict_binary, prepare_text
from schemas import DOCUMENT, SCORED_OUTCOME

STAGE = "score"
REASON = "score.quality_below_threshold"


@dataclass(frozen=True)
class Thresholds:
    per_category: dict  # category -> threshold (every category present)
    global_threshold: float  # the single cut the bias check compares against

    def for_categories(self, category: pa.Array) -> np.ndarray:
        table = np.array([self.per_category[c] for c in CATEGORIES], dtype=np.float64)
        idx = pc.fill_null(pc.index_in(category, value_set=pa.array(CATEGORIES)), CATEGORIES.index("other"))
        return table[idx.to_numpy(zero_copy_only=False)]


def resolve_thresholds(cfg: ScoreConfig) -> Thresholds:
    """Config thresholds win; then the BERT model's per-category suggestions; then the default.

    In ``fasttext`` mode the fastText model's suggestions (same metadata file) are used.
    """
    meta = read_metadata(cfg.models.bert_quality)
    source = meta.get("fasttext", {}) if cfg.cascade.mode == "fasttext" else meta
    default = cfg.default_threshold if cfg.default_threshold is not None else float(source.get("global_threshold", 0.5))
    suggested = source.get("thresholds", {})
    per = {c: float(cfg.thresholds.get(c, suggested.get(c, default))) for c in CATEGORIES}
    return Thresholds(per, cfg.global_threshold if cfg.global_threshold is not None else default)


def check_models(cfg: ScoreConfig, keys=None) -> None:
    """Load every model the config names (those under config ``keys`` when given; paths local
    to this machine) once on the driver: a missing or corrupt one fails here, before any
    Spark work, with ModelLoadError naming it."""
    wanted = set(cfg.model_paths()) if keys is None else set(keys)
    if ("models", "domain") in wanted:
        DomainClassifier(cfg.models.domain)
    if ("models", "fasttext_quality") in wanted:
        ft = load_fasttext(cfg.models.fasttext_quality)
        labels = {lab.replace("__label__", "") for lab in ft.get_labels()}
        if cfg.models.fasttext_positive_label not in labels:
            from refinery.scoring.fasttext_model import ModelLoadError

            raise ModelLoadError(f"fastText quality model {cfg.models.fasttext_quality!r} has no label "
                                 f"{cfg.models.fasttext_positive_label!r} (labels: {sorted(labels)})")
    if ("models", "bert_quality") in wanted and cfg.cascade.mode != "fasttext":
        from refinery.scoring.bert_scorer import load_model_and_tokenizer

        check_model_dir(cfg.models.bert_quality)
        load_model_and_tokenizer(cfg.models.bert_quality)


class QualityScorer:
    """All models of the score stage, loaded once; ``score(texts)`` gives the four columns."""

    def __init__(self, cfg: ScoreConfig):
        self.cfg = cfg
        self.domain = DomainClassifier(cfg.models.domain, cfg.fasttext_max_chars)
        self.fasttext = load_fasttext(cfg.models.fasttext_quality)
        # the config's bert section is the runtime's fields, checked (a field added to one and not the other fails here)
        self.bert = None if cfg.cascade.mode == "fasttext" else BertQualityScorer(
            cfg.models.bert_quality, BertRuntime(**asdict(cfg.bert)))

    def score(self, texts: pa.Array | pa.ChunkedArray) -> dict[str, pa.Array]:
        category, category_score = self.domain.classify(texts)
        model_says = category.to_numpy(zero_copy_only=False)
        routed = code_without_code_lines(model_says, texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts,
                                         self.cfg.code_min_code_lines, self.cfg.code_fallback_category)
        if routed is not model_says:  # a copy only when a page was overruled
            category = pa.array(routed, pa.string())
        prepared = prepare_text(texts, self.cfg.fasttext_max_chars)
        ft = predict_binary(self.fasttext, prepared, self.cfg.models.fasttext_positive_label)
        quality = ft.copy()
        c = self.cfg.cascade
        if self.bert is not None:
            todo = np.ones(len(ft), bool) if c.mode == "bert" else (ft > c.fasttext_low) & (ft < c.fasttext_high)
            if todo.any():
                quality[todo] = self.bert.score(pc.filter(texts, pa.array(todo)))
        return {"category": category, "category_score": category_score,
                "fasttext_quality": pa.array(ft, pa.float32()), "quality_score": pa.array(quality, pa.float32())}


class ScoreOperator:
    """DOCUMENT batch -> SCORED_OUTCOME batch (every row once, kept or rejected)."""

    def __init__(self, cfg: ScoreConfig, thresholds: Thresholds):
        self.scorer = QualityScorer(cfg)
        self.thresholds = thresholds

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        n = batch.num_rows
        scores = self.scorer.score(batch.column("text"))
        quality = scores["quality_score"].to_numpy(zero_copy_only=False).astype(np.float64)
        cut = self.thresholds.for_categories(scores["category"])
        rejected = quality < cut
        mask = pa.array(rejected)
        null_str = pa.nulls(n, pa.string())
        columns = {f.name: batch.column(f.name) if f.name in batch.schema.names else pa.nulls(n, f.type) for f in DOCUMENT}
        columns.update(
            stage=pc.if_else(mask, pa.scalar(STAGE), null_str),
            reason=pc.if_else(mask, pa.scalar(REASON), null_str),
            value=pc.if_else(mask, pa.array(quality), pa.nulls(n, pa.float64())),
            threshold=pc.if_else(mask, pa.array(cut), pa.nulls(n, pa.float64())),
            detail=pc.if_else(mask, pc.binary_join_element_wise("category=", scores["category"], ""), null_str),
            raw_prefix=pa.nulls(n, pa.binary()),
            **scores,
        )
        return pa.RecordBatch.from_arrays([columns[f.name].cast(f.type) for f in SCORED_OUTCOME], schema=SCORED_OUTCOME)


def make_score_operator(cfg: ScoreConfig, thresholds: Thresholds) -> ScoreOperator:
    """The operator over ``cfg``'s models (paths local to the caller: the Spark adapter
    resolves them on each executor, refinery.spark.model_files)."""
    return ScoreOperator(cfg, thresholds)
