"""`make dist` ships what YARN gets: the code zip (--py-files), the packed virtualenv and the
models (spark.archives). A standalone cluster whose workers see neither this checkout nor the
project's virtualenv runs the ingest job (on the faulty corpus) and then the score job on its
output from those three files, and gets exactly the local results. The workers import the code
from the zip and run in their own directories, so only the models archive can give them the
models (the relative ``models/…`` of the default config resolves in each executor's cwd)."""
import os
import subprocess
import sys
import tarfile

import pytest

from tests.ingest.fault_corpus import write_fault_corpus
from tests.ingest.outputs import assert_same_output
from tests.spark.cluster import REPO, SPARK_HOME, spark_env, standalone_cluster


@pytest.mark.slow
def test_dist_archives_run_ingest_then_score_on_a_standalone_cluster(tmp_path, spark):
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
    scored = tmp_path / "score"
    # The driver checks the models and reads the thresholds too: in client mode it runs where the
    # user unpacked the same archive (its imports come from the zip, so no checkout models/ either).
    submit_dir = tmp_path / "submit"
    with tarfile.open(dist / "models.tar.gz") as tar:
        tar.extractall(submit_dir / "models", filter="data")
    with standalone_cluster(tmp_path, workers=2, env=env) as master:
        def submit(job, *args):
            cmd = [str(SPARK_HOME / "bin" / "spark-submit"), "--master", master,
                   "--py-files", str(dist / "refinery.zip"),
                   # models/ (lid.176.ftz, domain.ftz, quality.ftz, …) unpacks in each executor's working directory
                   "--conf", f"spark.archives={dist / 'refinery-env.tar.gz'}#env,{dist / 'models.tar.gz'}#models",
                   "--conf", "spark.pyspark.python=./env/bin/python",
                   "--conf", f"spark.pyspark.driver.python={sys.executable}",
                   "--conf", "spark.ui.enabled=false",
                   str(REPO / "jobs" / f"{job}.py"), *args]
            proc = subprocess.run(cmd, env=env, cwd=submit_dir, capture_output=True, text=True, timeout=600)
            assert proc.returncode == 0, proc.stderr[-3000:]

        submit("ingest", "--input", str(inputs), "--output", str(out))
        # the executors' env has no torch (DIST_EXTRAS=): the fastText half of the cascade only
        submit("score", "--input", str(out), "--output", str(scored), "--set", "cascade.mode=fasttext")
    # the archives were unpacked next to the executors on both workers
    for name, inside in (("env", "bin"), ("models", "quality_bert")):
        unpacked = [root for root, dirs, _ in os.walk(tmp_path) if root.endswith(os.sep + name) and inside in dirs]
        assert any("worker0" in p for p in unpacked) and any("worker1" in p for p in unpacked), name

    from refinery.spark.ingest import run
    from refinery.ingest.config import IngestConfig
    from refinery.ingest.readers import list_input_files

    local = tmp_path / "local"
    run(spark, list_input_files([str(inputs)]), str(local), IngestConfig())
    assert_same_output(local, out)

    import pyarrow.dataset as ds

    from refinery.config import load_config
    from refinery.scoring.config import ScoreConfig
    from refinery.spark.score import run as score

    local_scored = tmp_path / "local-score"  # this checkout's models/, this machine's Python workers
    score(spark, [str(local)], str(local_scored), load_config(None, ScoreConfig, {"cascade": {"mode": "fasttext"}}))
    assert_same_output(local_scored, scored)
    a, b = (ds.dataset(str(d / "kept")).to_table(columns=["doc_id", "category", "quality_score"]).sort_by("doc_id")
            for d in (local_scored, scored))
    assert a.equals(b) and a.num_rows > 0
