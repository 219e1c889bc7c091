"""spark-submit jobs/score.py with its default config and the shipped default models, on the
bundled sample ingested first (the path a fresh clone takes): the job runs, accounts for every
row, and _stats.json carries the per-category bias check."""
import json
import subprocess

import pytest

from tests.spark.cluster import spark_submit

pytestmark = pytest.mark.slow


def test_default_models_score_the_bundled_sample(spark, tmp_path):
    import refinery.spark.ingest as ingest_job
    from refinery.config import load_config
    from refinery.ingest.config import IngestConfig
    from refinery.ingest.readers import list_input_files
    from refinery.demo import SAMPLE

    ingest_stats = ingest_job.run(spark, list_input_files([str(SAMPLE / "warc"), str(SAMPLE / "jsonl")]),
                                  str(tmp_path / "ingest"), load_config(None, IngestConfig))
    proc = spark_submit(["jobs/score.py", "--input", str(tmp_path / "ingest"), "--output", str(tmp_path / "score")],
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out, _ = proc.communicate(timeout=900)
    assert proc.returncode == 0, out[-3000:]
    stats = json.loads((tmp_path / "score" / "_stats.json").read_text())
    assert stats["rows_in"] == ingest_stats["rows_kept"] == stats["rows_kept"] + stats["rows_rejected"]
    assert set(stats["rejected_by_reason"]) <= {"score.quality_below_threshold"}
    bias = stats["bias_check"]
    for group in ("prose", "code"):
        assert bias["summary"][group]["rows"] > 50, bias["summary"]
    # spam is what the scorer is for: most of it goes
    assert bias["by_category"]["ads_spam"]["keep_rate"] < 0.5, bias["by_category"]["ads_spam"]
    assert "keep rate per-category thresholds vs one global threshold" in out
