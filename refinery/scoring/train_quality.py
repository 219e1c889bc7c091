"""python -m refinery.scoring.train_quality --positive DOCS... --negative DOCS... [--init HF_DIR] --out DIR

Trains the BERT quality scorer on weak labels (``quality_labels``): fine-tunes a local
Hugging Face BERT-family checkpoint with ``--init``, or else trains a small BERT from
scratch with a WordPiece vocabulary learned here over the training text (Han characters
are split one per token by the BERT normalizer, so Chinese and English are both covered).
Prints held-out ROC-AUC and accuracy; writes a standard HF model directory (loadable with
``AutoModelForSequenceClassification`` / ``AutoTokenizer``) plus ``refinery_quality.json``
(label meaning, tokenizer, threshold suggestions per category). ``--fasttext-out`` also
trains the fastText quality model on the same labels.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np
import pyarrow as pa

from refinery.scoring.bert_scorer import METADATA_FILE, BertQualityScorer, BertRuntime, document_windows
from refinery.scoring.corpus_io import read_documents
from refinery.scoring.quality_eval import evaluate, format_evaluation
from refinery.scoring.quality_labels import POSITIVE, build_quality_set
from refinery.scoring.splits import holdout_mask

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


@dataclass
class BertTrainParams:
    """From-scratch defaults sized to train on 2 CPU cores in about a minute; on a GPU use
    e.g. ``--hidden 384 --layers 6 --max-length 1024`` (up to 4096)."""

    vocab_size: int = 6000
    hidden: int = 128
    layers: int = 2
    heads: int = 2
    max_length: int = 256
    windows: int = 4  # each epoch reads one of a document's first ``windows`` windows of max_length tokens (1: the head)
    epochs: int = 3
    batch_size: int = 32
    lr: float | None = None  # None: 5e-4 from scratch, 5e-5 when fine-tuning
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    threads: int = 0  # 0: torch's default
    seed: int = 0


def wordpiece_vocab(words: dict[str, int], vocab_size: int) -> list[str]:
    """A WordPiece vocabulary (``##`` marks a piece inside a word) learned from word counts by
    sentencepiece's BPE trainer on one thread, which is deterministic. The HF ``tokenizers``
    WordPiece trainer is not: it numbers the ``##`` pieces in hash-map order, which changes its
    tie-breaks from run to run (huggingface/tokenizers#1794), so every ``make models`` gave
    another vocabulary, BERT and set of thresholds. Every character seen is a token, and a
    ``##`` token too where it occurs inside a word, so no word of the training text becomes
    ``[UNK]``; the vocabulary comes out near ``vocab_size`` (above it when the characters alone
    nearly fill it: sentencepiece needs room for them and 100 merges).

    With 27 languages in the training text most of a 6,000-token vocabulary is characters (as
    it was with the HF trainer: 5,207 of 6,000). A word-level vocabulary (characters covering
    99.95% of occurrences, the rest [UNK]) was measured and not kept: the held-out negatives
    kept went from 7% to 13% (unseen spam words lose their pieces), BENCHMARKS.md."""
    import os
    import tempfile

    import sentencepiece as spm

    chars = sorted({c for w in words for c in w})
    inner = {c for w in words for c in w[1:]}  # characters that need a ``##`` form (never a lone Han character)
    with tempfile.TemporaryDirectory() as tmp:
        tsv = os.path.join(tmp, "words.tsv")
        with open(tsv, "w", encoding="utf-8") as f:
            for w, n in sorted(words.items()):
                f.write(f"{w}\t{n}\n")
        spm.SentencePieceTrainer.train(
            input=tsv, input_format="tsv", model_prefix=os.path.join(tmp, "wp"), model_type="bpe",
            vocab_size=max(vocab_size - len(SPECIAL_TOKENS) - len(inner), len(chars) + 100),
            character_coverage=1.0, normalization_rule_name="identity", num_threads=1, split_digits=False, byte_fallback=False,
            minloglevel=2, hard_vocab_limit=False, unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1,
            max_sentencepiece_length=16)
        sp = spm.SentencePieceProcessor(model_file=os.path.join(tmp, "wp.model"))
        pieces = [sp.id_to_piece(i) for i in range(1, sp.get_piece_size())]
    vocab = list(SPECIAL_TOKENS) + chars + [f"##{c}" for c in sorted(inner)]
    for piece in pieces:
        token = piece[1:] if piece.startswith("\u2581") else f"##{piece}"
        if token and token != "##" and not (len(piece) == 1 and piece not in inner):
            vocab.append(token)
    return list(dict.fromkeys(vocab))


def train_tokenizer(texts: list[str], vocab_size: int, max_chars: int = 20_000):
    """A BERT WordPiece tokenizer over ``texts``: lower-cased, Han characters one per token,
    its vocabulary from ``wordpiece_vocab`` (reproducible)."""
    from collections import Counter

    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import BertTokenizerFast

    normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True)
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    words = Counter(w for t in texts for w, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(t[:max_chars])))
    vocab = wordpiece_vocab(dict(words), vocab_size)
    tok = Tokenizer(models.WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer, tok.pre_tokenizer = normalizer, pre_tokenizer
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
                                                       special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    tok.decoder = decoders.WordPiece(prefix="##")
    return BertTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]",
                             cls_token="[CLS]", mask_token="[MASK]", do_lower_case=True, tokenize_chinese_chars=True)


def init_model(params: BertTrainParams, init: str | None, train_texts: list[str]):
    """(model, tokenizer, description): fine-tune ``init`` or build a small BERT from scratch."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, BertConfig, BertForSequenceClassification

    if init:
        from refinery.scoring.bert_scorer import check_model_dir

        check_model_dir(init)
        tokenizer = AutoTokenizer.from_pretrained(init)
        model = AutoModelForSequenceClassification.from_pretrained(
            init, num_labels=2, id2label={0: "low_quality", 1: "high_quality"},
            label2id={"low_quality": 0, "high_quality": 1}, ignore_mismatched_sizes=True, dtype="float32")
        return model, tokenizer, {"init": os.path.abspath(init), "tokenizer": f"from {init}"}
    tokenizer = train_tokenizer(train_texts, params.vocab_size)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=params.hidden, num_hidden_layers=params.layers,
                        num_attention_heads=params.heads, intermediate_size=4 * params.hidden,
                        max_position_embeddings=max(512, params.max_length), num_labels=2,
                        id2label={0: "low_quality", 1: "high_quality"}, label2id={"low_quality": 0, "high_quality": 1},
                        pad_token_id=tokenizer.pad_token_id)
    model = BertForSequenceClassification(config)
    return model, tokenizer, {"init": None, "tokenizer": f"WordPiece trained here, {len(tokenizer)} tokens, "
                                                         "lower-cased, Han characters one per token"}


def window_picks(owner: np.ndarray, n_texts: int, windows: int, rng: np.random.Generator) -> np.ndarray:
    """One window of each text (indices into ``document_windows``' list; ``owner`` its text
    index): the head with ``windows=1``, else one of the text's first ``windows`` at random, so
    over the epochs the model learns what a page's body looks like, not only its title, badges
    and navigation."""
    if windows < 1:
        raise ValueError(f"windows must be >= 1, got {windows}")
    first = np.searchsorted(owner, np.arange(n_texts))
    if windows == 1:
        return first
    return first + rng.integers(0, np.diff(np.append(first, len(owner))))


def fit(model, tokenizer, texts: list[str], labels: np.ndarray, params: BertTrainParams, lr: float, log=print) -> None:
    """AdamW with linear warmup/decay over shuffled batches.

    Batches are random, not length-bucketed as at inference: length correlates with the
    label (spam and boilerplate pages are short), and label-homogeneous batches make the
    gradient swing between "all good" and "all bad" instead of learning the difference.
    """
    import torch

    rng = np.random.default_rng(params.seed)
    windows, owner = document_windows(tokenizer, texts, params.max_length, params.windows)

    def draw() -> list[list[int]]:
        return [windows[i] for i in window_picks(owner, len(texts), params.windows, rng)]

    steps_per_epoch = -(-len(texts) // params.batch_size)
    total = params.epochs * steps_per_epoch
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=params.weight_decay)
    warm = max(1, int(params.warmup_ratio * total))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    model.train()
    step, started = 0, time.time()
    for epoch in range(params.epochs):
        losses = []
        enc = draw()
        lengths = np.array([len(x) for x in enc])
        order = rng.permutation(len(enc))
        for b in range(steps_per_epoch):
            group = order[b * params.batch_size:(b + 1) * params.batch_size]
            width = int(lengths[group].max())
            ids = np.full((len(group), width), tokenizer.pad_token_id, dtype=np.int64)
            mask = np.arange(width)[None, :] < lengths[group][:, None]
            ids[mask] = np.concatenate([enc[i] for i in group])
            out = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask.astype(np.int64)),
                        labels=torch.from_numpy(labels[group].astype(np.int64)))
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            losses.append(out.loss.item())
            step += 1
        log(f"epoch {epoch + 1}/{params.epochs}  loss {np.mean(losses):.4f}  ({time.time() - started:.0f}s, {step} steps)")
    model.eval()


