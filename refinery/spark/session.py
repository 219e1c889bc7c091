"""Build the SparkSession every job uses.

The master is whatever ``spark-submit --master`` gave; run as plain ``python`` it is
PySpark's default, ``local[*]``. Arrow is always on: operators see Arrow batches.
"""
from __future__ import annotations

import os
import re
import shlex
import sys

# The JVM side of these jobs is light (Arrow in, Parquet out; the work is in Python workers), and a
# job's JVM lives minutes: C2's optimised code does not pay back the CPU its compiler threads take
# from the workers on the same cores. C1 only: the ingest job on one core 35-41 -> 29 s at 100 MB,
# 72.8 -> 57.3 s at 300 MB (BENCHMARKS.md, session 26); a small dedup job -33% CPU (session 24).
# C1 alone reserves a 48 MB code cache (the tiered default is 240 MB): a driver that runs many
# jobs (the test session, a pipeline) filled it with Spark's generated code and failed with
# "Out of space in CodeCache for adapters"; the reservation is address space, not memory.
SHORT_LIVED_JVM = "-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m"

DEFAULT_CONF = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "1024",
    "spark.sql.session.timeZone": "UTC",
    # a worker process keeps its loaded models between tasks (see executor_cache)
    "spark.python.worker.reuse": "true",
    # _SUCCESS files only clutter our own atomic commit
    "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
    "spark.sql.parquet.compression.codec": "zstd",
    # only where spark-submit set none (a cluster's own JVM options win); the driver's reaches a
    # JVM this process starts (plain ``python job.py``), not one spark-submit already started
    "spark.driver.extraJavaOptions": SHORT_LIVED_JVM,
    "spark.executor.extraJavaOptions": SHORT_LIVED_JVM,
}


def user_set_keys() -> set[str]:
    """Keys the user already set (``--conf``, ``spark-defaults.conf``, ``PYSPARK_SUBMIT_ARGS``).

    Under spark-submit the driver JVM is running and holds them as ``spark.*`` system
    properties, which a ``SparkConf()`` loads; ``builder.config`` would override them, so ours
    must step aside. Run as plain ``python`` there is no JVM yet, and starting one here would
    fix its heap and JVM options before the session's ``spark.driver.memory`` or
    ``spark.driver.extraJavaOptions`` reach it, so the keys are read from where spark-submit
    will read them.
    """
    from pyspark import SparkConf, SparkContext

    if SparkContext._gateway is None and "PYSPARK_GATEWAY_PORT" not in os.environ:
        return _keys_before_launch()
    SparkContext._ensure_initialized()  # joins the JVM gateway spark-submit prepared
    # only the JVM's system properties: an already running context's own settings (ours, from an
    # earlier build_session in this process) do not count as the user's
    return {k for k, _ in SparkConf().getAll()}


# spark-submit options that are conf keys under another name
SUBMIT_OPTION_KEYS = {"--master": "spark.master", "--name": "spark.app.name", "--driver-memory": "spark.driver.memory",
                      "--driver-java-options": "spark.driver.extraJavaOptions", "--driver-cores": "spark.driver.cores",
                      "--executor-memory": "spark.executor.memory", "--executor-cores": "spark.executor.cores",
                      "--num-executors": "spark.executor.instances", "--deploy-mode": "spark.submit.deployMode"}


def _keys_before_launch() -> set[str]:
    """Keys in ``PYSPARK_SUBMIT_ARGS`` and in the ``spark-defaults.conf`` spark-submit will read."""
    keys = set()
    args = shlex.split(os.environ.get("PYSPARK_SUBMIT_ARGS", ""))
    for i, arg in enumerate(args):
        if arg in ("--conf", "-c") and i + 1 < len(args):
            keys.add(args[i + 1].split("=", 1)[0])
        elif arg.startswith("--conf="):
            keys.add(arg.removeprefix("--conf=").split("=", 1)[0])
        elif arg in SUBMIT_OPTION_KEYS:
            keys.add(SUBMIT_OPTION_KEYS[arg])
    from pyspark.find_spark_home import _find_spark_home  # the home PySpark launches spark-submit from

    conf_dir = os.environ.get("SPARK_CONF_DIR") or os.path.join(_find_spark_home(), "conf")
    defaults = os.path.join(conf_dir, "spark-defaults.conf")
    if os.path.isfile(defaults):
        with open(defaults) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    keys.add(re.split(r"[\s=]", line, maxsplit=1)[0])
    return keys


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
