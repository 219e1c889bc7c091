"""spark-submit jobs/mix.py --config mix.yaml --input DIR [DIR ...] --output DIR [--set key=value ...]

Mixes documents of earlier stages into channels at target token ratios within a token budget,
with repeats capped, usage counts making often-used documents less likely, and an order
(random, quality curriculum, similarity groups). Writes the mixture (DOCUMENT columns plus
``channel``, ``copy``, ``tokens``, ``order``) in ``data/``, the held-out documents of every channel in
``heldout/`` (same columns, set aside before anything is planned: neither ``data/`` nor ``anneal/``
holds them), optionally ``anneal/``, and ``_stats.json`` with achieved vs target ratios and the
held-out counts; then updates the usage table.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import sys
import time

import pyarrow as pa

from refinery.mix.annotate import HELDOUT_KEY, SLIM, USES, make_annotator
from refinery.mix.config import MixConfig
from refinery.mix.heldout import candidate_bound, heldout_sizes
from refinery.mix.order import ORDER_KEY, make_orderer
from refinery.mix.plan import plan_channels
from refinery.spark.arrow_apply import map_batches
from refinery.spark.commit import atomic_output
from refinery.spark.paths import HadoopFS, qualify
from refinery.spark.prefix_sum import PID, exclusive_prefix_sum, range_sorted
from refinery.spark.inputs import read_documents as inputs_read_documents
from refinery.spark.job import Stage
from refinery.spark.stats import write_stats
from schemas import DOCUMENT

MIXED_EXTRA = ["category", "quality_score"]  # carried over when an earlier stage wrote them


def read_documents(spark, inputs: list[str]):
    return inputs_read_documents(spark, inputs)


def with_usage(spark, docs, table: str | None):
    from pyspark.sql import functions as F

    if not table or not HadoopFS(spark, table).exists(qualify(table)):
        return docs.withColumn(USES, F.lit(0).cast("long"))
    usage = spark.read.parquet(qualify(table)).select("doc_id", F.col(USES).cast("long"))
    return docs.join(usage, "doc_id", "left").withColumn(USES, F.coalesce(F.col(USES), F.lit(0).cast("long")))


def measure_chars_per_token(docs, cfg: MixConfig) -> dict[str, float]:
    """``estimate``: chars per token per channel on a sample of ``sample_docs`` documents each.

    The sample is tokenised on the driver (a few thousand documents); every other document's
    count is its characters divided by its channel's ratio, saving the tokenizer pass over the
    corpus. The per-channel ratio's standard error shrinks as 1/sqrt(sample_docs).
    """
    from pyspark.sql import functions as F

    from refinery.mix.annotate import load_token_counter
    from refinery.mix.channels import assign_channels

    counter = load_token_counter(cfg.tokens.tokenizer)
    ranked = docs.select("doc_id", "text", *[c for c in ("lang", "category", "source", "metadata") if c in docs.columns])
    # a seeded random sample, a few times the per-channel size so each channel gets its share
    # (channels are assigned in Python, after the sample reaches the driver)
    sample = ranked.orderBy(F.xxhash64(F.col("doc_id"), F.lit(cfg.seed))).limit(cfg.tokens.sample_docs * 3 * len(cfg.channels))
    table = pa.Table.from_pylist([r.asDict() for r in sample.collect()])
    out = {}
    if table.num_rows == 0:
        return out
    batch = table.combine_chunks().to_batches()[0]
    channels = assign_channels(batch, cfg.channels).to_pylist()
    texts = batch.column("text").to_pylist()
    for spec in cfg.channels:
        picked = [t for t, c in zip(texts, channels) if c == spec.name][: cfg.tokens.sample_docs]
        if picked:
            out[spec.name] = sum(map(len, picked)) / max(1, int(counter(picked).sum()))
    return out


def select_copies(spark, slim, plans):
    """The chosen (doc_id, channel, tokens, copy) rows: full passes, then a weighted cut per channel."""
    from pyspark.sql import functions as F

    full = [(p.channel, c) for p in plans for c in range(p.full_passes)]
    parts = []
    if full:
        passes = spark.createDataFrame(full, "channel string, copy int")
        parts.append(slim.join(F.broadcast(passes), "channel").select("doc_id", "channel", "tokens", "copy"))
    remainder = {p.channel: (p.remainder_tokens, p.full_passes) for p in plans if p.remainder_tokens > 0}
    persisted = None
    if remainder:
        wanted = slim.filter(F.col("channel").isin(list(remainder)))
        cut, persisted = exclusive_prefix_sum(range_sorted(wanted, ["channel", "sample_key", "doc_id"]), "tokens",
                                              "taken", group_col="channel")
        budget = F.create_map(*[x for ch, (tokens, _) in remainder.items() for x in (F.lit(ch), F.lit(tokens))])
        copy = F.create_map(*[x for ch, (_, k) in remainder.items() for x in (F.lit(ch), F.lit(k))])
        # take a document while the budget is not yet met at its midpoint: |error| <= half a document
        parts.append(cut.filter(F.col("taken") + F.col("tokens") / 2 < budget[F.col("channel")])
                     .select("doc_id", "channel", "tokens", copy[F.col("channel")].cast("int").alias("copy")))
    selected = parts[0]
    for p in parts[1:]:
        selected = selected.unionByName(p)
    return selected, persisted


def quality_splits(df, bins: int) -> list[float]:
    probs = [i / bins for i in range(1, bins)]
    return sorted(set(df.approxQuantile("quality_score", probs, 0.001))) if probs else []


def ordered_mixture(spark, docs, selected, cfg: MixConfig, columns: list[str]):
    """Join the selection with the documents, add ``order`` (0, 1, 2, … in training order)."""
    from pyspark.sql import functions as F

    from refinery.spark.prefix_sum import _arrow_schema

    rows = selected.join(docs.select(*columns), "doc_id")
    splits = None
    if cfg.order.method == "quality":
        if "quality_score" not in docs.columns:
            raise ValueError("order.method quality needs a quality_score column (run the score stage)")
        splits = quality_splits(rows, cfg.order.quality_bins)
    schema = _arrow_schema(rows).append(pa.field(ORDER_KEY, pa.float64()))
    keyed = map_batches(rows, functools.partial(make_orderer, cfg.order, splits), schema)
    ranged = range_sorted(keyed.withColumn("_one", F.lit(1).cast("long")), [ORDER_KEY, "doc_id", "copy"])
    numbered, persisted = exclusive_prefix_sum(ranged, "_one", "order")
    return numbered.drop("_one", ORDER_KEY, PID), persisted


def channel_report(selected, plans, budget: int) -> dict:
    from pyspark.sql import functions as F

    got = {r["channel"]: r for r in selected.groupBy("channel").agg(
        F.sum("tokens").alias("tokens"), F.count("*").alias("copies"),
        F.countDistinct("doc_id").alias("docs"), F.max("copy").alias("max_copy")).collect()}
    total = sum(int(r["tokens"]) for r in got.values()) or 1
    report = {}
    for p in plans:
        r = got.get(p.channel)
        tokens = int(r["tokens"]) if r else 0
        report[p.channel] = {
            "target_ratio": round(p.ratio, 6), "achieved_ratio": round(tokens / total, 6),
            "target_tokens": p.target_tokens, "achieved_tokens": tokens,
            "available_tokens": p.available_tokens, "available_docs": p.available_docs,
            "documents": int(r["docs"]) if r else 0, "copies": int(r["copies"]) if r else 0,
            "rate": round(p.rate, 4), "full_passes": p.full_passes,
        }
    return {"budget_tokens": budget, "achieved_tokens": total, "channels": report}


def _by_channel(values: dict):
    from pyspark.sql import functions as F

    return F.create_map(*[x for ch, v in values.items() for x in (F.lit(ch), F.lit(v))])[F.col("channel")]


def select_heldout(slim, sizes: dict[str, int]):
    """The held-out (doc_id, channel, tokens, copy=0) rows: per channel the ``sizes[channel]``
    documents with the lowest held-out draw (refinery.mix.heldout)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    wanted = {c: k for c, k in sizes.items() if k > 0}
    docs = {r["channel"]: int(r["n"]) for r in slim.filter(F.col("channel").isin(list(wanted)))
            .groupBy("channel").agg(F.count("*").alias("n")).collect()}
    bounds = {c: candidate_bound(k, docs.get(c, 0)) for c, k in wanted.items()}
    under = slim.filter(F.col("channel").isin(list(wanted)) & (F.col(HELDOUT_KEY) <= _by_channel(bounds)))
    short = [r["channel"] for r in under.groupBy("channel").agg(F.count("*").alias("n")).collect()
             if int(r["n"]) < wanted[r["channel"]]]
    short += [c for c in wanted if c not in docs]
    if short:  # a > 8σ event: rank all of these channels
        bounds.update({c: 1.0 for c in short})
        under = slim.filter(F.col("channel").isin(list(wanted)) & (F.col(HELDOUT_KEY) <= _by_channel(bounds)))
    rank = F.row_number().over(Window.partitionBy("channel").orderBy(HELDOUT_KEY, "doc_id"))
    return (under.withColumn("_rank", rank).filter(F.col("_rank") <= _by_channel(wanted))
            .select("doc_id", "channel", "tokens", F.lit(0).alias("copy")))