def train_quality(positives: pa.Table, negatives: pa.Table, out_dir: str, params: BertTrainParams | None = None,
                  init: str | None = None, domain=None, holdout: float = 0.2, degrade_fill: bool = True,
                  cap_per_category: int = 0, fasttext_out: str | None = None, fasttext_params=None, log=print) -> dict:
    """Label, split, train, evaluate, save; returns the metadata written next to the model."""
    import torch

    params = params or BertTrainParams()
    torch.manual_seed(params.seed)
    if params.threads:
        torch.set_num_threads(params.threads)
    data = build_quality_set(positives, negatives, domain, degrade_fill, cap_per_category, params.seed)
    held = holdout_mask(data.column("text"), holdout, params.seed)
    train, test = data.filter(pa.array(~held)), data.filter(pa.array(held))
    y_train = np.array(train.column("label").to_pylist()) == POSITIVE
    if y_train.all() or not y_train.any():
        raise ValueError("training data needs both positives and negatives")
    log(f"training on {train.num_rows} documents ({int(y_train.sum())} positive), holding out {test.num_rows}")
    texts = train.column("text").to_pylist()
    model, tokenizer, origin = init_model(params, init, texts)
    lr = params.lr or (5e-5 if init else 5e-4)
    started = time.time()
    fit(model, tokenizer, texts, y_train, params, lr, log)
    seconds = time.time() - started
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    # Evaluate through the same inference path the score job uses.
    scorer = BertQualityScorer(out_dir, BertRuntime(max_length=params.max_length, torch_threads=params.threads))
    y_test = np.array(test.column("label").to_pylist()) == POSITIVE
    ev = evaluate(y_test, scorer.score(test.column("text")), np.array(test.column("category").to_pylist(), dtype=object))
    log(format_evaluation(ev))
    counts = {}
    for cat, lab in zip(data.column("category").to_pylist(), data.column("label").to_pylist()):
        counts.setdefault(cat, {"hq": 0, "lq": 0})[lab] += 1
    meta = {
        "labels": {"0": "low_quality", "1": "high_quality"}, "positive_label_index": 1,
        "score": "softmax probability of label 1 (high_quality)",
        "tokenizer": origin["tokenizer"], "init": origin["init"], "max_length": params.max_length,
        "thresholds": ev["thresholds"], "global_threshold": ev["global_threshold"],
        "held_out": {k: ev[k] for k in ("roc_auc", "accuracy", "held_out", "per_category")},
        "training": {"documents": train.num_rows, "per_category": counts, "seconds": round(seconds, 1),
                     "params": asdict(params), "lr": lr, "weak_labels": "refinery.scoring.quality_labels"},
    }
    if fasttext_out:
        from refinery.scoring.train_fasttext_quality import train_fasttext_on_set

        meta["fasttext"] = train_fasttext_on_set(train, test, fasttext_out, fasttext_params, log=log)
    with open(os.path.join(out_dir, METADATA_FILE), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2, ensure_ascii=False, default=lambda x: None if isinstance(x, float) and math.isnan(x) else x)
    log(f"wrote {out_dir}")
    return meta


