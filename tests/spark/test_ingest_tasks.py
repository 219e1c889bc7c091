"""Ingest's files packed into tasks as Spark packs a file scan (refinery.spark.ingest_tasks).

The oracle for the task count is Spark's own file source on files of one size (its packing
sorts by size first, which for equal sizes is no reorder); hypothesis checks the packing's
invariants on any sizes.
"""
import gzip

from hypothesis import given, settings
from hypothesis import strategies as st

from refinery.spark.ingest_tasks import pack_files, plan_tasks, split_bytes

MB = 1 << 20


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 300 * MB)), max_size=60),
       st.integers(1, 256 * MB), st.integers(0, 8 * MB))
def test_tasks_cover_the_files_in_order_and_are_full(sizes, max_bytes, open_cost):
    bounds = pack_files(sizes, max_bytes, open_cost)
    if not sizes:
        assert bounds == [0, 0]  # one empty task
        return
    assert bounds[0] == 0 and bounds[-1] == len(sizes)
    assert all(a < b for a, b in zip(bounds, bounds[1:]))
    cost = [(s or 0) + open_cost for s in sizes]
    for a, b in zip(bounds, bounds[1:]):
        task = sum(cost[a:b])
        # a task holds more than the cap only when it is one file (a file is never split) ...
        assert b - a == 1 or sum(cost[a:b - 1]) + (sizes[b - 1] or 0) <= max_bytes
        # ... and it closed only because the next file would not fit (next fit)
        if b < len(sizes):
            assert task + (sizes[b] or 0) > max_bytes


def test_small_inputs_still_give_every_core_a_task():
    sizes = [1 * MB] * 8
    assert split_bytes(sizes, 128 * MB, 4 * MB, 4) == 10 * MB
    assert len(pack_files(sizes, 10 * MB, 4 * MB)) - 1 == 4


def test_task_count_matches_spark_on_files_of_one_size(spark, tmp_path):
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(3 * MB))
    spark.conf.set("spark.sql.files.openCostInBytes", str(256 << 10))
    try:
        payload = bytes(range(256)) * (1 << 12)  # 1 MiB that gzip cannot shrink much
        for i in range(11):
            (tmp_path / f"f{i:02d}.txt.gz").write_bytes(gzip.compress(payload, compresslevel=0))
        files = sorted(map(str, tmp_path.glob("*.gz")))
        spark_tasks = spark.read.text(str(tmp_path)).rdd.getNumPartitions()
        ours = len(plan_tasks(spark, files, None)) - 1
        assert ours == spark_tasks > 2
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
        spark.conf.unset("spark.sql.files.openCostInBytes")


def test_files_per_task_keeps_a_fixed_count(spark):
    assert plan_tasks(spark, [f"f{i}.warc.gz" for i in range(7)], 3) == [0, 3, 6, 7]
    assert plan_tasks(spark, [], 3) == [0, 0]
    assert plan_tasks(spark, [], None) == [0, 0]
