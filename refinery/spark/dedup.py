"""The dedup stage on Spark: exact hash → MinHash → LSH → verified edges → components.

Plan (every step a DataFrame operation; only counts and small aggregates reach the driver):

1. Rows without ``doc_id`` or ``text`` are rejected (``dedup.invalid_row``).
2. Exact: the SHA-256 of the normalised text (lower-cased, runs of non-letters/digits
   as one space) groups identical documents; the best of each group (highest
   ``quality_score``, then longest, then smallest ``doc_id``) is its *exact
   representative*; the others are ``dedup.exact`` duplicates.
3. Exact representatives get MinHash signatures (``refinery.dedup``; mapInArrow) and,
   when eval sets are configured, their n-gram overlap: contaminated groups are rejected
   (``dedup.contamination``) and leave the dedup graph.
4. LSH: per group (a category with its own threshold or shingles, or the default) the signature is
   cut into bands × rows chosen for that threshold; each band value is an
   ``xxhash64`` of its bytes, computed in the JVM. Documents sharing a band value are
   linked to the bucket's smallest ``doc_id`` (a star: linear in the bucket size, where
   all pairs would be quadratic), then each link is verified (estimated or exact Jaccard
   ≥ the group's threshold).
5. Connected components of the verified links (large-star/small-star,
   ``refinery.spark.connected_components``); each component keeps its best document
   (same order as in 2, documents of a reference corpus first); the rest are
   ``dedup.near`` duplicates. ``duplicate_of`` and ``cluster_id`` name the kept
   document; ``similarity`` is Jaccard to it (1.0 for exact copies, else estimated
   from the signatures).
6. ``kept/``, ``duplicates/``, ``rejected/``, ``signatures/`` and ``_stats.json`` are
   committed atomically.

Incremental runs read earlier outputs' ``signatures/``: those documents take part in
steps 2, 4 and 5 (always winning their cluster) but are not written again.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import time

import pyarrow as pa

from refinery.dedup.components import smallest_node_components
from refinery.dedup.config import DEFAULT_GROUP, DedupConfig
from refinery.dedup.contamination import EvalNgramIndex
from refinery.dedup.operators import SIGNATURE_FIELDS, SIMILARITY_FIELD, make_pair_similarity_operator, make_signature_operator
from refinery.spark.arrow_apply import map_batches
from refinery.spark.inputs import InputError as _InputError, read_documents
from refinery.spark.job import Stage
from refinery.spark.commit import atomic_output
from refinery.spark.connected_components import connected_components
from refinery.spark.paths import HadoopFS, qualify
from refinery.spark.stats import outcome_stats, write_stats
from schemas import DOCUMENT, DUPLICATE, REJECTED

STAGE_NAME = "dedup"
EXACT, NEAR, CONTAMINATION, INVALID = "dedup.exact", "dedup.near", "dedup.contamination", "dedup.invalid_row"
SIGNATURE_PARAMS_FILE = "_params.json"
# What a signatures/ dataset holds: enough to dedup a later batch against these documents.
SIGNATURE_COLUMNS = ["doc_id", "category", "exact_key", "quality", "length", "n_shingles", "signature"]
NORMALISE_PATTERN = r"[^\p{L}\p{N}]+"


class InputError(_InputError):
    """The input cannot be deduplicated as given (a missing column, incompatible signatures)."""


def signature_params(cfg: DedupConfig) -> dict:
    """What must match for signatures of two runs to be comparable."""
    shingles = dataclasses.asdict(cfg.shingles)
    del shingles["category"]  # the default config's params stay what earlier versions saved
    params = {"version": 2, "num_perm": cfg.minhash.num_perm, "seed": cfg.minhash.seed, **shingles,
              "hash_family": "one-permutation-densified-v1", "exact_key": "sha256-v1"}
    if cfg.shingles.category:  # each category's own shingles, resolved over the global settings
        params["category_shingles"] = {c: dataclasses.asdict(cfg.shingles.spec(c)) for c in sorted(cfg.shingles.category)}
    return params


def _F():
    from pyspark.sql import functions as F

    return F


def _rank_order(F):
    """Who is kept: reference corpus first, then highest quality, longest, smallest doc_id."""
    return [F.col("is_reference").desc(), F.col("quality").desc_nulls_last(), F.col("length").desc(), F.col("doc_id").asc()]


def _conform_documents(df, cfg: DedupConfig):
    """Every DOCUMENT column with its contract type (missing ones null); extra columns kept."""
    from refinery.spark.arrow_apply import spark_schema

    F = _F()
    for required in ("doc_id", "text"):
        if required not in df.columns:
            raise InputError(f"input has no {required!r} column (columns: {df.columns})")
    doc_types = {f.name: f.dataType for f in spark_schema(DOCUMENT).fields}
    cols = [(F.col(n).cast(t) if n in df.columns else F.lit(None).cast(t)).alias(n) for n, t in doc_types.items()]
    extra = [c for c in df.columns if c not in doc_types]
    return df.select(*cols, *extra), extra


def _band_keys(F, groups: dict):
    """array<bigint> of band hashes, by the document's LSH group."""
    expr = None
    for group, p in groups.items():
        width = p.rows * 4
        arr = F.array(*[F.xxhash64(F.lit(j), F.substring("signature", j * width + 1, width)) for j in range(p.bands)])
        cond = F.col("group") == group
        expr = F.when(cond, arr) if expr is None else expr.when(cond, arr)
    return expr


