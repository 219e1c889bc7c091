"""spark-submit wins: a key given with --conf is not overridden by build_session's defaults."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import glob, json, sys
    import pyarrow.parquet as pq
    from refinery.spark.session import build_session

    spark = build_session("conf-test", conf=json.loads(sys.argv[2]), master="local[1]")
    jvm = spark.sparkContext._jvm
    hotspot = jvm.java.lang.management.ManagementFactory.getPlatformMXBean(
        jvm.java.lang.Class.forName("com.sun.management.HotSpotDiagnosticMXBean"))
    out = sys.argv[1]
    spark.range(10).write.parquet(out)
    codecs = {pq.ParquetFile(f).metadata.row_group(0).column(0).compression
              for f in glob.glob(out + "/*.parquet")}
    print(json.dumps({"codecs": sorted(codecs),
                      "batch": spark.conf.get("spark.sql.execution.arrow.maxRecordsPerBatch"),
                      "tz": spark.conf.get("spark.sql.session.timeZone"),
                      # the -Xmx the JVM took (Runtime.maxMemory() leaves out a survivor space under
                      # the serial collector, which a JVM on one CPU picks)
                      "heap_mb": int(hotspot.getVMOption("MaxHeapSize").getValue()) / 2**20,
                      "jvm_args": list(spark.sparkContext._jvm.java.lang.management.ManagementFactory
                                       .getRuntimeMXBean().getInputArguments())}))
""")


def _run(tmp_path, submit_args: str, conf: dict) -> dict:
    env = dict(os.environ, PYSPARK_SUBMIT_ARGS=submit_args + " pyspark-shell")
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "out"), json.dumps(conf)], env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_submitted_conf_wins_over_our_defaults(tmp_path):
    got = _run(tmp_path, "--conf spark.sql.parquet.compression.codec=snappy "
                         "--conf spark.sql.execution.arrow.maxRecordsPerBatch=77",
               conf={"spark.driver.memory": "1200m"})
    # the codec the user passed is the codec of the files (pyarrow reads it from the footer)
    assert got["codecs"] == ["SNAPPY"]
    assert got["batch"] == "77"
    assert got["tz"] == "UTC"  # a key the user did not set still gets our default
    # run as plain python, the job's own JVM settings reach the JVM it starts (it used to be
    # started bare first, at Spark's default 1 GiB heap, whatever the config said)
    assert got["heap_mb"] == 1200
    assert "-XX:TieredStopAtLevel=1" in got["jvm_args"]  # our short-lived-JVM default reached it


@pytest.mark.slow
def test_submitted_java_options_replace_ours(tmp_path):
    got = _run(tmp_path, "--driver-java-options -Drefinery.test=1", conf={})
    assert "-Drefinery.test=1" in got["jvm_args"] and "-XX:TieredStopAtLevel=1" not in got["jvm_args"]


def test_keys_set_before_launch_are_read_where_spark_submit_reads_them(tmp_path, monkeypatch):
    from pyspark import SparkContext

    from refinery.spark import session

    (tmp_path / "spark-defaults.conf").write_text("# a comment\nspark.executor.memory 4g\nspark.sql.shuffle.partitions=64\n")
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", "--driver-memory 3g --conf spark.sql.session.timeZone=Asia/Shanghai "
                                              "--conf=spark.a.b=1 pyspark-shell")
    monkeypatch.delenv("PYSPARK_GATEWAY_PORT", raising=False)
    monkeypatch.setattr(SparkContext, "_gateway", None)  # as in a fresh ``python job.py``: no JVM yet
    assert session.user_set_keys() == {"spark.executor.memory", "spark.sql.shuffle.partitions", "spark.driver.memory",
                                       "spark.sql.session.timeZone", "spark.a.b"}
