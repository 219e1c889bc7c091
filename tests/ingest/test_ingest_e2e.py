"""End to end through spark-submit: a run killed with SIGKILL mid-write leaves no partial
dataset behind. (That a standalone cluster gives the same output as local is shown by
tests/spark/test_dist.py, on the cluster set-up YARN users get: shipped archives.)

The local reference runs use the test session (in-process, local[2]); only what needs a
separate process (a cluster run, a process to kill) goes through spark-submit, because
each spark-submit costs a JVM start on CI's 2 cores.
"""
import os
import signal
import subprocess
import time

import pytest

import refinery.spark.ingest as ingest_job
from refinery.config import load_config
from refinery.ingest.config import IngestConfig
from refinery.ingest.readers import list_input_files
from tests.ingest.fault_corpus import write_fault_corpus
from tests.ingest.outputs import assert_same_output, read_output
from tests.spark.cluster import REPO, spark_submit

pytestmark = pytest.mark.slow
SAMPLE_INPUTS = [str(REPO / "sample" / "data" / "warc"), str(REPO / "sample" / "data" / "jsonl")]


def _ingest_in_process(spark, inputs, out, **overrides):
    cfg = load_config(None, IngestConfig, overrides)
    return ingest_job.run(spark, list_input_files(inputs), str(out), cfg)


def _staging_has_data(parent, name):
    return any(any(entry.rglob("*.parquet")) for entry in parent.glob(f".{name}.staging-*"))


def test_sigkill_during_write_then_rerun_equals_clean_run(spark, tmp_path):
    _ingest_in_process(spark, SAMPLE_INPUTS, tmp_path / "clean")

    # An older complete output sits where the killed job writes: readers must keep seeing it.
    older = tmp_path / "faults"
    write_fault_corpus(older)
    out = tmp_path / "out"
    _ingest_in_process(spark, [str(older)], out)
    before = read_output(out)

    proc = spark_submit(["jobs/ingest.py", "--input", *SAMPLE_INPUTS, "--output", str(out), "--set", "batch_size=64"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while not _staging_has_data(tmp_path, "out"):
        assert proc.poll() is None, "the job ended before it could be killed"
        assert time.time() < deadline, "the job never started writing"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()

    after_kill = read_output(out)  # the old output, whole
    assert after_kill["stats"] == before["stats"] and after_kill["kept"].equals(before["kept"])
    assert list(tmp_path.glob(".out.staging-*")), "the killed run should have left its staging directory"

    _ingest_in_process(spark, SAMPLE_INPUTS, out)
    assert_same_output(tmp_path / "clean", out)
    assert not list(tmp_path.glob(".out.*")), "the rerun must clear what the killed run left"