def _checkpointer(spark, cfg: DedupConfig):
    if cfg.components.checkpoint_dir:
        spark.sparkContext.setCheckpointDir(cfg.components.checkpoint_dir)
        return lambda df: df.checkpoint(eager=True)
    return lambda df: df.localCheckpoint(eager=True)


def _read_references(spark, paths: list[str], cfg: DedupConfig):
    F = _F()
    want = signature_params(cfg)
    frames = []
    for path in paths:
        uri = qualify(path)
        fs = HadoopFS(spark, uri)
        if not fs.exists(f"{uri}/{SIGNATURE_PARAMS_FILE}") and fs.exists(f"{uri}/signatures/{SIGNATURE_PARAMS_FILE}"):
            uri = f"{uri}/signatures"
        params_file = f"{uri}/{SIGNATURE_PARAMS_FILE}"
        if not fs.exists(params_file):
            raise InputError(f"reference_signatures: {path} holds no signatures/{SIGNATURE_PARAMS_FILE}")
        got = json.loads(fs.read_text(params_file))
        if got != want:
            diff = {k: (got.get(k), want.get(k)) for k in sorted(want.keys() | got.keys()) if got.get(k) != want.get(k)}
            raise InputError(f"reference_signatures: {path} was made with other parameters (saved, now): {diff}")
        frames.append(spark.read.parquet(uri).select(*SIGNATURE_COLUMNS))
    ref = functools.reduce(lambda a, b: a.unionByName(b), frames)
    return ref.withColumn("is_reference", F.lit(True))


def _eval_index(spark, cfg: DedupConfig):
    c = cfg.contamination
    if not c.eval_sets:
        return None, None
    spec = dataclasses.replace(cfg.shingles.spec(), word_ngram=c.ngram, char_ngram=c.cjk_ngram, mode="word")
    index = EvalNgramIndex.from_files(c.eval_sets, spec, c.text_field)
    info = {"sets": index.items, "ngrams": int(len(index.hashes)), "ngram": c.ngram, "cjk_ngram": c.cjk_ngram,
            "min_matches": c.min_matches}
    return spark.sparkContext.broadcast(index), info


# Spark keeps a persisted plan's shuffle partitioning as planned (spark.sql.shuffle.partitions,
# 200 by default) unless this is on: then adaptive execution coalesces those shuffles too, as it
# does everywhere else. Off, a 3,000-document run ran ~2,000 near-empty tasks per action.
ADAPTIVE_CACHED_PLANS = "spark.sql.optimizer.canChangeCachedPlanOutputPartitioning"


def run(spark, inputs: list[str], output: str, cfg: DedupConfig, log=print) -> dict:
    """Deduplicate the documents under ``inputs`` into ``output``; returns the stats."""
    if spark.conf.get(ADAPTIVE_CACHED_PLANS, None) is not None:  # the user's choice
        return _run(spark, inputs, output, cfg, log)
    spark.conf.set(ADAPTIVE_CACHED_PLANS, "true")
    try:
        return _run(spark, inputs, output, cfg, log)
    finally:
        spark.conf.unset(ADAPTIVE_CACHED_PLANS)


