"""The ingest job on a directory of faulty inputs: every fault is a rejected row with the
right reason, nothing crashes, and the accounting adds up."""
import json
import os

import refinery.spark.ingest as ingest_job
from refinery.spark.job import job_main
from tests.ingest.outputs import read_output


def test_every_row_accounted_and_every_fault_has_its_reason(fault_output):
    expected, stats, out = fault_output
    got = read_output(out)  # validates kept/ and rejected/ against the schemas
    want_rejected = dict(expected["rejected"])
    want_rejected["ingest.decode_error"] = 1
    assert stats["rows_in"] == expected["records_in"] + 1
    assert stats["rows_kept"] == expected["kept"] == got["kept"].num_rows
    assert stats["rejected_by_reason"] == want_rejected
    assert got["rejected"].num_rows == stats["rows_rejected"]
    on_disk = json.loads((out / "_stats.json").read_text())
    assert on_disk["rows_in"] == on_disk["rows_kept"] + on_disk["rows_rejected"]


def test_rejected_rows_carry_the_evidence(fault_output):
    _, _, out = fault_output
    rows = read_output(out)["rejected"].to_pylist()
    by_reason = {}
    for r in rows:
        by_reason.setdefault(r["reason"], []).append(r)
    assert all(r["stage"] == "ingest" for r in rows)
    assert [r["value"] for r in by_reason["ingest.http_status"]] == [404.0]
    assert by_reason["ingest.content_type"][0]["detail"].startswith("image/png")
    assert by_reason["ingest.content_type"][0]["raw_prefix"].startswith(b"\x89PNG")
    (trunc,) = by_reason["ingest.truncated_file"]
    assert trunc["source_file"].endswith("b.warc.gz") and trunc["offset"] > 0
    assert all(r["raw_prefix"] for r in by_reason["ingest.bad_json"])
    (garbage,) = by_reason["ingest.decode_error"]
    assert garbage["value"] > garbage["threshold"] == 0.05


def test_gbk_page_and_invalid_utf8_page_become_documents(fault_output):
    expected, _, out = fault_output
    kept = {r["url"]: r for r in read_output(out)["kept"].to_pylist()}
    gbk = kept[expected["gbk_url"]]
    assert expected["gbk_sentence"] in gbk["text"]
    assert gbk["lang"] == "zh" and gbk["cjk_ratio"] > 0.5
    assert json.loads(gbk["metadata"])["charset"] == "gb18030"
    bad = kept[expected["invalid_utf8_url"]]
    assert expected["invalid_utf8_marker"] in bad["text"] and "\ufffd" in bad["text"]


def test_documents_have_deterministic_ids_and_language(fault_output):
    _, _, out = fault_output
    kept = read_output(out)["kept"].to_pylist()
    assert len({r["doc_id"] for r in kept}) == len(kept)
    assert all(len(r["doc_id"]) == 32 for r in kept)
    assert {r["lang"] for r in kept} >= {"en", "zh"}
    assert all(0.0 <= r["lang_score"] <= 1.0 for r in kept)


def test_config_error_stops_before_spark(tmp_path, monkeypatch, capsys):
    def no_spark(*a, **k):
        raise AssertionError("Spark was started for a bad config")

    monkeypatch.setattr("refinery.spark.session.build_session", no_spark)
    bad = tmp_path / "ingest.yaml"
    bad.write_text("extract:\n  html_backnd: trafilatura\n")
    assert job_main(ingest_job.STAGE, ["--input", str(tmp_path), "--output", str(tmp_path / "o"), "--config", str(bad)]) == 2
    assert "extract.html_backnd: unknown key" in capsys.readouterr().err
    bad.write_text("batch_size: -3\n")
    assert job_main(ingest_job.STAGE, ["--input", str(tmp_path), "--output", str(tmp_path / "o"), "--config", str(bad)]) == 2
    assert "batch_size: must be positive" in capsys.readouterr().err
    assert job_main(ingest_job.STAGE, ["--input", str(tmp_path), "--output", str(tmp_path / "o"), "--set", "extract.html_backend=lynx"]) == 2
    assert "extract.html_backend: expected one of" in capsys.readouterr().err


def test_stats_account_for_every_input_byte(fault_output):
    """_stats.json says, per input file, bytes read against its size and rows read."""
    _, stats, out = fault_output
    on_disk = json.loads((out / "_stats.json").read_text())
    files = on_disk["files"]
    assert on_disk["files_total"] == len(files) == stats["run"]["inputs"]
    assert on_disk["files_failed"] == 0 and on_disk["files_not_read_to_end"] == 0
    for path, f in files.items():
        assert f["bytes_read"] == f["size"] == os.path.getsize(path), path
    assert sum(f["records"] for f in files.values()) == on_disk["rows_in"]
    assert on_disk["input_bytes_read"] == on_disk["input_bytes"]
    assert "ingest._file_report" not in on_disk["rejected_by_reason"]  # bookkeeping, not a row


def test_job_where_every_file_failed_exits_non_zero(spark, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("refinery.spark.session.build_session", lambda *a, **k: spark)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl.gz").write_bytes(b"this is not gzip data at all\n" * 50)
    (tmp_path / "in" / "b.parquet").write_bytes(b"PAR1 nor is this parquet")
    out = tmp_path / "out"
    assert job_main(ingest_job.STAGE, ["--input", str(tmp_path / "in"), "--output", str(out)]) == 1
    assert "every input file failed (2)" in capsys.readouterr().err
    stats = json.loads((out / "_stats.json").read_text())
    assert stats["files_failed"] == 2 and stats["rows_in"] == 2
    assert stats["rejected_by_reason"] == {"ingest.corrupt_member": 1, "ingest.parse_error": 1}
    gz = stats["files"][str(tmp_path / "in" / "a.jsonl.gz")]
    assert gz["bytes_read"] == gz["size"] == 50 * 29 and gz["failed"]