def heldout_report(heldout, sizes: dict[str, int], cfg) -> dict:
    from pyspark.sql import functions as F

    got = {r["channel"]: r for r in heldout.groupBy("channel").agg(
        F.count("*").alias("docs"), F.sum("tokens").alias("tokens")).collect()}
    channels = {c: {"target_docs": k, "documents": int(got[c]["docs"]) if c in got else 0,
                    "tokens": int(got[c]["tokens"]) if c in got else 0} for c, k in sizes.items()}
    return {"documents": sum(r["documents"] for r in channels.values()),
            "tokens": sum(r["tokens"] for r in channels.values()),
            "docs_per_channel": cfg.heldout.docs_per_channel, "max_fraction": cfg.heldout.max_fraction,
            "seed": cfg.heldout.seed, "channels": channels}


def write_usage(spark, table: str, selections: list, mix_id: str) -> int:
    """New usage table = old uses + copies used by this mix, written aside and swapped in."""
    from pyspark.sql import functions as F

    used = selections[0]
    for s in selections[1:]:
        used = used.unionByName(s)
    used = used.groupBy("doc_id").agg(F.count("*").cast("long").alias("added"))
    fs = HadoopFS(spark, table)
    if fs.exists(qualify(table)):
        old = spark.read.parquet(qualify(table)).select("doc_id", F.col(USES).cast("long"), "last_mix")
        merged = old.join(used, "doc_id", "full_outer")
    else:
        merged = used.withColumn(USES, F.lit(0).cast("long")).withColumn("last_mix", F.lit(None).cast("string"))
    merged = merged.select(
        "doc_id",
        (F.coalesce(F.col(USES), F.lit(0)) + F.coalesce(F.col("added"), F.lit(0))).cast("long").alias(USES),
        F.when(F.col("added").isNotNull(), F.lit(mix_id)).otherwise(F.col("last_mix")).alias("last_mix"))
    merged = merged.localCheckpoint()  # materialised before the old table is moved away
    rows = merged.count()
    with atomic_output(spark, table) as staging:
        merged.write.parquet(staging)
        write_stats(spark, staging, {"stage": "usage", "rows_in": rows, "rows_kept": rows,
                                     "rows_rejected": 0, "rejected_by_reason": {}, "last_mix": mix_id})
    return rows