def _run(spark, inputs: list[str], output: str, cfg: DedupConfig, log) -> dict:
    from pyspark import StorageLevel
    from pyspark.sql import Window

    F = _F()
    started = time.time()
    docs, extra_columns = _conform_documents(read_documents(spark, inputs), cfg)
    has_category = cfg.category_column in docs.columns
    has_quality = cfg.quality_column in docs.columns
    groups = cfg.lsh_groups()
    specs = cfg.group_specs()  # how each LSH group's documents are shingled
    num_perm = cfg.minhash.num_perm
    references = _read_references(spark, cfg.reference_signatures, cfg) if cfg.reference_signatures else None
    index_bc, contamination_info = _eval_index(spark, cfg)
    checkpoint = _checkpointer(spark, cfg)
    persisted = []
    phase_seconds: dict[str, float] = {}
    last = [started]

    def phase(name: str) -> None:
        """Wall seconds since the previous phase ended (Spark is lazy: a phase's time lands
        where an action first needs it)."""
        now = time.time()
        phase_seconds[name] = round(now - last[0], 3)
        last[0] = now

    def persist(df, per_document: bool = False):
        """Frames with a wide column per document (the text, a signature) go to disk: in memory
        they fill the executor's heap as the input grows (text: 50,000 documents on a 1 GiB
        local[2] driver died building the columnar cache; signatures, 128 x 8 bytes a document:
        1,000,000 died in the signature stage while the cached partitions piled up). Only the
        frames of links and verdicts, which grow with the duplicates, stay in memory."""
        df = df.persist(StorageLevel.DISK_ONLY if per_document else StorageLevel.MEMORY_AND_DISK)
        persisted.append(df)
        return df

    valid = F.col("doc_id").isNotNull() & F.col("text").isNotNull()
    invalid = docs.where(~valid).select(
        *[F.coalesce(F.col("doc_id"), F.lit("")).alias("doc_id") if n == "doc_id" else F.col(n) for n in docs.columns],
        F.lit(INVALID).alias("reason"),
        F.when(F.col("doc_id").isNull(), "null doc_id").otherwise("null text").alias("detail"),
    )

    category = F.col(cfg.category_column).cast("string") if has_category else F.lit(None).cast("string")
    thresholds = {g: p.threshold for g, p in groups.items()}
    group_of = lambda c: F.when(c.isin(*[g for g in groups if g != DEFAULT_GROUP]), c).otherwise(F.lit(DEFAULT_GROUP))  # noqa: E731
    normalised = F.trim(F.regexp_replace(F.lower(F.col("text")), NORMALISE_PATTERN, " "))
    meta = {
        "exact_key": F.sha2(normalised, 256) if cfg.exact else F.col("doc_id"),
        "quality": F.col(cfg.quality_column).cast("double") if has_quality else F.lit(None).cast("double"),
        "length": F.length("text").cast("long"),
        "category": category,
        "is_reference": F.lit(False),
    }
    new = docs.where(valid).withColumns(meta)
    ranked_in = new if references is None else new.unionByName(references.drop("signature", "n_shingles"),
                                                                allowMissingColumns=True)
    ranked_in = ranked_in.withColumn("group", group_of(F.col("category")))
    by_key = Window.partitionBy("exact_key").orderBy(*_rank_order(F))
    ranked = persist(ranked_in.withColumn("exact_rank", F.row_number().over(by_key))
                     .withColumn("exact_rep", F.first("doc_id").over(by_key)), per_document=True)

    # 3. signatures (and eval overlap) of the new exact representatives
    rep_cols = ["doc_id", "text", "category", "group", "quality", "length", "exact_key"]
    reps_in = ranked.where((F.col("exact_rank") == 1) & ~F.col("is_reference")).select(*rep_cols)
    sig_schema = pa.schema([pa.field("doc_id", pa.string()), pa.field("category", pa.string()),
                            pa.field("group", pa.string()), pa.field("quality", pa.float64()),
                            pa.field("length", pa.int64()), pa.field("exact_key", pa.string())] + SIGNATURE_FIELDS)
    make_op = functools.partial(make_signature_operator, specs, cfg.minhash.family(), index_bc)
    min_matches = cfg.contamination.min_matches
    signed = persist(map_batches(reps_in, make_op, sig_schema).withColumn(
        "contaminated", F.col("contamination_matches") >= F.lit(min_matches)), per_document=True)

    node_cols = ["doc_id", "category", "group", "quality", "length", "exact_key", "n_shingles", "signature", "is_reference"]
    nodes = signed.where(~F.col("contaminated")).withColumn("is_reference", F.lit(False)).select(*node_cols)
    if references is not None:
        ref_nodes = (references.withColumn("group", group_of(F.col("category")))
                     .join(ranked.where(F.col("exact_rank") == 1).select("doc_id"), "doc_id", "left_semi"))
        nodes = nodes.unionByName(ref_nodes.select(*node_cols))
    nodes = persist(nodes, per_document=True)

    # 4. LSH buckets → star links to the bucket's smallest doc_id → verified edges
    banded = (nodes.where(F.col("n_shingles") > 0)
              .select("doc_id", "group", F.posexplode(_band_keys(F, groups)).alias("band", "key")))
    bucket = Window.partitionBy("group", "band", "key")
    links = (banded.withColumn("v", F.min("doc_id").over(bucket)).where(F.col("doc_id") != F.col("v"))
             .select(F.col("doc_id").alias("u"), "v", "group").distinct())
    sig_u = nodes.select(F.col("doc_id").alias("u"), F.col("signature").alias("u_signature"))
    sig_v = nodes.select(F.col("doc_id").alias("v"), F.col("signature").alias("v_signature"))
    pairs = links.join(sig_u, "u").join(sig_v, "v")
    exact_verify = cfg.lsh.verify == "exact"
    if exact_verify:
        texts = ranked.where(F.col("exact_rank") == 1).select("doc_id", "text")
        pairs = (pairs.join(texts.select(F.col("doc_id").alias("u"), F.col("text").alias("u_text")), "u", "left")
                 .join(texts.select(F.col("doc_id").alias("v"), F.col("text").alias("v_text")), "v", "left"))
    pair_schema = pa.schema([pa.field("u", pa.string()), pa.field("v", pa.string()), pa.field("group", pa.string()),
                             SIMILARITY_FIELD])
    make_sim = functools.partial(make_pair_similarity_operator, specs, num_perm, exact_verify)
    if cfg.lsh.verify == "none":
        scored = links.select("u", "v", F.lit(True).alias("edge"))
    else:
        threshold_of = F.create_map(*[F.lit(x) for g, t in thresholds.items() for x in (g, t)])
        scored = map_batches(pairs.select("u", "v", "group", *[c for c in pairs.columns if c.endswith(("_signature", "_text"))]),
                             make_sim, pair_schema)
        scored = scored.select("u", "v", (F.col("similarity") >= threshold_of[F.col("group")] - F.lit(1e-6)).alias("edge"))
    # every link once, with its verdict: one pass gives both counts, and the edges are read from memory
    scored = persist(scored)
    counts = scored.agg(F.count(F.lit(1)).alias("links"), F.count(F.when(F.col("edge"), 1)).alias("edges")).first()
    n_links, n_edges = int(counts["links"]), int(counts["edges"])
    edges = scored.where(F.col("edge")).select("u", "v")
    log(f"dedup: {n_links:,} LSH candidate links, {n_edges:,} verified edges")
    phase("LSH links and verification")

    # 5. components → the best node of each is kept
    reps = ranked.where(F.col("exact_rank") == 1).select(F.col("doc_id").alias("exact_rep"))
    if n_edges == 0:  # no near duplicate: every exact representative is kept
        rounds, component_mode = 0, "none"
        rep_info = reps.withColumn("final_rep", F.col("exact_rep"))
    else:
        if n_edges <= cfg.components.local_max_edges:  # a small graph: one process, no rounds, no checkpoints
            rounds, component_mode = 0, "driver"
            got = edges.toArrow()
            comp = smallest_node_components(zip(got.column("u").to_pylist(), got.column("v").to_pylist()))
            components = spark.createDataFrame(pa.table({"node": pa.array(list(comp), pa.string()),
                                                         "component": pa.array(list(comp.values()), pa.string())}))
        else:
            component_mode = "distributed"
            components, rounds = connected_components(edges, checkpoint, cfg.components.max_iterations, log=log)
        members = components.join(nodes.select(F.col("doc_id").alias("node"), "quality", "length", "is_reference"), "node")
        by_component = Window.partitionBy("component").orderBy(
            F.col("is_reference").desc(), F.col("quality").desc_nulls_last(), F.col("length").desc(), F.col("node").asc())
        comp_rep = members.select(F.col("node").alias("exact_rep"), F.first("node").over(by_component).alias("final_rep"))
        rep_info = (reps.join(comp_rep, "exact_rep", "left")
                    .withColumn("final_rep", F.coalesce("final_rep", "exact_rep")))
    phase(f"connected components ({component_mode})")

    # Per exact representative: the kept document and the similarity to it.
    if index_bc is None:  # no eval sets: nothing is contaminated, no join needed
        rep_info = rep_info.select("*", F.lit(False).alias("contaminated"),
                                   F.lit(None).cast("int").alias("contamination_matches"),
                                   F.lit(None).cast("string").alias("contamination_sets"))
    else:
        rep_info = rep_info.join(signed.select(F.col("doc_id").alias("exact_rep"), "contaminated", "contamination_matches",
                                               "contamination_sets"), "exact_rep", "left")
    if n_edges == 0:
        rep_info = rep_info.withColumn("rep_similarity", F.lit(None).cast("float"))
    else:
        far = rep_info.where(F.col("final_rep") != F.col("exact_rep")).select(
            F.col("exact_rep").alias("u"), F.col("final_rep").alias("v"), F.lit(DEFAULT_GROUP).alias("group"))
        far = far.join(nodes.select(F.col("doc_id").alias("u"), F.col("signature").alias("u_signature")), "u").join(
            nodes.select(F.col("doc_id").alias("v"), F.col("signature").alias("v_signature")), "v")
        far_sim = map_batches(far.select("u", "v", "group", "u_signature", "v_signature"),
                              functools.partial(make_pair_similarity_operator, None, num_perm, False),
                              pair_schema).select(F.col("u").alias("exact_rep"), F.col("similarity").alias("rep_similarity"))
        rep_info = rep_info.join(far_sim, "exact_rep", "left")

    # 6. every new row's outcome
    outcome = ranked.where(~F.col("is_reference")).join(rep_info, "exact_rep", "left")
    is_dup_exact = F.col("exact_rank") > 1
    reason = (F.when(F.coalesce("contaminated", F.lit(False)), F.lit(CONTAMINATION))
              .when(is_dup_exact, F.lit(EXACT))
              .when(F.col("final_rep") != F.col("doc_id"), F.lit(NEAR)))
    similarity = F.when(F.col("final_rep") == F.col("exact_rep"), F.lit(1.0)).otherwise(F.col("rep_similarity"))
    outcome = outcome.select(
        *docs.columns, *(["category"] if "category" not in docs.columns else []), "group", "quality", "length",
        "exact_key",
        reason.alias("reason"),
        F.col("final_rep").alias("duplicate_of"), F.col("final_rep").alias("cluster_id"),
        similarity.cast("float").alias("similarity"),
        F.when(reason == CONTAMINATION, F.col("contamination_matches").cast("double")).alias("value"),
        F.when(reason == CONTAMINATION, F.lit(float(min_matches))).alias("threshold"),
        F.when(reason == CONTAMINATION, F.col("contamination_sets")).alias("detail"),
    )
    outcome = persist(outcome.unionByName(invalid, allowMissingColumns=True), per_document=True)

    run_info = {"inputs": inputs, "config": dataclasses.asdict(cfg), "candidate_links": n_links,
                "verified_edges": n_edges, "components": component_mode, "component_rounds": rounds,
                "phase_seconds": phase_seconds}
    lsh_info = {g: {"threshold": p.threshold, "bands": p.bands, "rows": p.rows,
                    **({"shingles": dataclasses.asdict(specs[g])} if g in cfg.shingles.category else {})}
                for g, p in groups.items()}
    try:
        stats = _write(spark, outcome, nodes, output, cfg, extra_columns, run_info, lsh_info, contamination_info,
                       has_category)
    except BaseException:
        for df in persisted:  # after an executor OOM the context is gone and unpersist fails too:
            with contextlib.suppress(Exception):  # the write's error is the one the user must see
                df.unpersist()
        raise
    for df in persisted:
        df.unpersist()
    stats["run"]["seconds"] = round(time.time() - started, 3)
    return stats


