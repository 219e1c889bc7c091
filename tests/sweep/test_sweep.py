"""`refinery sweep`: two tiny trainings over two mixtures of the same documents, each in its own
run directory with its own eval history, then one page with both side by side."""
import json
import os

import numpy as np
import pyarrow.dataset as ds
import pytest

from refinery.config import ConfigError, load_config

pytestmark = pytest.mark.slow

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _heldout_shards(docs_dir, tokenizer_dir, out, n_docs=40):
    """The sample's last documents, tokenized with the sweep's tokenizer, as one chunk (channel = lang)."""
    from transformers import AutoTokenizer

    from refinery.tokenize.shards import ChunkWriter, chunk_name

    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    table = ds.dataset(str(docs_dir), format="parquet").to_table(columns=["doc_id", "text", "lang"])
    rows = table.slice(table.num_rows - n_docs).to_pylist()
    writer = ChunkWriter(os.path.join(out, chunk_name(0)), ["zh", "en", "other"], len(tok), "heldout")
    for r in rows:
        ids = tok.encode(r["text"], add_special_tokens=False) + [tok.convert_tokens_to_ids("<|end_of_text|>")]
        writer.add_document(np.asarray(ids), r["lang"] if r["lang"] in ("zh", "en") else "other", r["doc_id"])
    writer.close()
    return out


def _sweep_yaml(tmp_path, docs, tok, heldout, variants):
    cfg = {"sweep_dir": str(tmp_path / "sweep"), "documents": str(docs), "tokenizer": str(tok), "heldout": heldout,
           "chunk_tokens": 40000,
           "mix": {"set": {"total_tokens": 40000, "seed": 3,
                           "channels": [{"name": "zh", "ratio": 1, "lang": ["zh"]}, {"name": "en", "ratio": 1, "lang": ["en"]}]}},
           "train": {"config": "trainer/configs/tiny.yaml", "ranks": 1,
                     "set": ["train.max_steps=3", "checkpoint.every_steps=3", "log.every_steps=3",
                             "deepspeed.zero_stage=0", "stability.enabled=false"]},
           "eval": {"probes": os.path.join(REPO, "conf", "probes.demo.yaml"),
                    "benchmarks": [os.path.join(REPO, "trainer", "benchmarks", "data", "demo.jsonl")],
                    "shots": 0, "max_new_tokens": 1, "max_windows": 4},
           "variants": variants}
    path = tmp_path / "sweep.yaml"
    path.write_text(json.dumps(cfg))
    return path


def test_bad_sweep_config_names_the_key(tmp_path, sample_documents, sample_tokenizer):
    from refinery.sweep import SweepConfig, main

    path = _sweep_yaml(tmp_path, sample_documents, sample_tokenizer, str(tmp_path), [{"name": "a", "mix": {"colour": 1}}])
    assert main([str(path)]) == 2
    with pytest.raises(ConfigError, match="heldout"):
        load_config(str(path), SweepConfig, {"heldout": str(tmp_path / "missing")})


def test_two_mixtures_train_evaluate_and_share_one_page(spark, tmp_path, sample_documents, sample_tokenizer):
    from refinery.sweep import SweepConfig, run_sweep
    from trainer.history import read_history

    heldout = _heldout_shards(sample_documents, sample_tokenizer, str(tmp_path / "heldout"))
    variants = [{"name": "zh_heavy", "mix": {"channels": [{"name": "zh", "ratio": 3, "lang": ["zh"]},
                                                          {"name": "en", "ratio": 1, "lang": ["en"]}]}},
                {"name": "en_heavy", "mix": {"channels": [{"name": "zh", "ratio": 1, "lang": ["zh"]},
                                                          {"name": "en", "ratio": 3, "lang": ["en"]}]}}]
    cfg = load_config(str(_sweep_yaml(tmp_path, sample_documents, sample_tokenizer, heldout, variants)), SweepConfig)
    page = open(run_sweep(cfg, spark=spark), encoding="utf-8").read()
    results = json.loads((tmp_path / "sweep" / "sweep.json").read_text())
    assert [r["name"] for r in results] == ["zh_heavy", "en_heavy"]
    for r, zh_share in zip(results, (0.75, 0.25)):
        assert r["mixture"] == pytest.approx({"zh": zh_share, "en": 1 - zh_share})
        assert abs(r["achieved"]["zh"] - zh_share) < 0.1          # the mix did what the variant asked
        history = read_history(os.path.join(r["run_dir"], "train"))
        assert [row["step"] for row in history] == [3]          # the run's checkpoint, evaluated once
        last = history[-1]
        assert set(last["heldout"]["channels"]) >= {"zh", "en"}
        assert last["benchmarks"]["demo"]["none"] is not None and len(last["probes"]) == 9
    assert "zh_heavy" in page and "en_heavy" in page and "held-out loss" in page and "demo accuracy" in page
    assert page.count("<b>") >= 3  # a best value marked in the loss columns
