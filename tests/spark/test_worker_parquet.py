"""Kept documents written by the Python workers (refinery.spark.worker_parquet).

The oracle is Spark's own writer: the same job with ``kept_writer=spark`` must give the same
kept rows, rejected rows and accounting, on real archives with injected faults (ingest) and on
their documents (clean, then score). The unit tests pin the retry contract: a partition's file appears once,
whole, or not at all.
"""
import pathlib

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from refinery.spark.worker_parquet import TEMP_PREFIX, KeptFile, finish_kept_dir
from schemas import OUTCOME
from tests.ingest.outputs import assert_same_output, read_output


def _outcomes(texts, reasons) -> pa.RecordBatch:
    rows = [{"doc_id": f"d{i}", "source": "s", "source_file": "f", "offset": i, "text": t, "reason": r,
             "stage": None if r is None else "x", "char_count": len(t), "metadata": "{}"}
            for i, (t, r) in enumerate(zip(texts, reasons, strict=True))]
    return pa.RecordBatch.from_pylist(rows, schema=OUTCOME)


def test_kept_rows_go_to_the_file_and_leave_without_text(tmp_path):
    sink = KeptFile(str(tmp_path / "kept"), "part-00003")
    batch = _outcomes(["a b", "c", "rejected text", "d"], [None, None, "r.x", None])
    out = pa.Table.from_batches(sink.divert(batch))
    sink.commit()
    assert out.num_rows == batch.num_rows  # every row comes out once: rows in = kept + rejected
    kept_out = out.filter(pa.compute.is_null(out.column("reason")))
    assert kept_out.column("text").null_count == 3 and kept_out.column("metadata").null_count == 3
    assert out.filter(pa.compute.is_valid(out.column("reason"))).column("text").to_pylist() == ["rejected text"]
    written = pq.read_table(tmp_path / "kept" / "part-00003.parquet")
    assert written.column("text").to_pylist() == ["a b", "c", "d"]
    assert written.column("doc_id").to_pylist() == kept_out.column("doc_id").to_pylist()
    assert [p.name for p in (tmp_path / "kept").iterdir()] == ["part-00003.parquet"]


def test_a_retried_partition_leaves_one_file_and_an_aborted_one_none(tmp_path):
    kept = tmp_path / "kept"
    batch = _outcomes(["one", "two"], [None, None])
    for _ in range(2):  # the first attempt and its retry (or a speculative copy): same rows, same name
        sink = KeptFile(str(kept), "part-00000")
        sink.divert(batch)
        sink.commit()
    failed = KeptFile(str(kept), "part-00001")
    failed.divert(batch)
    failed._flush()  # bytes on disk under the temporary name, then the task dies
    failed.abort()
    assert sorted(p.name for p in kept.iterdir()) == ["part-00000.parquet"]
    assert pq.read_table(kept / "part-00000.parquet").num_rows == 2


def test_a_partition_that_keeps_nothing_writes_nothing(tmp_path):
    sink = KeptFile(str(tmp_path / "kept"), "part-00000")
    out = sink.divert(_outcomes(["x"], ["r.y"]))
    sink.commit()
    assert [b.num_rows for b in out] == [1] and not (tmp_path / "kept").exists()


def test_finish_deletes_killed_attempts_and_makes_an_empty_dataset_readable(spark, tmp_path):
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / f"{TEMP_PREFIX}part-00000-abc.parquet").write_bytes(b"half a file")
    empty_like = spark.createDataFrame([("a", "t")], "doc_id string, text string")
    assert finish_kept_dir(spark, str(kept), empty_like) == 0
    table = ds.dataset(str(kept), format="parquet").to_table()
    assert table.num_rows == 0 and table.schema.names == ["doc_id", "text"]
    assert not any(p.name.startswith(TEMP_PREFIX) for p in kept.iterdir())


@pytest.mark.slow
def test_workers_and_spark_write_the_same_outputs_on_real_archives(spark, tmp_path):
    import corpus.warc
    import refinery.spark.clean as clean_job
    import refinery.spark.ingest as ingest_job
    import refinery.spark.score as score_job
    from refinery.config import load_config
    from refinery.filters.config import CleanConfig
    from refinery.ingest.config import IngestConfig
    from refinery.scoring.config import ScoreConfig

    try:
        root = corpus.warc.archives(slice=True)
    except Exception as e:  # fail, never skip: `make test` builds the corpus first
        pytest.fail(str(e))
    # The damaged archives (a corrupt member, a cut file, 404s, images) and two crawled ones.
    files = sorted(map(str, (root / "faults").glob("*.warc.gz"))) + sorted(map(str, (root / "crawl").glob("*.warc.gz")))[:2]
    outs = {}
    for writer in ("workers", "spark"):
        ingest_out, clean_out, score_out = (tmp_path / f"{s}-{writer}" for s in ("ingest", "clean", "score"))
        ingest_job.run(spark, files, str(ingest_out), load_config(None, IngestConfig, {"kept_writer": writer}))
        clean_job.run(spark, str(ingest_out / "kept"), str(clean_out),
                      load_config(None, CleanConfig, {"kept_writer": writer}))
        score_job.run(spark, [str(clean_out / "kept")], str(score_out),
                      load_config(None, ScoreConfig, {"kept_writer": writer}))
        outs[writer] = (ingest_out, clean_out, score_out)
    for stage in (0, 1, 2):
        assert_same_output(outs["workers"][stage], outs["spark"][stage])
    ingest_out = read_output(outs["workers"][0])
    assert ingest_out["kept"].num_rows > 500 and ingest_out["rejected"].num_rows > 5
    for stage in (0, 1, 2):  # every column, the stage's own ones too (category, scores)
        workers_table, spark_table = (ds.dataset(str(pathlib.Path(outs[w][stage]) / "kept"), format="parquet")
                                      .to_table().sort_by("doc_id") for w in ("workers", "spark"))
        assert workers_table.schema.remove_metadata() == spark_table.schema.remove_metadata()
        assert workers_table.equals(spark_table.replace_schema_metadata(workers_table.schema.metadata))
    scored = ds.dataset(str(pathlib.Path(outs["workers"][2]) / "kept"), format="parquet").to_table()
    assert scored.num_rows > 0 and scored.column("quality_score").null_count == 0


def test_an_output_pyarrow_cannot_open_falls_back_to_spark(capsys, tmp_path):
    from refinery.spark.worker_parquet import kept_writer_for

    assert kept_writer_for("workers", str(tmp_path / "out")) == "workers"
    assert kept_writer_for("workers", f"file://{tmp_path}/out") == "workers"
    assert kept_writer_for("spark", "s3a://bucket/out") == "spark"
    assert kept_writer_for("workers", "s3a://bucket/out") == "spark"
    assert "pyarrow cannot open s3a://bucket/out" in capsys.readouterr().err