def run(spark, inputs: list[str], output: str, cfg: MixConfig) -> dict:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    started = time.time()
    docs = with_usage(spark, read_documents(spark, inputs), cfg.usage.table)
    cpt = measure_chars_per_token(docs, cfg) if cfg.tokens.method == "estimate" else None
    slim = map_batches(docs, functools.partial(make_annotator, cfg, cpt), SLIM,
                       cache_key=("mix-annotate", repr(cfg), repr(cpt))).persist(StorageLevel.MEMORY_AND_DISK)
    counts = {r["channel"]: r for r in slim.groupBy("channel").agg(F.sum("tokens").alias("t"), F.count("*").alias("n")).collect()}
    rows_in = sum(int(r["n"]) for r in counts.values())
    unassigned = int(counts[None]["n"]) if None in counts else 0
    # the held-out split comes first: nothing planned below (mixture, anneal) can draw from it
    sizes, warnings = heldout_sizes({spec.name: int(counts[spec.name]["n"]) if spec.name in counts else 0
                                     for spec in cfg.channels}, cfg.heldout)
    caches = [slim]
    heldout, held = None, {}
    if sum(sizes.values()):
        heldout = select_heldout(slim, sizes).persist(StorageLevel.MEMORY_AND_DISK)
        caches.append(heldout)
        held = {r["channel"]: (int(r["t"]), int(r["n"])) for r in heldout.groupBy("channel").agg(
            F.sum("tokens").alias("t"), F.count("*").alias("n")).collect()}
        trainable = slim.join(F.broadcast(heldout.select("doc_id")), "doc_id", "left_anti")
    else:
        trainable = slim
    available = {c: (int(r["t"]) - held.get(c, (0, 0))[0], int(r["n"]) - held.get(c, (0, 0))[1])
                 for c, r in counts.items() if c is not None}
    plans, budget, plan_warnings = plan_channels(cfg.ratios, available, cfg.total_tokens, cfg.max_repeats)
    warnings += plan_warnings
    for w in warnings:
        print(f"mix: {w}", file=sys.stderr, flush=True)
    selected, cut_cache = select_copies(spark, trainable.filter(F.col("channel").isNotNull()), plans)
    selected = selected.persist(StorageLevel.MEMORY_AND_DISK)
    columns = [c for c in DOCUMENT.names + MIXED_EXTRA if c in docs.columns]
    mix_id = f"mix-{int(started)}-{cfg.seed}"
    caches += [selected, cut_cache]
    anneal_selected = None
    try:
        report = channel_report(selected, plans, budget)
        mixture, order_cache = ordered_mixture(spark, docs, selected, cfg, columns)
        caches.append(order_cache)
        with atomic_output(spark, output) as staging:
            # already range-partitioned and sorted by the order key: part files are in order
            mixture.write.parquet(f"{staging}/data")
            heldout_docs = sum(n for _, n in held.values())
            if heldout is not None:
                rand = dataclasses.replace(cfg, order=dataclasses.replace(cfg.order, method="random"))
                held_rows, held_cache = ordered_mixture(spark, docs, heldout, rand, columns)
                caches.append(held_cache)
                held_rows.write.parquet(f"{staging}/heldout")
            if cfg.anneal.tokens:
                anneal_selected, anneal_report = write_anneal(spark, docs, trainable, cfg, columns, f"{staging}/anneal", caches)
            selected_docs = sum(r["documents"] for r in report["channels"].values())  # a document has one channel
            stats = {
                "stage": "mix",
                "rows_in": rows_in,
                "rows_kept": selected_docs,
                "rows_rejected": rows_in - selected_docs,
                # mix.heldout: set aside in heldout/ (not rejected, but not in the training mixture)
                "rejected_by_reason": {k: v for k, v in {
                    "mix.no_channel": unassigned, "mix.heldout": heldout_docs,
                    "mix.not_sampled": rows_in - selected_docs - unassigned - heldout_docs}.items() if v},
                "mix_id": mix_id,
                "token_unit": "chars" if cfg.tokens.method == "chars" else "tokens",
                "mixture": cfg.ratios,
                **report,
                "heldout": heldout_report(heldout, sizes, cfg) if heldout is not None else None,
                "warnings": warnings,
                "chars_per_token": cpt,
                "anneal": anneal_report if cfg.anneal.tokens else None,
                "run": {"inputs": inputs, "config": dataclasses.asdict(cfg), "seconds": round(time.time() - started, 3)},
            }
            write_stats(spark, staging, stats)
        if cfg.usage.table and cfg.usage.update:
            stats["usage_rows"] = write_usage(spark, cfg.usage.table, [s for s in (selected, anneal_selected) if s is not None], mix_id)
    finally:
        for c in caches:
            if c is not None:
                c.unpersist()
    return stats


