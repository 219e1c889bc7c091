"""`refinery run`: stages chain in one session, reruns skip committed stages, a run killed in
dedup resumes there and ends with the output of an uninterrupted run."""
import json
import os
import signal
import subprocess
import sys
import time

import pyarrow.dataset as ds
import pytest
import yaml

from refinery.config import ConfigError
from refinery.pipeline.config import PipelineConfig, StageSpec
from refinery.pipeline.run import Pipeline
from tests.spark.cluster import REPO, spark_env

# one JSONL file of the sample (zh, en and code): enough for every stage, cheap on 2 cores
SAMPLE_JSONL = str(REPO / "sample" / "data" / "jsonl" / "part-00002.jsonl.zst")


def _config(tmp_path, name, **extra) -> str:
    cfg = {"run_dir": str(tmp_path / name), "input": [SAMPLE_JSONL], "master": "local[2]",
           "spark": {"spark.sql.shuffle.partitions": "4", "spark.ui.enabled": "false"},
           "tokenizer": {"enabled": False}, "mix": {"enabled": False}, "shards": {"enabled": False},
           "report": False, **extra}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return str(path)


def _run(config: str, *args, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "refinery.cli", "run", config, *args], cwd=REPO,
                            env=spark_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen)


def _rows(path, column="doc_id"):
    return sorted(ds.dataset(str(path), format="parquet", partitioning="hive").to_table(columns=[column])
                  .column(0).to_pylist())


def test_bad_stage_config_stops_before_any_work(tmp_path):
    with pytest.raises(ConfigError, match=r"^clean\.no_such_key: unknown key"):
        Pipeline(PipelineConfig(run_dir=str(tmp_path / "r"), input=[SAMPLE_JSONL],
                                clean=StageSpec(set={"no_such_key": 1})))
    assert not (tmp_path / "r").exists()


def test_the_old_tokenize_section_points_at_shards(tmp_path):
    from refinery.pipeline.run import main

    cfg = tmp_path / "p.yaml"
    cfg.write_text(f"input: [{SAMPLE_JSONL}]\ntokenize: {{chunk_tokens: 5}}\n")
    assert main([str(cfg), "--set", f"run_dir={tmp_path / 'r'}"]) == 2
    cfg.write_text(f"input: [{SAMPLE_JSONL}]\nshards: {{chunk_tokens: 5}}\n")
    from refinery.config import load_config

    assert load_config(str(cfg), PipelineConfig).shards.chunk_tokens == 5


@pytest.mark.slow
def test_killed_in_dedup_resumes_there_with_the_uninterrupted_output(tmp_path):
    # an uninterrupted run up to dedup
    clean_run = _run(_config(tmp_path, "a"), "--until", "dedup")
    log, _ = clean_run.communicate(timeout=900)
    assert clean_run.returncode == 0, log[-3000:]

    # the same pipeline, SIGKILLed once dedup has started
    config = _config(tmp_path, "b")
    proc = _run(config, "--until", "dedup", start_new_session=True)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("[dedup") and "running" in line:
            time.sleep(3)
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "".join(lines)[-3000:]
    assert not (tmp_path / "b" / "_pipeline" / "dedup.json").exists()

    rerun = _run(config, "--until", "dedup")
    log, _ = rerun.communicate(timeout=900)
    assert rerun.returncode == 0, log[-3000:]
    for stage in ("ingest", "clean", "score"):
        assert f"[{stage:9s}] skipped" in log
    assert "[dedup    ] running" in log
    for part in ("kept", "duplicates"):
        assert _rows(tmp_path / "b" / "dedup" / part) == _rows(tmp_path / "a" / "dedup" / part)
    a = json.loads((tmp_path / "a" / "dedup" / "_stats.json").read_text())
    b = json.loads((tmp_path / "b" / "dedup" / "_stats.json").read_text())
    assert (a["rows_in"], a["rows_kept"], a["rows_duplicate"]) == (b["rows_in"], b["rows_kept"], b["rows_duplicate"])
