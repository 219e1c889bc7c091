"""The clean job end to end on Spark local[2]: accounting on the ingest fault corpus, annotate
mode, PII alone, and `refinery inspect` on its output."""
import json

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import refinery.spark.clean as clean_job
from refinery.spark.job import job_main
from refinery.cli import main as cli
from refinery.config import load_config
from refinery.filters.config import CleanConfig
from refinery.filters.evaluate import RULES_BY_NAME
from refinery.ingest.script_ratios import script_ratios
from schemas import DOCUMENT, REJECTED, validate_dataset, validate_stats
from tests.filters.docs import EN_BASE, EN_SENTENCES, ZH_BASE

SPAM = "澳门赌场真人荷官百家乐，网赌首存返水，六合彩特码，加微信开户送彩金！\n" * 4 + ZH_BASE
REPEATED = "\n".join(EN_SENTENCES[:4] * 4)
WITH_PII = EN_BASE + "\nWrite to jane.doe@example.org or call +86 138 0013 8000 for the tickets."
BYLINE = "作者：张三\n来源：新华社\n" + ZH_BASE + "\n联系邮箱：zhangsan@example.cn"


def crafted_documents(path):
    texts = [EN_BASE, ZH_BASE, SPAM, REPEATED, WITH_PII, BYLINE, "作者：李四\n本文转载自某网"]
    langs = ["en", "zh", "zh", "en", "en", "zh", "zh"]
    arr = pa.array(texts)
    n = len(texts)
    table = pa.table({
        "doc_id": [f"doc{i}" for i in range(n)], "source": ["crafted"] * n, "url": [f"https://x.example/{i}" for i in range(n)],
        "fetch_time": [None] * n, "source_file": ["crafted.jsonl"] * n, "offset": list(range(n)), "text": arr,
        "lang": langs, "lang_score": pa.array([0.95] * n, pa.float32()), **script_ratios(arr), "metadata": [None] * n,
    }).select(DOCUMENT.names).cast(DOCUMENT)
    pq.write_table(table, path / "part-0.parquet")
    return table


@pytest.fixture(scope="module")
def fault_clean(spark, fault_output, tmp_path_factory):
    _, ingest_stats, ingest_out = fault_output
    out = tmp_path_factory.mktemp("clean") / "filter"
    stats = clean_job.run(spark, str(ingest_out), str(out), load_config(None, CleanConfig))
    return ingest_stats, stats, out


