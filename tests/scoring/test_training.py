"""Training commands on generated data: the models separate the classes on held-out data."""
import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from refinery.scoring.metrics import best_threshold, roc_auc
from tests.scoring.corpus import documents


def test_roc_auc_and_threshold_match_definitions():
    labels = np.array([0, 0, 1, 1, 0, 1])
    scores = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.9])
    # 8 of the 9 (pos, neg) pairs are ordered right
    assert roc_auc(labels, scores) == 8 / 9
    assert roc_auc(np.array([1, 0]), np.array([0.5, 0.5])) == 0.5
    cut = best_threshold(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.7, 0.9]))
    assert 0.2 < cut <= 0.7


def test_domain_classifier_separates_categories(tiny_models):
    _, report, _ = tiny_models
    assert report["held_out"] > 40
    assert report["accuracy"] > 0.9, report["text"]
    for cat in ("news", "code", "ads_spam"):
        assert report["per_class"][cat]["recall"] > 0.8, report["text"]
    assert set(report["missing_categories"]) >= {"markdown_docs", "math_latex", "literature"}


def test_bert_from_scratch_separates_quality_and_is_a_standard_hf_dir(tiny_models):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    root, _, meta = tiny_models
    assert meta["held_out"]["roc_auc"] > 0.85, meta["held_out"]
    assert meta["init"] is None and "WordPiece" in meta["tokenizer"]
    assert set(meta["thresholds"]) >= {"news", "code", "ads_spam"}
    assert all(0 < t < 1 for t in meta["thresholds"].values())
    on_disk = json.loads((root / "quality_bert" / "refinery_quality.json").read_text())
    assert on_disk["labels"] == {"0": "low_quality", "1": "high_quality"}
    tok = AutoTokenizer.from_pretrained(root / "quality_bert")
    model = AutoModelForSequenceClassification.from_pretrained(root / "quality_bert")
    assert model.config.num_labels == 2
    # Chinese is covered character by character, not mapped to [UNK]
    ids = tok("市政府宣布了新的公共交通预算")["input_ids"]
    assert tok.unk_token_id not in ids and len(ids) == 14 + 2
    # the fastText quality model trained on the same labels separates them too
    assert meta["fasttext"]["roc_auc"] > 0.85, meta["fasttext"]


def test_finetune_from_local_checkpoint_on_parquet_input(tmp_path, tiny_models):
    """--init: a tiny HF BERT saved by the test (no classification head) is fine-tuned on
    Spark-style Parquet input through the command line."""
    from transformers import AutoModelForSequenceClassification, BertConfig, BertModel

    from refinery.scoring import train_quality

    root = tiny_models[0]
    ckpt = tmp_path / "tiny-bert"
    tok = train_quality.train_tokenizer([r["text"] for r in documents(90, seed=5)], 500)
    BertModel(BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=64, max_position_embeddings=128)).save_pretrained(ckpt)
    tok.save_pretrained(ckpt)
    rows = documents(240, seed=7)
    good = pa.Table.from_pylist([r for r in rows if r["label"] == "hq"])
    bad = pa.Table.from_pylist([r for r in rows if r["label"] == "lq"])
    os.makedirs(tmp_path / "pos" / "kept")
    pq.write_table(good, tmp_path / "pos" / "kept" / "part-0.parquet")  # a stage output directory
    pq.write_table(bad, tmp_path / "neg.parquet")
    out = tmp_path / "finetuned"
    rc = train_quality.main(["--positive", str(tmp_path / "pos"), "--negative", str(tmp_path / "neg.parquet"),
                             "--init", str(ckpt), "--out", str(out), "--epochs", "4", "--lr", "2e-3", "--no-degrade",
                             "--max-length", "64", "--batch-size", "16", "--threads", "1",
                             "--domain-model", str(root / "domain.bin")])
    assert rc == 0
    meta = json.loads((out / "refinery_quality.json").read_text())
    assert meta["init"] == str(ckpt)
    assert meta["held_out"]["roc_auc"] > 0.8, meta["held_out"]
    model = AutoModelForSequenceClassification.from_pretrained(out)
    assert model.config.vocab_size == len(tok)  # the checkpoint's tokenizer was kept


def test_read_documents_accepts_jsonl_parquet_and_text(tmp_path):
    from refinery.scoring.corpus_io import read_documents
    from tests.scoring.corpus import write_jsonl

    rows = documents(6)
    write_jsonl(tmp_path / "a.jsonl", rows)
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "b.parquet")
    (tmp_path / "c.txt").write_text("first doc\n\nsecond doc\n", encoding="utf-8")
    t = read_documents([str(tmp_path / "a.jsonl"), str(tmp_path / "b.parquet"), str(tmp_path / "c.txt")])
    assert t.num_rows == 6 + 6 + 2
    assert t.column("category").to_pylist()[:6] == [r["category"] for r in rows]
    assert pc.all(pc.is_valid(t.column("text"))).as_py()


def test_quality_set_is_balanced_per_category_with_degraded_negatives():
    from refinery.scoring.quality_labels import build_quality_set

    rows = documents(120, seed=3)
    good = pa.Table.from_pylist([r for r in rows if r["label"] == "hq"])
    bad = pa.Table.from_pylist([r for r in rows if r["label"] == "lq"])
    data = build_quality_set(good, bad, degrade_fill=True, seed=0)
    counts = {}
    for cat, lab in zip(data.column("category").to_pylist(), data.column("label").to_pylist()):
        counts.setdefault(cat, {"hq": 0, "lq": 0})[lab] += 1
    assert counts["news"]["hq"] == counts["news"]["lq"] == 40
    assert counts["code"]["hq"] == counts["code"]["lq"] == 40
    assert counts["ads_spam"] == {"hq": 0, "lq": 40}
    good_texts = set(good.column("text").to_pylist())
    negatives = [t for t, c, l in zip(*(data.column(k).to_pylist() for k in ("text", "category", "label")))
                 if c == "news" and l == "lq"]
    assert not good_texts & set(negatives)  # degraded copies, never the good text itself


def test_quality_tokenizer_vocabulary_is_reproducible(real_slice):
    """Two trainings on the same real texts give the same vocabulary, ids included (the HF
    WordPiece trainer did not: s21 saw 1,020 of 8,000 ids move between two runs), and every
    character of the training text is a token, so no word of it short enough for WordPiece
    (100 characters) becomes [UNK]."""
    from refinery.scoring.train_quality import train_tokenizer

    texts = real_slice.column("text").to_pylist()[:400]
    first, second = train_tokenizer(texts, 3000), train_tokenizer(texts, 3000)
    assert first.get_vocab() == second.get_vocab()
    assert abs(len(first) - 3000) < 0.2 * 3000 or len(first) > 3000  # near the size asked, above it when characters fill it
    norm = first.backend_tokenizer.normalizer
    seen = {c for t in texts for c in norm.normalize_str(t[:20_000]) if not c.isspace()}
    vocab = first.get_vocab()
    assert not [c for c in seen if c not in vocab]
