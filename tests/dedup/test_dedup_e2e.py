"""spark-submit of jobs/dedup.py on a standalone cluster (2 workers) gives the output of
the in-process local[2] run of the benchmark (``test_dedup_job.benchmark``)."""
import subprocess

import pytest
import yaml

from tests.dedup.outputs import assert_same_dedup_output, read_dedup_output
from tests.dedup.test_dedup_job import CONFIG, benchmark  # noqa: F401 (fixture)
from tests.spark.cluster import spark_submit, standalone_cluster

pytestmark = pytest.mark.slow


def test_standalone_cluster_matches_local(benchmark, tmp_path):  # noqa: F811
    config = tmp_path / "dedup.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    out = tmp_path / "cluster"
    with standalone_cluster(tmp_path) as master:
        proc = spark_submit(["jobs/dedup.py", "--input", benchmark["inputs"], "--output", str(out), "--config", str(config)],
                            master=master, conf={"spark.executor.memory": "768m", "spark.executor.cores": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        log, _ = proc.communicate(timeout=1200)
    log = log.decode(errors="replace")
    assert proc.returncode == 0, log[-4000:]
    assert f"rows in {len(benchmark['docs'])}" in log
    assert_same_dedup_output(benchmark["out"], read_dedup_output(out))