@pytest.fixture(scope="module")
def crafted_clean(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("crafted")
    (root / "docs").mkdir()
    crafted_documents(root / "docs")
    stats = clean_job.run(spark, str(root / "docs"), str(root / "out"), load_config(None, CleanConfig))
    return stats, root


def test_every_ingested_document_is_kept_or_rejected_with_its_evidence(fault_clean):
    ingest_stats, stats, out = fault_clean
    assert validate_stats(str(out)) and stats["rows_in"] == ingest_stats["rows_kept"]
    assert stats["rows_in"] == stats["rows_kept"] + stats["rows_rejected"]
    kept = validate_dataset(str(out / "kept"), DOCUMENT)
    assert kept.num_rows == stats["rows_kept"]
    if stats["rows_rejected"]:
        rejected = validate_dataset(str(out / "rejected"), REJECTED).to_pylist()
        per_reason = {}
        for r in rejected:
            per_reason[r["reason"]] = per_reason.get(r["reason"], 0) + 1
            assert r["stage"] == "clean" and r["value"] is not None and r["threshold"] is not None
            if r["reason"] in RULES_BY_NAME:
                assert RULES_BY_NAME[r["reason"]].fails(np.array([r["value"]]), np.array([r["threshold"]]))[0]
        assert per_reason == stats["rejected_by_reason"]
    on_disk = json.loads((out / "_stats.json").read_text())
    assert set(on_disk["by_lang"]) >= {"en", "zh"} and on_disk["run"]["config"]["category_model"].endswith("models/domain.ftz")
    assert "by_category" in on_disk and sum(e["rows_in"] for e in on_disk["by_category"].values()) == stats["rows_in"]
    assert sum(on_disk["length_histogram"]["before"].values()) == stats["rows_in"]
    assert sum(on_disk["length_histogram"]["after"].values()) == stats["rows_kept"]
    assert on_disk["steps"] == ["lines", "rules", "pii"] and "line_edits" in on_disk and "pii" in on_disk


def test_annotate_mode_keeps_everything_and_records_what_filter_mode_did(spark, fault_clean, fault_output, tmp_path):
    _, filtered, _ = fault_clean
    out = tmp_path / "annotate"
    stats = clean_job.run(spark, str(fault_output[2]), str(out), load_config(None, CleanConfig, {"mode": "annotate"}))
    assert stats["rows_kept"] == stats["rows_in"] == filtered["rows_in"] and stats["rows_rejected"] == 0
    assert stats["would_reject"]["rejected_by_reason"] == filtered["rejected_by_reason"]
    rows = ds.dataset(str(out / "kept")).to_table().to_pylist()
    for r in rows:
        values, thresholds = dict(r["rule_values"]), dict(r["rule_thresholds"])
        assert len(values) >= 6 and "general.min_chars" in values
        failed = [k for k in values if thresholds.get(k) is not None
                  and RULES_BY_NAME[k].fails(np.array([values[k]]), np.array([thresholds[k]]))[0]]
        assert sorted(failed) == sorted(r["failed_rules"])
        assert (r["would_reject"] is None) == (not failed and r["would_reject"] != "lines.empty_after_edit")


def test_crafted_documents_rules_edits_and_pii(crafted_clean):
    stats, root = crafted_clean
    assert stats["rejected_by_reason"] == {"zh.dirty_density": 1, "fineweb.char_dup_ratio": 1, "lines.empty_after_edit": 1}
    kept = {r["doc_id"]: r for r in ds.dataset(str(root / "out" / "kept")).to_table().to_pylist()}
    assert kept["doc0"]["text"] == EN_BASE and kept["doc1"]["text"] == ZH_BASE
    assert "<EMAIL>" in kept["doc4"]["text"] and "jane.doe" not in kept["doc4"]["text"]
    assert "<PHONE>" in kept["doc4"]["text"]
    assert kept["doc5"]["text"].startswith(ZH_BASE[:10]) and "作者" not in kept["doc5"]["text"]
    assert kept["doc5"]["char_count"] < script_ratios(pa.array([BYLINE]))["char_count"][0].as_py()
    assert stats["line_edits"]["by_kind"]["byline"]["total"] == 2
    assert stats["line_edits"]["by_kind"]["repost_notice"]["total"] == 2
    assert stats["pii"]["by_type"]["email"]["total"] == 2 and stats["pii"]["by_type"]["phone"]["total"] == 1
    assert stats["by_lang"]["zh"]["rejected_by_reason"]["zh.dirty_density"] == 1


def test_kept_rate_per_category_and_language_counts_the_output(crafted_clean):
    """_stats.json's kept_rates agree with the input classified here and the kept/ rows on disk."""
    import collections

    from refinery.filters.config import DEFAULT_CATEGORY_MODEL
    from refinery.report.kept_rates import kept_rates, loss_warnings
    from refinery.scoring.config import find_model_path
    from refinery.scoring.domain import DomainClassifier

    stats, root = crafted_clean
    docs = pq.read_table(root / "docs")
    cats, _ = DomainClassifier(find_model_path(DEFAULT_CATEGORY_MODEL)).classify(docs.column("text").combine_chunks())
    rows_in = collections.Counter(zip(cats.to_pylist(), docs.column("lang").to_pylist()))
    kept = ds.dataset(str(root / "out" / "kept")).to_table(columns=["category", "lang"]).to_pylist()
    rows_kept = collections.Counter((r["category"], r["lang"]) for r in kept)
    on_disk = validate_stats(str(root / "out"))["kept_rates"]
    assert {k: (e["rows_in"], e["rows_kept"]) for k, e in on_disk["by_category_lang"].items()} == {
        f"{c}/{l}": (n, rows_kept[(c, l)]) for (c, l), n in rows_in.items()}
    lost = collections.Counter()
    for (c, _), n in rows_in.items():
        lost[c] += n
    for (c, _), n in rows_kept.items():
        lost[c] -= n
    total = collections.Counter()
    for (c, _), n in rows_in.items():
        total[c] += n
    expected = sorted(c for c in total if lost[c] / total[c] > 0.5)
    assert sorted(w.split()[3] for w in on_disk["warnings"]) == expected
    assert on_disk["warnings"] == loss_warnings(kept_rates(
        {"category": c, "lang": l, "rows_in": n, "rows_kept": rows_kept[(c, l)]} for (c, l), n in rows_in.items()), "clean")
    report = clean_job.format_report(stats)
    assert "kept rate by category/lang" in report and all(w in report for w in on_disk["warnings"])


def test_pii_step_alone_rejects_nothing(spark, crafted_clean, capsys):
    _, root = crafted_clean
    assert job_main(clean_job.STAGE, ["--input", str(root / "docs"), "--output", str(root / "pii"), "--steps", "pii"]) == 0
    stats = validate_stats(str(root / "pii"))
    assert stats["rows_rejected"] == 0 and stats["rows_kept"] == 7 and stats["steps"] == ["pii"]
    assert stats["pii"]["items_replaced"] == 3
    printed = capsys.readouterr().out
    assert "pii replaced: 3" in printed and "kept rate by category/lang" in printed and "WARNING" not in printed
    assert sum(e["rows_kept"] for e in stats["kept_rates"]["by_category_lang"].values()) == 7


def test_config_error_stops_before_spark(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("refinery.spark.session.build_session", lambda *a, **k: pytest.fail("Spark started for a bad config"))
    args = ["--input", str(tmp_path), "--output", str(tmp_path / "o")]
    assert job_main(clean_job.STAGE, args + ["--steps", "lines,dedup"]) == 2
    assert "steps: unknown steps ['dedup']" in capsys.readouterr().err
    assert job_main(clean_job.STAGE, args + ["--set", "profiles.en.thresholds.gopher.min_wrds=3"]) == 2
    assert "profiles.en.thresholds.gopher.min_wrds: unknown rule id" in capsys.readouterr().err


def test_inspect_summary_and_highlighted_samples(crafted_clean, capsys):
    _, root = crafted_clean
    out = str(root / "out")
    assert cli(["inspect", out, "--summary"]) == 0
    summary = capsys.readouterr().out
    assert "zh.dirty_density" in summary and "14.29%" in summary and "byline" in summary and "email" in summary
    assert cli(["inspect", out, "--reason", "zh.dirty_density", "--lang", "zh", "--n", "5", "--seed", "3"]) == 0
    shown = capsys.readouterr().out
    assert "dirty keyword hits per 1,000 characters" in shown and "at most 3.0" in shown
    flagged = [l for l in shown.splitlines() if "▶" in l and "marks them" not in l]
    assert len(flagged) == 4 and all("百家乐" in l for l in flagged)
    assert cli(["inspect", out, "--reason", "fineweb.char_dup_ratio", "--max-chars", "5000"]) == 0
    shown = capsys.readouterr().out
    assert "12 of 16 lines trigger it" in shown  # the last 12 lines repeat the first 4
    assert sum("▶" in l and "marks them" not in l for l in shown.splitlines()) == 12
    assert cli(["inspect", out, "--reason", "zh.dirty_density", "--lang", "en"]) == 1


def test_an_empty_input_gives_an_empty_accounted_output(spark, tmp_path):
    (tmp_path / "in" / "kept").mkdir(parents=True)
    stats = clean_job.run(spark, str(tmp_path / "in"), str(tmp_path / "out"), load_config(None, CleanConfig))
    assert (stats["rows_in"], stats["rows_kept"], stats["rows_rejected"]) == (0, 0, 0)
    assert validate_stats(str(tmp_path / "out"))["rows_in"] == 0
