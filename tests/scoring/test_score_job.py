"""jobs/score.py: same scores as the scorer called directly, accounting, bias check, and
clear errors before Spark for missing or corrupt models."""
import json
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import refinery.spark.score as score_job
from refinery.spark.job import job_main
from refinery.scoring.operator import REASON, QualityScorer
from schemas import SCORED, validate_dataset
from tests.scoring.corpus import documents
from tests.scoring.test_operator import doc_batch


@pytest.fixture(scope="module")
def scored(spark, tmp_path_factory, score_config, tiny_models):
    """The job given its models as file:// URIs (shipped by SparkContext.addFile, read from each
    executor's fetched copy, which is the only way a URI resolves); ``cfg``: the same models by path."""
    root = tmp_path_factory.mktemp("score")
    rows = documents(90, seed=21)
    batch = doc_batch(rows)
    lang = ["zh" if any("\u4e00" <= ch <= "\u9fff" for ch in r["text"]) else "en" for r in rows]
    batch = pa.RecordBatch.from_arrays(batch.columns + [pa.array(lang)], names=batch.schema.names + ["lang"])
    (root / "in" / "kept").mkdir(parents=True)
    pq.write_table(pa.Table.from_batches([batch]), root / "in" / "kept" / "part-0.parquet")
    cfg = score_config()
    models = tiny_models[0]
    shipped = score_config(models={"domain": f"file://{models}/domain.bin", "fasttext_quality": f"file://{models}/quality.bin",
                                   "bert_quality": f"file://{models}/quality_bert"})
    stats = score_job.run(spark, [str(root / "in")], str(root / "out"), shipped)
    return batch, cfg, stats, root / "out"


def test_job_scores_equal_the_direct_scorer(scored):
    batch, cfg, stats, out = scored
    direct = QualityScorer(cfg).score(batch.column("text"))
    kept = ds.dataset(out / "kept").to_table().to_pandas()
    rejected = ds.dataset(out / "rejected", partitioning="hive").to_table().to_pandas()
    by_id = dict(zip(batch.column("doc_id").to_pylist(), range(batch.num_rows)))
    assert len(kept) + len(rejected) == batch.num_rows == stats["rows_in"]
    assert stats["rows_kept"] == len(kept) and stats["rejected_by_reason"].get(REASON, 0) == len(rejected)
    idx = [by_id[d] for d in kept["doc_id"]]
    for col in ("category_score", "fasttext_quality", "quality_score"):
        np.testing.assert_allclose(kept[col].to_numpy(), direct[col].to_numpy()[idx], atol=1e-5)
    assert kept["category"].tolist() == [direct["category"][i].as_py() for i in idx]
    ridx = [by_id[d] for d in rejected["doc_id"]]
    np.testing.assert_allclose(rejected["value"].to_numpy(), direct["quality_score"].to_numpy()[ridx], atol=1e-5)
    assert (rejected["value"] < rejected["threshold"]).all()
    validate_dataset(str(out / "kept"), SCORED)


def test_stats_carry_the_bias_check(scored):
    _, _, stats, out = scored
    on_disk = json.loads((out / "_stats.json").read_text())
    bias = on_disk["bias_check"]
    assert set(bias["by_category"]) <= set(on_disk["by_category"])
    for cat, e in bias["by_category"].items():
        assert e["rows"] == on_disk["by_category"][cat]["rows_in"]
        assert e["kept"] == on_disk["by_category"][cat]["rows_kept"]
        assert 0 <= e["global_threshold_removed"] <= e["rows"]
    assert "code" in bias["summary"] and "prose" in bias["summary"] and "markdown_docs" in bias["summary"]
    assert bias["summary"]["code"]["rows"] == bias["by_category"]["code"]["rows"]