def add_label_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--positive", nargs="+", required=True, help="curated/reference documents (Parquet, JSONL, .txt)")
    p.add_argument("--negative", nargs="*", default=[], help="random-web or rule-rejected documents")
    p.add_argument("--domain-model", help="fastText domain model used to balance by category (default: weak rules)")
    p.add_argument("--no-degrade", action="store_true", help="do not top up negatives with degraded positives")
    p.add_argument("--cap-per-category", type=int, default=0)
    p.add_argument("--holdout", type=float, default=0.2)


def load_label_inputs(args):
    domain = None
    if args.domain_model:
        from refinery.scoring.domain import DomainClassifier

        domain = DomainClassifier(args.domain_model)
    negatives = read_documents(args.negative) if args.negative else read_documents([])
    return read_documents(args.positive), negatives, domain


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m refinery.scoring.train_quality", description=__doc__.splitlines()[0])
    add_label_args(p)
    p.add_argument("--init", help="local Hugging Face BERT-family checkpoint directory to fine-tune")
    p.add_argument("--out", required=True, help="output model directory")
    p.add_argument("--fasttext-out", help="also train the fastText quality model here (.ftz)")
    d = BertTrainParams()
    for name in ("vocab_size", "hidden", "layers", "heads", "max_length", "windows", "epochs", "batch_size", "threads", "seed"):
        p.add_argument("--" + name.replace("_", "-"), type=int, default=getattr(d, name))
    p.add_argument("--lr", type=float, default=None)
    args = p.parse_args(argv)
    if not 1 <= args.max_length <= 4096:
        p.error("--max-length must be in 1..4096")
    if args.windows < 1:
        p.error("--windows must be >= 1")
    params = BertTrainParams(vocab_size=args.vocab_size, hidden=args.hidden, layers=args.layers, heads=args.heads,
                             max_length=args.max_length, windows=args.windows, epochs=args.epochs,
                             batch_size=args.batch_size, lr=args.lr, threads=args.threads, seed=args.seed)
    positives, negatives, domain = load_label_inputs(args)
    train_quality(positives, negatives, args.out, params, args.init, domain, args.holdout, not args.no_degrade,
                  args.cap_per_category, args.fasttext_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
