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

    spark = build_session("conf-test", master="local[1]")
    out = sys.argv[1]
    spark.range(10).write.parquet(out)
    codecs = {pq.ParquetFile(f).metadata.row_group(0).column(0).compression
              for f in glob.glob(out + "/*.parquet")}
    print(json.dumps({"codecs": sorted(codecs),
                      "batch": spark.conf.get("spark.sql.execution.arrow.maxRecordsPerBatch"),
                      "tz": spark.conf.get("spark.sql.session.timeZone")}))
""")


def _run(tmp_path, submit_args: str) -> dict:
    env = dict(os.environ, PYSPARK_SUBMIT_ARGS=submit_args + " pyspark-shell")
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "out")], env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_submitted_conf_wins_over_our_defaults(tmp_path):
    got = _run(tmp_path, "--conf spark.sql.parquet.compression.codec=snappy "
                         "--conf spark.sql.execution.arrow.maxRecordsPerBatch=77")
    # the codec the user passed is the codec of the files (pyarrow reads it from the footer)
    assert got["codecs"] == ["SNAPPY"]
    assert got["batch"] == "77"
    assert got["tz"] == "UTC"  # a key the user did not set still gets our default