def test_kept_rate_per_category_and_language_and_loss_warnings(scored):
    """Oracle: the scorer called directly on the input rows with the job's thresholds."""
    from refinery.scoring.operator import resolve_thresholds

    batch, cfg, stats, out = scored
    direct = QualityScorer(cfg).score(batch.column("text"))
    cut = resolve_thresholds(cfg).for_categories(direct["category"])
    kept = direct["quality_score"].to_numpy(zero_copy_only=False) >= cut
    expected = {}
    for cat, lang, k in zip(direct["category"].to_pylist(), batch.column("lang").to_pylist(), kept):
        e = expected.setdefault(f"{cat}/{lang or 'unknown'}", [0, 0])
        e[0] += 1
        e[1] += int(k)
    got = json.loads((out / "_stats.json").read_text())["bias_check"]
    assert {k: [v["rows_in"], v["rows_kept"]] for k, v in got["by_category_lang"].items()} == expected
    per_cat = {}
    for key, (n, k) in expected.items():
        c = per_cat.setdefault(key.split("/")[0], [0, 0])
        c[0] += n
        c[1] += k
    losing = {c for c, (n, k) in per_cat.items() if n - k > n / 2}
    assert "ads_spam" in losing  # spam is what the scorer removes
    assert {w.split(" category ")[1].split(" ")[0] for w in got["warnings"]} == losing
    assert all(w.startswith("[score] WARNING: category ") and "\n" not in w for w in got["warnings"])
    report = score_job.format_report(stats)
    assert "kept rate by category/lang" in report and all(w in report.splitlines() for w in got["warnings"])


def run_main(*args):
    return subprocess.run([sys.executable, "jobs/score.py", *args], capture_output=True, text=True, timeout=120)


def test_missing_or_corrupt_model_fails_before_spark(tmp_path, tiny_models, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tiny_models[0]
    docs = tmp_path / "docs"  # a valid input, so the model is what fails
    docs.mkdir()
    pq.write_table(pa.table({"doc_id": ["a"], "text": ["a document"]}), docs / "a.parquet")
    r = run_main("--input", str(docs), "--output", str(tmp_path / "o"), "--set", f"models.domain={tmp_path}/nope.ftz")
    assert r.returncode == 2 and "model error" in r.stderr and "nope.ftz" in r.stderr
    assert "Spark" not in r.stdout  # no session was started
    bad = tmp_path / "bert"
    bad.mkdir()
    for f in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        (bad / f).write_bytes((root / "quality_bert" / f).read_bytes())
    (bad / "model.safetensors").write_bytes((root / "quality_bert" / "model.safetensors").read_bytes()[:1000])
    # in-process this time (the subprocess above showed the exit code): main returns before Spark
    rc = job_main(score_job.STAGE, ["--input", str(docs), "--output", str(tmp_path / "o"), "--set", f"models.domain={root}/domain.bin",
                         f"models.fasttext_quality={root}/quality.bin", f"models.bert_quality={bad}"])
    err = capsys.readouterr().err
    assert rc == 2 and "cannot be loaded" in err and str(bad) in err
    assert not (tmp_path / "o").exists()


def test_a_missing_shipped_model_is_one_line_once_spark_runs(spark, tmp_path, tiny_models, monkeypatch, capsys):
    """A URI can only be checked through Hadoop's FileSystem: the job exits 2 with one line
    naming it before any task runs, and writes nothing."""
    monkeypatch.setattr("refinery.spark.session.build_session", lambda *a, **k: spark)
    root = tiny_models[0]
    docs = tmp_path / "docs"
    docs.mkdir()
    pq.write_table(pa.table({"doc_id": ["a"], "text": ["a document"]}), docs / "a.parquet")
    missing = f"file://{tmp_path}/nowhere/domain.bin"
    rc = job_main(score_job.STAGE, ["--input", str(docs), "--output", str(tmp_path / "o"), "--set", f"models.domain={missing}", "cascade.mode=fasttext",
                                    f"models.fasttext_quality={root}/quality.bin", f"models.bert_quality={root}/quality_bert"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and err == [f"score: model error: models.domain: {missing} does not exist"]
    assert not (tmp_path / "o").exists()
