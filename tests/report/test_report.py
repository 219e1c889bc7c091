"""`refinery report`: the page is self-contained, every section with data renders, Chromium shows it."""
import json
import re
import os
import shutil

import pytest

from refinery.report.collect import collect_run
from refinery.report.page import write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = os.environ.get("REFINERY_TEST_ARTIFACTS", os.path.join("runs", "test-artifacts"))


def _stage(path, stage, rows_in, kept, reasons, **extra):
    os.makedirs(path, exist_ok=True)
    stats = {"stage": stage, "rows_in": rows_in, "rows_kept": kept, "rows_rejected": rows_in - kept,
             "rejected_by_reason": reasons,
             "by_lang": {"zh": {"rows_in": rows_in // 2, "rows_kept": kept // 2, "kept_rate": kept / rows_in},
                         "en": {"rows_in": rows_in // 2, "rows_kept": kept // 2, "kept_rate": kept / rows_in}},
             "length_histogram": {"before": {"<256": rows_in // 2, "<1024": rows_in // 2},
                                  "after": {"<256": kept // 2, "<1024": kept // 2}},
             "run": {"seconds": 1.5}, **extra}
    with open(os.path.join(path, "_stats.json"), "w") as f:
        json.dump(stats, f)


@pytest.fixture
def run_dir(tmp_path, fault_output):
    """A run directory: the real ingest output of the faulty corpus plus later stages' stats."""
    _, _, ingest_out = fault_output
    run = tmp_path / "run"
    shutil.copytree(ingest_out, run / "ingest")
    _stage(run / "clean", "clean", 100, 80, {"gopher.word_count": 12, "zh.cjk_ratio": 8})
    dedup = {"cluster_size_histogram": {"2": {"clusters": 30, "documents": 60}, "3-4": {"clusters": 5, "documents": 16},
                                        "9-16": {"clusters": 1, "documents": 10}}, "rows_duplicate": 10}
    _stage(run / "dedup", "dedup", 80, 70, {}, **dedup)
    _stage(run / "mix", "mix", 70, 70, {}, channels={
        "zh": {"target_ratio": 0.4, "achieved_ratio": 0.41}, "en": {"target_ratio": 0.4, "achieved_ratio": 0.39},
        "code": {"target_ratio": 0.2, "achieved_ratio": 0.2}})
    os.makedirs(run / "tokenizer")
    (run / "tokenizer" / "compression.json").write_text(json.dumps(
        {"trained": {"zh": {"chars_per_token": 1.4}, "en": {"chars_per_token": 4.1}}}))
    os.makedirs(run / "train")
    with open(run / "train" / "metrics.jsonl", "w") as f:
        for step in range(1, 21):
            f.write(json.dumps({"step": step, "loss": 10 / step, "lr": 1e-3 * min(1, step / 5),
                                "loss/zh": 11 / step, "loss/en": 9 / step}) + "\n")
            if step == 15:  # the anneal phase starts (an event row, as the trainer logs it)
                f.write(json.dumps({"step": 15, "event": "phase", "index": 1, "phase": "anneal"}) + "\n")
            if step % 5 == 0:  # the in-loop eval on the held-out shards
                f.write(json.dumps({"step": step, "eval_loss": 12 / step, "eval_tokens": 4096,
                                    "eval_loss/zh": 13 / step, "eval_loss/en": 11 / step}) + "\n")
        f.write('{"step": 21, "lo')  # the line a killed run leaves behind
    with open(run / "train" / "eval_history.jsonl", "w") as f:  # trainer.evaluate --run, four checkpoints
        for i, step in enumerate((5, 10, 15, 20)):
            f.write(json.dumps({
                "step": step, "tokens": step * 512, "checkpoint": f"ckpt-{step}",
                "heldout": {"loss": 6 - i, "channels": {"zh": 6.5 - i, "en": 5.5 - i}},
                "benchmarks": {"demo": {"none": 0.2 + 0.05 * i, "shuffle": 0.15 + 0.05 * i}},
                "probes": {"capital": 1e-4 * 10 ** i, "zh_sentence": 300 / (i + 1), "fact_order": -0.2 + 0.1 * i},
                "probe_kinds": {"capital": "target", "zh_sentence": "ppl", "fact_order": "contrast"}}) + "\n")
        f.write('{"step": 25, "tok')
    return str(run)


def test_collect_reads_every_stage_in_pipeline_order(run_dir):
    run = collect_run(run_dir)
    assert list(run["stages"]) == ["ingest", "clean", "dedup", "mix"]
    assert len(run["training"]) == 25  # 20 steps, 4 evals, 1 event; the cut last line is skipped, not fatal
    assert [r["step"] for r in run["eval_history"]] == [5, 10, 15, 20]
    assert run["tokenizer"]["trained"]["zh"]["chars_per_token"] == 1.4


def test_report_is_self_contained_and_draws_each_section(run_dir):
    page = open(write_report(run_dir), encoding="utf-8").read()
    assert "<script" not in page and not re.search(r"(src|href)=[\"']https?:", page)  # nothing fetched
    assert page.count("<svg") >= 12
    for title in ("Benchmark accuracy vs tokens seen", "Probes vs tokens seen", "Held-out loss per channel vs tokens seen",
                  "Held-out loss per channel during training"):
        assert f"{title}</h2><figure><svg" in page
    for name in ("demo/shuffle", "capital", "zh_sentence", "fact_order", "held-out zh", "anneal"):  # legend entries
        assert name in page
    for name in ("ingest", "clean", "dedup", "mix", "ingest.http_status", "gopher.word_count"):
        assert name in page
    assert "Quality score per category</h2><p class=\"missing\">" in page  # no score stage in this run


@pytest.mark.skipif(not CHROMIUM and not os.environ.get("REFINERY_REQUIRE_CHROMIUM"),
                    reason="no chromium on this machine (CI installs it)")
def test_report_renders_in_headless_chromium(run_dir):
    sync_api = pytest.importorskip("playwright.sync_api")
    assert CHROMIUM, "REFINERY_REQUIRE_CHROMIUM is set but chromium is not installed"
    path = write_report(run_dir)
    os.makedirs(ARTIFACTS, exist_ok=True)
    shot = os.path.join(ARTIFACTS, "report.png")
    errors = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto("file://" + os.path.abspath(path))
        boxes = [svg.bounding_box() for svg in page.query_selector_all("svg")]
        page.screenshot(path=shot, full_page=True)
        browser.close()
    assert errors == []
    assert len(boxes) >= 12 and all(b and b["width"] > 100 and b["height"] > 50 for b in boxes)
    from PIL import Image  # matplotlib depends on Pillow

    img = Image.open(shot).convert("L")
    colours = img.getcolors(maxcolors=1 << 20)
    assert colours and len(colours) > 20  # not a blank page: plots put many shades on it