def write_anneal(spark, docs, slim, cfg: MixConfig, columns, out_uri: str, caches: list):
    """The best ``top_fraction`` of each channel by quality_score, mixed at the same ratios."""
    from pyspark.sql import functions as F

    if "quality_score" not in docs.columns:
        raise ValueError("anneal.tokens needs a quality_score column (run the score stage)")
    quantiles = slim.filter(F.col("channel").isNotNull()).groupBy("channel").agg(
        F.percentile_approx("quality_score", 1 - cfg.anneal.top_fraction, 10000).alias("cut")).collect()
    cuts = {spec.name: float("inf") for spec in cfg.channels}
    cuts.update({r["channel"]: float(r["cut"]) for r in quantiles if r["cut"] is not None})
    best = slim.filter(F.col("quality_score") >= F.create_map(
        *[x for ch, v in cuts.items() for x in (F.lit(ch), F.lit(v))])[F.col("channel")])
    counts = {r["channel"]: (int(r["t"]), int(r["n"])) for r in
              best.groupBy("channel").agg(F.sum("tokens").alias("t"), F.count("*").alias("n")).collect()}
    plans, budget, warnings = plan_channels(cfg.ratios, counts, cfg.anneal.tokens, cfg.max_repeats)
    selected, cut_cache = select_copies(spark, best, plans)
    caches.append(cut_cache)
    rand = dataclasses.replace(cfg, order=dataclasses.replace(cfg.order, method="random"))
    mixture, order_cache = ordered_mixture(spark, docs, selected, rand, columns)
    caches.append(order_cache)
    mixture.write.parquet(out_uri)
    report = channel_report(selected, plans, budget)
    report.update(quality_cut=cuts, warnings=warnings)
    return selected, report


