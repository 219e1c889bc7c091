"""`refinery run`: stages chain in one session, reruns skip committed stages, a run killed in
dedup resumes there and ends with the output of an uninterrupted run; the uninterrupted run goes
on to train with the mix's held-out split as eval shards and its anneal mixture as the last phase."""
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time

import pyarrow.dataset as ds
import pytest
import yaml

from refinery.config import ConfigError
from refinery.pipeline.config import PipelineConfig, StageSpec, TrainSpec
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


# the uninterrupted run's stages after dedup: a small tokenizer, a mix with a held-out split and an
# anneal mixture, a few WSD steps of the tiny model (1 rank) that anneal from step 4, the report
TRAINED = {
    "tokenizer": {"vocab_size": 2048, "sample_chars": 300_000},
    "mix": {"set": {"total_tokens": 20_000, "channels": [{"name": "zh", "ratio": 1, "lang": ["zh"]},
                                                          {"name": "en", "ratio": 1, "lang": ["en"]}],
                    "heldout": {"docs_per_channel": 6, "max_fraction": 0.2}, "anneal": {"tokens": 4000}}},
    "shards": {"chunk_tokens": 10_000},
    "train": {"enabled": True, "ranks": 1, "history": False,
              "set": ["train.max_steps=8", "schedule.kind=wsd", "schedule.decay_fraction=0.5", "eval.every_steps=4",
                      "checkpoint.every_steps=8", "log.every_steps=4", "deepspeed.zero_stage=0",
                      "stability.enabled=false"]},
    "report": True,
}


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


def test_an_anneal_mixture_needs_the_wsd_schedule_before_any_work(tmp_path):
    mix = StageSpec(set={"total_tokens": 100, "channels": [{"name": "zh", "ratio": 1}], "anneal": {"tokens": 10}})
    with pytest.raises(ConfigError, match=r"^train\.set: the mix writes anneal/.*schedule.kind is 'cosine'"):
        Pipeline(PipelineConfig(run_dir=str(tmp_path / "r"), input=[SAMPLE_JSONL], mix=mix,
                                train=TrainSpec(enabled=True)))
    Pipeline(PipelineConfig(run_dir=str(tmp_path / "r"), input=[SAMPLE_JSONL], mix=mix,
                            train=TrainSpec(enabled=True, set=["schedule.kind=wsd"])))
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
    # an uninterrupted run, through training
    clean_run = _run(_config(tmp_path, "a", **TRAINED))
    log, _ = clean_run.communicate(timeout=1500)
    assert clean_run.returncode == 0, log[-3000:]
    _check_heldout_training(tmp_path / "a")

    # the same pipeline, SIGKILLed once dedup has started. Its run directory starts as a copy of
    # the first run's committed ingest, clean and score (outputs and _pipeline records), which both
    # launches must skip: same stage configs, same input, so the same fingerprints.
    config = _config(tmp_path, "b")
    (tmp_path / "b" / "_pipeline").mkdir(parents=True)
    for stage in ("ingest", "clean", "score"):
        shutil.copytree(tmp_path / "a" / stage, tmp_path / "b" / stage)
        shutil.copy2(tmp_path / "a" / "_pipeline" / f"{stage}.json", tmp_path / "b" / "_pipeline")
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
    for stage in ("ingest", "clean", "score"):
        assert any(line.startswith(f"[{stage:9s}] skipped") for line in lines), "".join(lines)[-3000:]
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


def _check_heldout_training(run):
    """The held-out split is evaluated during training per channel, the anneal phase ran from the
    WSD decay start, the final evaluation and the report use the held-out shards."""
    from refinery.tokenize.shards import ShardChunk, list_chunks

    heldout = _rows(run / "mix" / "heldout")
    trained = set(_rows(run / "mix" / "data")) | set(_rows(run / "mix" / "anneal"))
    # per channel min(docs_per_channel, floor(max_fraction x the channel's documents)), counted on the mix's input
    langs = ds.dataset(str(run / "dedup" / "kept"), format="parquet", partitioning="hive").to_table(columns=["lang"])
    langs = langs.column("lang").to_pylist()
    expected = sum(min(6, int(0.2 * langs.count(lang))) for lang in ("zh", "en"))
    assert len(heldout) == expected > 0 and not set(heldout) & trained
    assert sorted(d for p in list_chunks(str(run / "shards" / "heldout")) for d in ShardChunk(p).doc_ids()) == heldout
    rows = [json.loads(line) for line in (run / "train" / "metrics.jsonl").read_text().splitlines()]
    evals = [r for r in rows if "eval_loss" in r]
    assert [r["step"] for r in evals] == [4, 8]
    assert all({"eval_loss/zh", "eval_loss/en"} <= set(r) for r in evals)
    [phase] = [r for r in rows if r.get("event") == "phase" and r["phase"] == "anneal"]
    assert phase["step"] == 4 and phase["shards"] == str(run / "shards" / "anneal")
    result = json.loads((run / "train" / "eval.json").read_text())
    assert set(result["heldout"]["channels"]) == {"zh", "en"}
    # the exported model on the same held-out windows (trainer.evaluate, HF) = the loop's last eval (DeepSpeed)
    assert result["heldout"]["tokens"] == evals[-1]["eval_tokens"]
    assert math.log(result["heldout"]["perplexity"]) == pytest.approx(evals[-1]["eval_loss"], rel=1e-4)
    page = (run / "report.html").read_text()
    assert "Held-out loss per channel during training</h2><figure><svg" in page
