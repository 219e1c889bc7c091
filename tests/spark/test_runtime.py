import functools
import json

import pyarrow as pa
import pytest

from refinery.spark import executor_cache
from refinery.spark.arrow_apply import map_batches
from refinery.spark.commit import atomic_output, is_committed
from refinery.spark.stats import outcome_stats, write_stats

SCHEMA = pa.schema([("x", pa.int64()), ("y", pa.string())])


def _square_op(tag):
    def op(batch):
        x = batch.column("x").to_numpy()
        return pa.RecordBatch.from_arrays([pa.array(x * x), pa.array([tag] * len(x))], schema=SCHEMA)

    return op


def _explode_op():
    def op(batch):
        for x in batch.column("x").to_pylist():
            yield pa.RecordBatch.from_pylist([{"x": x, "y": str(i)} for i in range(x)], schema=SCHEMA)

    return op


def test_map_batches_applies_operator(spark):
    df = spark.range(0, 100, numPartitions=3).withColumnRenamed("id", "x")
    out = map_batches(df, functools.partial(_square_op, "sq"), SCHEMA, cache_key="sq-op").orderBy("x").collect()
    assert [r.x for r in out] == [i * i for i in range(100)]
    assert {r.y for r in out} == {"sq"}


def test_map_batches_accepts_generators(spark):
    df = spark.range(0, 5, numPartitions=2).withColumnRenamed("id", "x")
    rows = map_batches(df, _explode_op, SCHEMA).collect()
    assert len(rows) == sum(range(5))


def test_executor_cache_loads_once():
    executor_cache.clear()
    calls = []
    for _ in range(5):
        executor_cache.get_or_load("m", lambda: calls.append(1) or object())
    assert len(calls) == 1 and executor_cache.load_counts["m"] == 1


def test_atomic_output_publishes_and_replaces(spark, tmp_path):
    out = str(tmp_path / "out")
    for n in (10, 3):
        with atomic_output(spark, out) as staging:
            spark.range(n).write.parquet(staging + "/data")
            write_stats(spark, staging, {"n": n})
        assert is_committed(spark, out)
        assert spark.read.parquet(out + "/data").count() == n
    assert json.loads((tmp_path / "out" / "_stats.json").read_text()) == {"n": 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging left behind


def test_atomic_output_failure_keeps_old_output(spark, tmp_path):
    out = str(tmp_path / "out")
    with atomic_output(spark, out) as staging:
        spark.range(4).write.parquet(staging + "/data")
    with pytest.raises(RuntimeError):
        with atomic_output(spark, out) as staging:
            spark.range(7).write.parquet(staging + "/data")
            raise RuntimeError("killed")
    assert spark.read.parquet(out + "/data").count() == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_atomic_output_removes_stale_staging(spark, tmp_path):
    stale = tmp_path / ".out.staging-deadbeef"
    stale.mkdir()
    (stale / "part-0.parquet").write_bytes(b"half")
    with atomic_output(spark, str(tmp_path / "out")) as staging:
        spark.range(2).write.parquet(staging + "/data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_outcome_stats_accounts_every_row(spark):
    rows = [("a", "en", None, 100), ("a", "zh", "x.short", 3), ("b", "en", None, 2000), ("b", "en", "y.bad", 5)]
    df = spark.createDataFrame(rows, "source string, lang string, reason string, char_count long")
    stats = outcome_stats(df, "test")
    assert (stats["rows_in"], stats["rows_kept"], stats["rows_rejected"]) == (4, 2, 2)
    assert stats["rejected_by_reason"] == {"x.short": 1, "y.bad": 1}
    assert stats["by_source"]["b"] == {"rows_in": 2, "rows_kept": 1, "rows_rejected": 1, "kept_rate": 0.5,
                                       "rejected_by_reason": {"y.bad": 1}}
    assert stats["rejected_rate_by_reason"] == {"x.short": 0.25, "y.bad": 0.25}
    assert stats["by_lang"]["zh"]["rows_kept"] == 0
    assert sum(stats["length_histogram"]["before"].values()) == 4
    assert sum(stats["length_histogram"]["after"].values()) == 2


def _publish_killed_at(monkeypatch, spark, out, n, killed_rename):
    """Run atomic_output writing ``n`` rows; the process 'dies' (KeyboardInterrupt, nothing
    cleans up) on the ``killed_rename``-th rename of its publish."""
    from refinery.spark import commit
    from refinery.spark.paths import HadoopFS

    real_rename, calls = HadoopFS.rename, []

    def rename(self, src, dst):
        calls.append((src, dst))
        if len(calls) == killed_rename:
            raise KeyboardInterrupt("killed")
        return real_rename(self, src, dst)

    monkeypatch.setattr(HadoopFS, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        with commit.atomic_output(spark, out) as staging:
            spark.range(n).write.parquet(staging + "/data")
            write_stats(spark, staging, {"n": n})
    monkeypatch.setattr(HadoopFS, "rename", real_rename)
    return calls


def test_kill_between_the_renames_of_a_publish_loses_nothing(spark, tmp_path, monkeypatch):
    out = str(tmp_path / "out")
    with atomic_output(spark, out) as staging:
        spark.range(4).write.parquet(staging + "/data")
        write_stats(spark, staging, {"n": 4})
    # rename 1: staging -> ready, 2: out -> replaced, 3: ready -> out (killed before it)
    calls = _publish_killed_at(monkeypatch, spark, out, 7, killed_rename=3)
    assert calls[1][0].endswith("/out") and ".out.replaced-" in calls[1][1]
    assert not (tmp_path / "out").exists()  # the committed output is only aside now
    # The next run settles it before it starts: the killed run had finished writing, so its
    # output is published, even when this run itself fails.
    with pytest.raises(RuntimeError):
        with atomic_output(spark, out) as staging:
            assert spark.read.parquet(out + "/data").count() == 7
            raise RuntimeError("this run fails too")
    assert json.loads((tmp_path / "out" / "_stats.json").read_text()) == {"n": 7}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_kill_before_anything_is_ready_keeps_or_restores_the_old_output(spark, tmp_path, monkeypatch):
    out = str(tmp_path / "out")
    with atomic_output(spark, out) as staging:
        spark.range(4).write.parquet(staging + "/data")
        write_stats(spark, staging, {"n": 4})
    _publish_killed_at(monkeypatch, spark, out, 7, killed_rename=1)  # staging never became ready
    assert json.loads((tmp_path / "out" / "_stats.json").read_text()) == {"n": 4}
    # an old output moved aside with nothing ready to replace it (as the previous publish left it)
    (tmp_path / "out").rename(tmp_path / ".out.replaced-0123456789ab")
    with atomic_output(spark, out) as staging:
        assert json.loads((tmp_path / "out" / "_stats.json").read_text()) == {"n": 4}
        spark.range(2).write.parquet(staging + "/data")
    assert spark.read.parquet(out + "/data").count() == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
