"""The README's chain on real pages, as a user runs it: each job a ``spark-submit`` (its own JVM
and Python workers, local[2]) whose --input is the previous job's --output directory.

ingest (a WARC file of the slice's crawl of the served corpus) -> clean -> score -> dedup -> mix ->
shards, each with its default config (score: the shipped models, cascade with BERT). The oracle is
the accounting each stage must keep with the one before: what a stage reads is what the previous
one kept, and the shards hold exactly the documents the mix wrote, in its order. (This replaces
the single-job spark-submit runs of clean and score that the chain covers.)
"""
import json
import subprocess

import pyarrow.dataset as ds
import pytest

from tests.spark.cluster import spark_submit

pytestmark = pytest.mark.slow


def _stats(path):
    return json.loads((path / "_stats.json").read_text())


def _submit(job: str, *args) -> str:
    proc = spark_submit([f"jobs/{job}.py", *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = proc.communicate(timeout=900)[0]
    assert proc.returncode == 0, (job, log[-3000:])
    return log


def test_each_spark_submit_job_reads_the_previous_jobs_output_directory(sample_tokenizer, tmp_path):
    import corpus.warc
    from refinery.tokenize.shards import ShardChunk, list_chunks

    try:
        crawl = corpus.warc.archives(slice=True) / "crawl"
    except Exception as e:  # fail, never skip: `make test` builds the corpus first
        pytest.fail(str(e))
    warcs = sorted(map(str, crawl.glob("*.warc.gz")))[:1]
    assert warcs
    mix_yaml = tmp_path / "mix.yaml"
    mix_yaml.write_text("total_tokens: 50000\nchannels:\n  - {name: docs, ratio: 1}\ntokens: {method: chars}\n"
                        "order: {method: random, seed: 3}\nseed: 3\n")
    run = {name: tmp_path / name for name in ("ingest", "clean", "score", "dedup", "mix", "shards")}
    logs = {"ingest": _submit("ingest", "--input", *warcs, "--output", run["ingest"])}
    for before, job in (("ingest", "clean"), ("clean", "score"), ("score", "dedup")):
        logs[job] = _submit(job, "--input", run[before], "--output", run[job])
    logs["mix"] = _submit("mix", "--input", run["dedup"], "--output", run["mix"], "--config", mix_yaml)
    _submit("shards", "--input", run["mix"], "--output", run["shards"], "--tokenizer", sample_tokenizer,
            "--chunk-tokens", "1000000000")

    chain = ["ingest", "clean", "score", "dedup", "mix"]
    for before, after in zip(chain, chain[1:]):
        assert _stats(run[after])["rows_in"] == _stats(run[before])["rows_kept"] > 0, (before, after)
    for job in ("ingest", "clean", "score"):  # each job's report is what its _stats.json says
        assert f"[{job}] rows in {_stats(run[job])['rows_in']:,}" in logs[job], job
    score = _stats(run["score"])
    assert score["rows_in"] == score["rows_kept"] + score["rows_rejected"]
    assert set(score["rejected_by_reason"]) <= {"score.quality_below_threshold"}
    by_cat = score["bias_check"]["by_category"]  # the slice's crawl is documentation (and code pages)
    assert by_cat["markdown_docs"]["rows"] > 0, by_cat
    assert "keep rate per-category thresholds vs one global threshold" in logs["score"]
    bias = score["bias_check"]  # the shipped domain model (trained on the real corpus) knows four classes
    assert set(bias["by_category"]) <= {"code", "markdown_docs", "literature", "ads_spam"}, bias["by_category"]
    assert sum(e["rows_in"] for e in bias["by_category_lang"].values()) == score["rows_in"]
    for warning in bias["warnings"]:  # a category losing more than half is named on the console
        assert warning in logs["score"]
    mixed = ds.dataset(str(run["mix"] / "data"), format="parquet").to_table(columns=["doc_id", "order"]).sort_by("order")
    got = [d for p in list_chunks(str(run["shards"])) for d in ShardChunk(p).doc_ids()]
    assert got == mixed.column("doc_id").to_pylist() and got
