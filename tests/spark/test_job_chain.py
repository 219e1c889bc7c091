"""The README's chain on real pages: each job's --output is the next job's --input.

ingest (a WARC file of the slice's crawl of the served corpus) -> clean -> score -> dedup -> mix ->
shards, every job through its main(), as spark-submit runs it. The oracle is the accounting
each stage must keep with the one before: what a stage reads is what the previous one kept, and
the shards hold exactly the documents the mix wrote, in its order.
"""
import json

import pyarrow.dataset as ds
import pytest

pytestmark = pytest.mark.slow


def _stats(path):
    return json.loads((path / "_stats.json").read_text())


def test_each_job_reads_the_previous_jobs_output_directory(spark, sample_tokenizer, tmp_path):
    import corpus.warc
    from jobs import clean, dedup, ingest, mix, score, shards
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
    assert ingest.main(["--input", *warcs, "--output", str(run["ingest"])]) == 0
    assert clean.main(["--input", str(run["ingest"]), "--output", str(run["clean"])]) == 0
    assert score.main(["--input", str(run["clean"]), "--output", str(run["score"])]) == 0
    assert dedup.main(["--input", str(run["score"]), "--output", str(run["dedup"])]) == 0
    assert mix.main(["--input", str(run["dedup"]), "--output", str(run["mix"]), "--config", str(mix_yaml)]) == 0
    assert shards.main(["--input", str(run["mix"]), "--output", str(run["shards"]), "--tokenizer", str(sample_tokenizer),
                          "--chunk-tokens", "1000000000"]) == 0

    chain = ["ingest", "clean", "score", "dedup", "mix"]
    for before, after in zip(chain, chain[1:]):
        assert _stats(run[after])["rows_in"] == _stats(run[before])["rows_kept"] > 0, (before, after)
    mixed = ds.dataset(str(run["mix"] / "data"), format="parquet").to_table(columns=["doc_id", "order"]).sort_by("order")
    got = [d for p in list_chunks(str(run["shards"])) for d in ShardChunk(p).doc_ids()]
    assert got == mixed.column("doc_id").to_pylist() and got
