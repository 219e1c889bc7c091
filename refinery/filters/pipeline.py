"""The clean stage's operator: documents in, one outcome row per document out.

Steps (``CleanConfig.steps``, always in this order):

* ``lines``: drop boilerplate lines (``lines.py``); an edit, counted per kind in
  ``line_edits``; a document left blank is rejected as ``lines.empty_after_edit``;
* ``rules``: judge the (edited) document with its language profile (``evaluate.py``); the first
  failing rule is the rejection reason, with the measured value and the threshold;
* ``pii``: replace personal data in the documents that stay (``refinery.pii``), counted per type
  in ``pii_counts``. Rejected rows keep the text the rules measured, for ``inspect``.

In ``annotate`` mode nothing is rejected: every row carries ``rule_values``,
``rule_thresholds``, ``failed_rules`` and ``would_reject`` (the reason it would get).
Edited texts get fresh ``char_count`` and script ratios; ``char_count_in`` keeps the input's.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from refinery.filters.evaluate import evaluate
from refinery.filters.lines import remove_boilerplate_lines
from refinery.ingest.script_ratios import script_ratios
from schemas import DOCUMENT, OUTCOME

STAGE = "clean"
EMPTY_AFTER_EDIT = "lines.empty_after_edit"
COUNT_MAP = pa.map_(pa.string(), pa.int32())
EXTRA_FIELDS = [
    pa.field("category", pa.string()),
    pa.field("char_count_in", pa.int64()),
    pa.field("line_edits", COUNT_MAP),  # kind -> lines removed (non-zero kinds only)
    pa.field("line_chars_removed", pa.int64()),
    pa.field("pii_counts", COUNT_MAP),  # PII type -> items replaced (non-zero types only)
]
ANNOTATE_FIELDS = [
    pa.field("rule_values", pa.map_(pa.string(), pa.float64())),
    pa.field("rule_thresholds", pa.map_(pa.string(), pa.float64())),  # null: rule off for this doc
    pa.field("failed_rules", pa.list_(pa.string())),
    pa.field("would_reject", pa.string()),
]


def outcome_schema(mode: str) -> pa.Schema:
    fields = list(OUTCOME) + EXTRA_FIELDS + (ANNOTATE_FIELDS if mode == "annotate" else [])
    return pa.schema([f.with_nullable(True) for f in fields])


def count_map(counts: dict, n: int) -> pa.Array:
    """Per row a map of the non-zero counts: ``{kind: count}``."""
    names = list(counts)
    if not names:
        return pa.MapArray.from_arrays(pa.array(np.zeros(n + 1, dtype=np.int32)), pa.array([], pa.string()),
                                       pa.array([], pa.int32()))
    mat = np.stack([np.asarray(counts[k], dtype=np.int32) for k in names], axis=1)  # n x kinds
    rows, cols = np.nonzero(mat)
    offsets = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))]).astype(np.int32)
    return pa.MapArray.from_arrays(pa.array(offsets), pa.array(np.asarray(names, dtype=object)[cols], pa.string()),
                                   pa.array(mat[rows, cols], pa.int32()))


def _rule_maps(decisions, n: int):
    """``rule_values``/``rule_thresholds`` maps and the ``failed_rules`` list, row by row."""
    from refinery.filters.evaluate import RULES_BY_NAME

    names = [r for r in RULES_BY_NAME if decisions is not None and r in decisions.values]
    if not names:
        empty = pa.array(np.zeros(n + 1, dtype=np.int32))
        m = pa.MapArray.from_arrays(empty, pa.array([], pa.string()), pa.array([], pa.float64()))
        return m, m, pa.ListArray.from_arrays(empty, pa.array([], pa.string()))
    vals = np.stack([decisions.values[r] for r in names], axis=1)
    thrs = np.stack([decisions.thresholds[r] for r in names], axis=1)
    measured = ~np.isnan(vals)
    rows, cols = np.nonzero(measured)
    offsets = pa.array(np.concatenate([[0], np.cumsum(measured.sum(axis=1))]).astype(np.int32))
    keys = pa.array(np.asarray(names, dtype=object)[cols], pa.string())
    values = pa.MapArray.from_arrays(offsets, keys, pa.array(vals[rows, cols]))
    t = thrs[rows, cols]
    thresholds = pa.MapArray.from_arrays(offsets, keys, pa.array(t, mask=np.isnan(t)))
    failed = np.zeros_like(measured)
    for j, r in enumerate(names):
        failed[:, j] = RULES_BY_NAME[r].fails(vals[:, j], thrs[:, j])
    frows, fcols = np.nonzero(failed)
    f_offsets = pa.array(np.concatenate([[0], np.cumsum(failed.sum(axis=1))]).astype(np.int32))
    failed_list = pa.ListArray.from_arrays(f_offsets, pa.array(np.asarray(names, dtype=object)[fcols], pa.string()))
    return values, thresholds, failed_list


def _refresh_ratios(cols: dict, texts: pa.Array, changed: np.ndarray) -> None:
    """Recompute ``char_count`` and script ratios of the rows whose text changed."""
    if not changed.any():
        return
    idx = pa.array(np.flatnonzero(changed))
    fresh = script_ratios(texts.take(idx))
    for name, arr in fresh.items():
        field = DOCUMENT.field(name)
        base = cols[name].cast(field.type).to_numpy(zero_copy_only=False).copy() if name in cols else None
        if base is None or np.issubdtype(base.dtype, np.object_):
            base = np.zeros(len(texts), dtype=field.type.to_pandas_dtype())
        base = np.nan_to_num(base.astype(field.type.to_pandas_dtype()))
        base[np.flatnonzero(changed)] = arr.to_numpy(zero_copy_only=False)
        cols[name] = pa.array(base, field.type)


def clean_batch(batch: pa.RecordBatch, cfg) -> pa.RecordBatch:
    n = batch.num_rows
    cols = {name: batch.column(name) for name in batch.schema.names}
    texts = pc.fill_null(cols["text"].cast(pa.string()), "")
    reason = np.full(n, None, dtype=object)
    value = np.full(n, np.nan)
    threshold = np.full(n, np.nan)
    detail = np.full(n, None, dtype=object)
    line_counts, line_chars = {}, np.zeros(n, dtype=np.int64)
    char_count_in = cols["char_count"] if "char_count" in cols else script_ratios(texts)["char_count"]

    if "lines" in cfg.steps:
        edits = remove_boilerplate_lines(texts, cfg.lines)
        texts, line_counts, line_chars = edits.texts, edits.removed, edits.chars_removed
        removed = sum(line_counts.values()) if line_counts else np.zeros(n)
        blank = ~pc.fill_null(pc.match_substring_regex(texts, pattern=r"\S"), False).to_numpy(zero_copy_only=False)
        emptied = blank & (np.asarray(removed) > 0)
        reason[emptied] = EMPTY_AFTER_EDIT
        value[emptied] = np.asarray(removed, dtype=np.float64)[emptied]
        threshold[emptied] = 0.0
        _refresh_ratios(cols, texts, line_chars > 0)

    annotate = cfg.mode == "annotate"
    decisions = None
    if "rules" in cfg.steps:
        judged = batch
        if "lines" in cfg.steps:
            judged = pa.RecordBatch.from_arrays([cols[c] if c in cols else batch.column(c) for c in batch.schema.names],
                                                names=batch.schema.names)
        decisions = evaluate(judged, cfg, texts=texts, measure_all=annotate)
        fresh = (reason == None) & (decisions.reason != None)  # noqa: E711
        reason[fresh] = decisions.reason[fresh]
        value[fresh] = decisions.value[fresh]
        threshold[fresh] = decisions.threshold[fresh]
        detail[fresh] = np.asarray([f"profile={p}" + (f" text_lang={t}" if t else "")
                                    for p, t in zip(decisions.profile[fresh], decisions.text_lang[fresh])], dtype=object)

    would_reject = reason.copy()
    if annotate:
        reason[:] = None
        value[:] = np.nan
        threshold[:] = np.nan
        detail[:] = None

    pii_counts = {}
    if "pii" in cfg.steps:
        from refinery.pii import scrub_pii

        stays = reason == None  # noqa: E711
        rows = pa.array(np.flatnonzero(stays))
        result = scrub_pii(texts.take(rows), cfg.pii)
        for kind, per_doc in result.counts.items():
            full = np.zeros(n, dtype=np.int32)
            full[np.flatnonzero(stays)] = per_doc
            pii_counts[kind] = full
        changed = np.sum(list(pii_counts.values()), axis=0) > 0 if pii_counts else np.zeros(n, dtype=bool)
        if changed.any():
            texts = pc.replace_with_mask(texts, pa.array(changed), result.texts.filter(pa.array(changed[stays])))
            _refresh_ratios(cols, texts, changed)

    out = {name: cols[name] for name in DOCUMENT.names if name in cols}
    out["text"] = texts  # rejected rows: the text the rules measured (PII is scrubbed in kept rows only)
    out.update(
        stage=pa.array(np.where(reason == None, None, STAGE), pa.string()),  # noqa: E711
        reason=pa.array(reason, pa.string()),
        value=pa.array(value, mask=np.isnan(value)),
        threshold=pa.array(threshold, mask=np.isnan(threshold)),
        detail=pa.array(detail, pa.string()),
        category=cols["category"].cast(pa.string()) if "category" in cols else pa.nulls(n, pa.string()),
        char_count_in=pc.cast(char_count_in, pa.int64()),
        line_edits=count_map(line_counts, n),
        line_chars_removed=pa.array(line_chars, pa.int64()),
        pii_counts=count_map(pii_counts, n),
    )
    if annotate:
        rv, rt, failed = _rule_maps(decisions, n)
        out.update(rule_values=rv, rule_thresholds=rt, failed_rules=failed,
                   would_reject=pa.array(would_reject, pa.string()))
    schema = outcome_schema(cfg.mode)
    arrays = [out[f.name].cast(f.type) if f.name in out else pa.nulls(n, f.type) for f in schema]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def with_category(batch: pa.RecordBatch, classifier) -> pa.RecordBatch:
    """Fill a missing or null ``category`` from the domain classifier (kept values win)."""
    names = batch.schema.names
    if "category" in names and batch.column("category").null_count == 0:
        return batch
    predicted, _ = classifier.classify(pc.fill_null(batch.column("text").cast(pa.string()), ""))
    if "category" in names:
        merged = pc.coalesce(batch.column("category").cast(pa.string()), predicted)
        return batch.set_column(names.index("category"), "category", merged)
    return batch.append_column("category", predicted)


def make_cleaner(cfg):
    """The per-worker operator for ``refinery.spark.arrow_apply.map_batches``; loads the domain
    model (when configured) once per worker."""
    classifier = None
    if cfg.category_model:
        from refinery.scoring.domain import DomainClassifier

        classifier = DomainClassifier(cfg.category_model)
    if classifier is None:
        return lambda batch: clean_batch(batch, cfg)
    return lambda batch: clean_batch(with_category(batch, classifier), cfg)
