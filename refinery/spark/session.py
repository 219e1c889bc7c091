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


def user_set_keys() -> set[str]:
    """Keys spark-submit already set (``--conf``, ``spark-defaults.conf``, ``PYSPARK_SUBMIT_ARGS``).

    spark-submit hands them to the driver JVM as ``spark.*`` system properties, which a
    ``SparkConf()`` loads; ``builder.config`` would override them, so ours must step aside.
    """
    from pyspark import SparkConf, SparkContext

    SparkContext._ensure_initialized()  # starts (or joins) the JVM gateway spark-submit prepared
    # only the JVM's system properties: an already running context's own settings (ours, from an
    # earlier build_session in this process) do not count as the user's
    return {k for k, _ in SparkConf().getAll()}


def build_session(app_name: str, conf: dict | None = None, master: str | None = None, arrow_batch_size: int | None = None):
    """Get or create the session: ``conf`` (the job config's ``spark:`` keys) always applies;
    ``DEFAULT_CONF`` and ``arrow_batch_size`` only where spark-submit set nothing.

    ``SPARK_LOCAL_IP`` defaults to loopback so a laptop or CI box never binds a public
    interface; on a cluster the launcher's environment sets it.
    """
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    if master and master.startswith("local"):
        # local workers run this interpreter (its venv has pyarrow, fasttext …), not `python3` off
        # PATH; PySpark reads the variable when the context starts
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    defaults = dict(DEFAULT_CONF)
    if arrow_batch_size:
        defaults["spark.sql.execution.arrow.maxRecordsPerBatch"] = str(arrow_batch_size)
    taken = user_set_keys()
    merged = {k: v for k, v in defaults.items() if k not in taken}
    merged.update({k: str(v) for k, v in (conf or {}).items()})
    for key, value in merged.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(os.environ.get("REFINERY_SPARK_LOG_LEVEL", "WARN"))
    return spark


def ui_address(spark) -> str | None:
    return spark.sparkContext.uiWebUrl