def _cluster_histogram(outcome) -> dict:
    """Clusters with at least one duplicate, by size (rows of this run in the cluster), log2 buckets."""
    F = _F()
    sizes = (outcome.where(F.col("reason").isNull() | F.col("reason").isin(EXACT, NEAR))
             .groupBy("cluster_id").agg(F.count("*").alias("size"), F.sum(F.col("reason").isNotNull().cast("int")).alias("dups"))
             .where(F.col("dups") > 0))
    bucket = F.ceil(F.log2(F.col("size"))).cast("int")
    rows = sizes.groupBy(bucket.alias("b")).agg(F.count("*").alias("clusters"), F.sum("size").alias("docs")).collect()
    out = {}
    for r in sorted(rows, key=lambda r: r["b"]):
        lo, hi = 2 ** (r["b"] - 1) + 1, 2 ** r["b"]
        label = str(hi) if lo >= hi else f"{lo}-{hi}"
        out[label] = {"clusters": r["clusters"], "documents": r["docs"]}
    return out


def _write(spark, outcome, nodes, output, cfg, extra_columns, run_info, lsh_info, contamination_info, has_category):
    F = _F()
    started = time.time()
    doc_and_extra = DOCUMENT.names + extra_columns
    with atomic_output(spark, output) as staging:
        outcome.where(F.col("reason").isNull()).select(*doc_and_extra).write.parquet(f"{staging}/kept")
        dup_cols = DUPLICATE.names + [c for c in extra_columns if c not in DUPLICATE.names]
        (outcome.where(F.col("reason").isin(EXACT, NEAR)).select(*dup_cols)
         .repartition(F.col("cluster_id")).write.parquet(f"{staging}/duplicates"))
        rejected = outcome.where(F.col("reason").isin(CONTAMINATION, INVALID))
        (rejected.withColumn("stage", F.lit(STAGE_NAME)).withColumn("raw_prefix", F.lit(None).cast("binary"))
         .select(*REJECTED.names, *extra_columns)
         .repartition(F.col("reason"), F.pmod(F.xxhash64("doc_id"), F.lit(cfg.rejected_buckets)))
         .write.partitionBy("reason").parquet(f"{staging}/rejected"))
        if cfg.write_signatures:
            kept_ids = outcome.where(F.col("reason").isNull()).select("doc_id")
            (nodes.where(~F.col("is_reference")).join(kept_ids, "doc_id", "left_semi").select(*SIGNATURE_COLUMNS)
             .write.parquet(f"{staging}/signatures"))
            HadoopFS(spark, staging).write_text(f"{staging}/signatures/{SIGNATURE_PARAMS_FILE}",
                                                json.dumps(signature_params(cfg), sort_keys=True))
        dims = tuple(d for d in ("category", "lang", "source") if d in outcome.columns and (d != "category" or has_category))
        stats = outcome_stats(outcome, STAGE_NAME, dims, duplicate_reasons=(EXACT, NEAR))
        stats["cluster_size_histogram"] = _cluster_histogram(outcome)
        stats["lsh"] = lsh_info
        if contamination_info:
            stats["contamination"] = contamination_info
        stats["run"] = dict(run_info, write_seconds=round(time.time() - started, 3))
        write_stats(spark, staging, stats)
    return stats


def _report(stats: dict) -> str:
    from refinery.spark.stats import format_summary

    return format_summary(stats)


STAGE = Stage("dedup", "spark-submit jobs/dedup.py --input DOCS [DOCS ...] --output DIR [--config dedup.yaml] [--set key=value ...]\n\n"
              "Removes exact and near duplicates (MinHash LSH, connected components) and, optionally, documents that "
              "overlap evaluation sets; writes kept/, duplicates/, rejected/, signatures/ and _stats.json.",
              lambda spark, args, cfg: run(spark, args.input, args.output, cfg), _report, config_cls=DedupConfig)