def format_report(stats: dict) -> str:
    lines = [f"[mix] {stats['achieved_tokens']:,} {stats['token_unit']} of budget {stats['budget_tokens']:,}"
             f"  docs used {stats['rows_kept']:,} of {stats['rows_in']:,}"]
    for name, r in stats["channels"].items():
        lines.append(f"    {name:<10} target {r['target_ratio']:.4f}  achieved {r['achieved_ratio']:.4f}  "
                     f"{r['achieved_tokens']:>12,} {stats['token_unit']}  docs {r['documents']:,}  copies {r['copies']:,}  "
                     f"rate {r['rate']}")
    held = stats.get("heldout")
    if held:
        lines.append(f"    held-out   {held['documents']:,} docs, {held['tokens']:,} {stats['token_unit']} in heldout/: "
                     + ", ".join(f"{c} {r['documents']}" for c, r in held["channels"].items()))
    for w in stats.get("warnings", []):
        lines.append(f"    warning: {w}")
    return "\n".join(lines)


def _report(stats: dict) -> str:
    return format_report(stats) + "\n" + json.dumps({k: v["achieved_ratio"] for k, v in stats["channels"].items()})


STAGE = Stage("mix", __doc__, lambda spark, args, cfg: run(spark, args.input, args.output, cfg), _report,
          config_cls=MixConfig, config_required=True)

