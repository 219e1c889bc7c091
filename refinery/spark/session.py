"""Build the SparkSession every job uses.

The master is whatever ``spark-submit --master`` gave; run as plain ``python`` it is
PySpark's default, ``local[*]``. Arrow is always on: operators see Arrow batches.
"""
from __future__ import annotations

import os
import sys

DEFAULT_CONF = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "1024",
    "spark.sql.session.timeZone": "UTC",
    # a worker process keeps its loaded models between tasks (see executor_cache)
    "spark.python.worker.reuse": "true",
    # _SUCCESS files only clutter our own atomic commit
    "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
    "spark.sql.parquet.compression.codec": "zstd",
}


def build_session(app_name: str, conf: dict | None = None, master: str | None = None, arrow_batch_size: int | None = None):
    """Get or create the session; ``conf`` entries win over the defaults above.

    ``SPARK_LOCAL_IP`` defaults to loopback so a laptop or CI box never binds a public
    interface; on a cluster the launcher's environment sets it.
    """
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    merged = dict(DEFAULT_CONF)
    if arrow_batch_size:
        merged["spark.sql.execution.arrow.maxRecordsPerBatch"] = str(arrow_batch_size)
    merged.update({k: str(v) for k, v in (conf or {}).items()})
    if master and master.startswith("local"):
        # local workers run this interpreter (its venv has pyarrow, fasttext …), not `python3` off
        # PATH; PySpark reads the variable when the context starts
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in merged.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(os.environ.get("REFINERY_SPARK_LOG_LEVEL", "WARN"))
    return spark


def ui_address(spark) -> str | None:
    return spark.sparkContext.uiWebUrl
