"""Probes (sentence PPL, contrastive pairs, P(target | prompt)) against HF's own loss; the
evaluate CLI on a model dir; the checkpoint history grows by one row per new checkpoint."""
import json
import math
import os

import pytest
import torch
import yaml

from tests.trainer.evalfixtures import MODEL, train_tokenizer, write_checkpoint
from trainer.benchmarks.generate import TextTokenizer
from trainer.evaluate import main as evaluate_main
from trainer.probes import ProbeError, load_probes, run_probes

DEMO = os.path.join(os.path.dirname(__file__), "..", "..", "trainer", "benchmarks", "data", "demo.jsonl")
PROBES = os.path.join(os.path.dirname(__file__), "..", "..", "conf", "probes.demo.yaml")


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    texts = open(DEMO, encoding="utf-8").read().splitlines() + open(PROBES, encoding="utf-8").read().splitlines()
    return train_tokenizer(tmp_path_factory.mktemp("tok") / "tokenizer.json", texts * 3)


def _hf_ppl(model, ids):
    """Perplexity from transformers' own shifted loss (the reference)."""
    with torch.no_grad():
        t = torch.tensor([ids])
        return math.exp(float(model(input_ids=t, labels=t).loss))


def test_probe_kinds_against_the_models_own_loss(tokenizer):
    from trainer.model import build_model

    model = build_model(MODEL, seed=3).eval()
    tok = TextTokenizer(tokenizer)
    probes = load_probes(PROBES)
    assert {p["kind"] for p in probes} == {"target", "ppl", "contrast"}
    results = {r["name"]: r for r in run_probes(model, tok, probes)}
    eos = tok.eos_id
    sentence = results["zh_sentence"]
    assert math.isclose(sentence["ppl"], _hf_ppl(model, [eos] + tok.encode(sentence["text"])), rel_tol=1e-4)
    pair = results["en_fact_order"]
    better = _hf_ppl(model, [eos] + tok.encode(pair["better"]))
    worse = _hf_ppl(model, [eos] + tok.encode(pair["worse"]))
    assert math.isclose(pair["ppl_better"], better, rel_tol=1e-4) and pair["holds"] == (better < worse)
    assert math.isclose(pair["margin"], math.log(worse / better), rel_tol=1e-3, abs_tol=1e-6)
    target = results["中国的首都是→北京"]
    p_ids, t_ids = tok.encode("中国的首都是"), tok.encode("北京")
    with torch.no_grad():
        logp = torch.log_softmax(model(input_ids=torch.tensor([p_ids + t_ids])).logits[0], -1)
    expected = sum(float(logp[len(p_ids) - 1 + j, t]) for j, t in enumerate(t_ids))
    assert math.isclose(target["logprob"], expected, rel_tol=1e-5)
    assert target["first_token_rank"] == int((logp[len(p_ids) - 1] > logp[len(p_ids) - 1, t_ids[0]]).sum()) + 1


def test_probe_file_errors_name_the_entry(tmp_path):
    for body, message in (("- {prompt: a}", r"probes\[0\]: give prompt"), ("- {text: a, colour: b}", "unknown key"),
                          ("- {text: a}\n- {text: a}", "duplicate probe name")):
        (tmp_path / "p.yaml").write_text(body)
        with pytest.raises(ProbeError, match=message):
            load_probes(str(tmp_path / "p.yaml"))


def test_evaluate_cli_writes_benchmarks_and_probes_next_to_the_model(tmp_path, tokenizer, capsys):
    from trainer.model import build_model

    build_model(MODEL, seed=1).save_pretrained(tmp_path / "hf")
    rc = evaluate_main(["--model", str(tmp_path / "hf"), "--tokenizer", tokenizer, "--probes", PROBES,
                        "--benchmark", DEMO, "--shots", "1", "--transform", "cn_numerals+single_choice",
                        "--max-new-tokens", "3", "--batch-size", "64"])
    assert rc == 0
    result = json.loads((tmp_path / "hf" / "eval.json").read_text(encoding="utf-8"))
    demo = result["benchmarks"]["demo"]
    assert list(demo["transforms"]) == ["none", "cn_numerals+single_choice"]
    for r in demo["transforms"].values():
        assert r["n_items"] == 40 and 0 <= r["accuracy"] <= 1
        assert sum(s["n_items"] for s in r["subjects"].values()) == 40
    assert result["generation"]["prompts_left_truncated"] > 0  # 1-shot prompts exceed the 128-token context
    assert len(result["probes"]) == len(load_probes(PROBES))
    assert evaluate_main(["--model", str(tmp_path / "hf"), "--tokenizer", tokenizer, "--benchmark", DEMO,
                          "--transform", "reverse"]) == 2
    assert "unknown transform 'reverse'" in capsys.readouterr().err


def test_history_grows_one_row_per_new_checkpoint(tmp_path, tokenizer):
    from trainer.history import read_history

    run = tmp_path / "run"
    small = tmp_path / "small.jsonl"
    with open(DEMO, encoding="utf-8") as f:
        small.write_text("".join(f.readlines()[5:11]), encoding="utf-8")
    models = {5: write_checkpoint(run, 5, seed=5, tokenizer=tokenizer),
              10: write_checkpoint(run, 10, seed=10, tokenizer=tokenizer)}
    write_checkpoint(run, 12, seed=12, tokenizer=tokenizer, complete=False)   # cut short: never evaluated
    from trainer.synthetic import write_synthetic_shards

    write_synthetic_shards(str(tmp_path / "heldout"), n_chunks=1, tokens_per_chunk=300, vocab_size=512, seed=2)
    args = ["--run", str(run), "--shards", str(tmp_path / "heldout"), "--max-windows", "2", "--probes", PROBES, "--benchmark", str(small), "--shots", "0",
            "--max-new-tokens", "2", "--batch-size", "16"]
    assert evaluate_main(args) == 0
    assert [r["step"] for r in read_history(run)] == [5, 10]
    models[15] = write_checkpoint(run, 15, seed=15, tokenizer=tokenizer)
    assert evaluate_main(args) == 0
    rows = read_history(run)
    assert [r["step"] for r in rows] == [5, 10, 15]      # one new row, the old ones untouched
    assert evaluate_main(args) == 0 and len(read_history(run)) == 3   # nothing new, nothing added
    tok = TextTokenizer(tokenizer)
    for row in rows:
        assert row["tokens"] == row["step"] * 4 * 2 * 64
        assert set(row["benchmarks"]["small"]) == {"none"}
        # the value of the exported checkpoint is the value of the weights it was saved from
        ref = {r["name"]: r for r in run_probes(models[row["step"]], tok, load_probes(PROBES))}
        assert math.isclose(row["probes"]["zh_sentence"], ref["zh_sentence"]["ppl"], rel_tol=1e-4)
        assert math.isclose(row["probes"]["中国的首都是→北京"], ref["中国的首都是→北京"]["probability"], rel_tol=1e-4)
        assert os.path.isfile(run / "evals" / f"ckpt-{row['step']}.json")
    assert not [p for p in os.listdir(run) if p.startswith(".eval-export-")]   # exports cleaned up
    assert set(rows[0]["heldout"]["channels"]) <= {"zh", "en", "code"}
    assert evaluate_main(args + ["--all"]) == 0 and [r["step"] for r in read_history(run)] == [5, 10, 15]
    from refinery.report.page import write_report

    page = open(write_report(str(run)), encoding="utf-8").read()
    for title in ("Benchmark accuracy vs tokens seen", "Probes vs tokens seen", "Held-out loss per channel vs tokens seen"):
        assert f"{title}</h2><figure><svg" in page
