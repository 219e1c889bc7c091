"""`make dist` ships what YARN gets: the code zip (--py-files), the packed virtualenv and the
models (spark.archives). A standalone cluster whose workers see neither this checkout nor the
project's virtualenv runs the ingest job (on the faulty corpus) from those three files and gets
exactly the local result."""
import os
import subprocess
import sys

import pytest

from tests.ingest.fault_corpus import write_fault_corpus
from tests.ingest.outputs import assert_same_output
from tests.spark.cluster import REPO, SPARK_HOME, spark_env, standalone_cluster


@pytest.mark.slow
def test_dist_archives_run_the_ingest_job_on_a_standalone_cluster(tmp_path, spark):
    # The executors' env without the `executor` extra (torch): same target, a quarter of the build time.
    dist = tmp_path / "dist"
    subprocess.run(["make", "dist", "DIST_EXTRAS=", f"DIST_VENV={tmp_path / 'venv'}", f"DIST_DIR={dist}",
                    "DIST_COMPRESS=1", f"PYTHON={sys.executable}"],
                   cwd=REPO, check=True, stdout=subprocess.DEVNULL, timeout=900)
    for name in ("refinery.zip", "refinery-env.tar.gz", "models.tar.gz"):
        assert (dist / name).stat().st_size > 0, name

    # Workers: no PYTHONPATH to this checkout, no PYSPARK_PYTHON pointing at our venv.
    env = spark_env()
    env.pop("PYTHONPATH")
    env.pop("PYSPARK_PYTHON")
    inputs = tmp_path / "in"
    write_fault_corpus(inputs)  # every fault the ingest job must account for
    out = tmp_path / "ingest"
    with standalone_cluster(tmp_path, workers=2, env=env) as master:
        cmd = [str(SPARK_HOME / "bin" / "spark-submit"), "--master", master,
               "--py-files", str(dist / "refinery.zip"),
               # models/ (lid.176.ftz) unpacks in each executor's working directory
               "--conf", f"spark.archives={dist / 'refinery-env.tar.gz'}#env,{dist / 'models.tar.gz'}#models",
               "--conf", "spark.pyspark.python=./env/bin/python",
               "--conf", f"spark.pyspark.driver.python={sys.executable}",
               "--conf", "spark.ui.enabled=false",
               str(REPO / "jobs" / "ingest.py"), "--input", str(inputs), "--output", str(out)]
        proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
    # the archive was unpacked next to the executors on both workers
    unpacked = [root for root, dirs, _ in os.walk(tmp_path) if root.endswith(os.sep + "env") and "bin" in dirs]
    assert any("worker0" in p for p in unpacked) and any("worker1" in p for p in unpacked)

    from refinery.spark.ingest import run
    from refinery.ingest.config import IngestConfig
    from refinery.ingest.readers import list_input_files

    local = tmp_path / "local"
    run(spark, list_input_files([str(inputs)]), str(local), IngestConfig())
    assert_same_output(local, out)
