"""Train a byte-level BPE tokenizer on a channel-balanced sample of refinery output.

    python -m refinery.tokenize.train_tokenizer --input runs/ingest/kept --vocab-size 32768 --out tok/

Choices, from practitioner note 000 ("Tokenizer") and the Llama-3 / Qwen vocabularies:

* byte-level BPE (every string encodes, nothing is UNK; ``decode(encode(x)) == x``);
* digits split one by one (``9.11`` vs ``9.9`` compare digit by digit);
* the final vocabulary size is a multiple of 128 (what training frameworks want of the embedding);
* a block of reserved special tokens (~1000) at the end, for alignment work after pretraining;
* configurable special tokens and domain tokens (``阿莫西林`` as one token in a medical model);
* dirty tokens (gambling/porn/spam words, long URL fragments, punctuation runs) are removed from
  the learned merges before the vocabulary is finalised (see ``dirty_tokens``).

Layout of the ids: learned tokens ``[0, L)``, domain tokens, then bos/eos/pad, the user's special
tokens and the reserved block; L is chosen so the total is exactly ``--vocab-size``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers

from refinery.tokenize.corpus import balanced_sample, read_channel_texts
from refinery.tokenize.dirty_tokens import DirtyTokenRules

BOS, EOS, PAD = "<|begin_of_text|>", "<|end_of_text|>", "<|pad|>"
RESERVED = "<|reserved_special_token_{}|>"
VOCAB_MULTIPLE = 128
TRAIN_INFO_FILE = "train_info.json"


def pre_tokenizer():
    """Digits one by one, then GPT-2's byte-level split (letters, numbers, punctuation, spaces)."""
    return pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])


def learn_bpe(texts, vocab_size: int, min_frequency: int = 2, max_token_length: int | None = 24) -> Tokenizer:
    """Plain BPE learning over byte-level pre-tokens: no special tokens, ids in merge order."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizer()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=True,  # the tokenizers library draws it on a terminal only
        max_token_length=max_token_length,
    )
    tok.train_from_iterator(texts, trainer=trainer, length=len(texts) if hasattr(texts, "__len__") else None)
    return tok


def prune_merges(vocab: dict[str, int], merges: list, remove: set[str], keep_learned: int):
    """Drop ``remove`` (and every token built from one of them), then keep at most ``keep_learned`` tokens.

    Tokens of a BPE vocabulary are the byte alphabet plus one product per merge, in merge order;
    a product is only used by later merges, so cutting the tail keeps the rest consistent.
    Returns (vocab, merges) with ids renumbered in order.
    """
    products = {a + b for a, b in merges}
    alphabet = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1]) if t not in products]
    gone = set(remove)
    kept_merges = []
    for a, b in merges:
        if a in gone or b in gone or a + b in gone:
            gone.add(a + b)
            continue
        kept_merges.append((a, b))
    room = max(0, keep_learned - len(alphabet))
    kept_merges = kept_merges[:room]
    tokens = alphabet + [a + b for a, b in kept_merges]
    # two merges can produce the same string (``a+bc`` and ``ab+c``): keep the first
    seen, ordered = set(), []
    for t in tokens:
        if t not in seen:
            seen.add(t)
            ordered.append(t)
    return {t: i for i, t in enumerate(ordered)}, kept_merges


def build_tokenizer(vocab: dict[str, int], merges: list, domain_tokens: list[str], special_tokens: list[str]) -> Tokenizer:
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[tuple(m) for m in merges]))
    tok.pre_tokenizer = pre_tokenizer()
    tok.decoder = decoders.ByteLevel()
    if domain_tokens:
        tok.add_tokens([AddedToken(t, normalized=False, special=False) for t in domain_tokens])
    tok.add_special_tokens([AddedToken(t, normalized=False, special=True) for t in special_tokens])
    return tok


def save_hf(tok: Tokenizer, out_dir: str, model_max_length: int = 1 << 20) -> None:
    """Save so that ``transformers.AutoTokenizer.from_pretrained(out_dir)`` loads it."""
    from transformers import PreTrainedTokenizerFast

    hf = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=BOS, eos_token=EOS, pad_token=PAD,
                                 model_max_length=model_max_length)
    hf.save_pretrained(out_dir)


def train(
    groups: dict[str, list[str]],
    vocab_size: int,
    out_dir: str,
    reserved: int = 1000,
    special_tokens: list[str] = (),
    domain_tokens: list[str] = (),
    sample_chars: int = 200_000_000,
    seed: int = 0,
    min_frequency: int = 2,
    dirty_rules: DirtyTokenRules | None = None,
) -> dict:
    """Train, clean and save; returns the training summary (also written to ``train_info.json``)."""
    if vocab_size % VOCAB_MULTIPLE:
        raise ValueError(f"vocab_size must be a multiple of {VOCAB_MULTIPLE}, got {vocab_size}")
    started = time.time()
    specials = [BOS, EOS, PAD] + [t for t in special_tokens if t not in (BOS, EOS, PAD)]
    n_fixed = len(specials) + reserved + len(domain_tokens)
    learned_target = vocab_size - n_fixed
    if learned_target < 256:
        raise ValueError(f"vocab_size {vocab_size} leaves {learned_target} learned tokens (< 256 bytes)")
    sample = balanced_sample(groups, sample_chars, seed)
    texts = [t for key in sorted(sample) for t in sample[key]]
    # learn a margin beyond the target so dirty tokens can go without leaving the vocabulary short
    margin = max(64, learned_target // 10)
    learned = learn_bpe(texts, learned_target + margin, min_frequency)
    model = json.loads(learned.to_str())["model"]
    vocab, merges = model["vocab"], [tuple(m) for m in model["merges"]]
    rules = dirty_rules or DirtyTokenRules()
    dirty = rules.find([a + b for a, b in merges])
    vocab, merges = prune_merges(vocab, merges, set(dirty), learned_target)
    # not enough text to learn them all: the remainder becomes more reserved tokens
    n_reserved = vocab_size - len(vocab) - len(domain_tokens) - len(specials)
    specials += [RESERVED.format(i) for i in range(n_reserved)]
    tok = build_tokenizer(vocab, merges, list(domain_tokens), specials)
    if tok.get_vocab_size() != vocab_size:
        raise AssertionError(f"built {tok.get_vocab_size()} tokens, wanted {vocab_size}")
    os.makedirs(out_dir, exist_ok=True)
    save_hf(tok, out_dir)
    by_reason: dict = {}
    for tok_str, why in dirty.items():
        by_reason[why] = by_reason.get(why, 0) + 1
    info = {
        "vocab_size": vocab_size,
        "learned_tokens": len(vocab),
        "domain_tokens": list(domain_tokens),
        "special_tokens": specials[: len(specials) - n_reserved],
        "reserved_tokens": n_reserved,
        "reserved_first_id": tok.token_to_id(RESERVED.format(0)) if n_reserved else None,
        "bos_id": tok.token_to_id(BOS), "eos_id": tok.token_to_id(EOS), "pad_id": tok.token_to_id(PAD),
        "dirty_tokens_removed": len(dirty),
        "dirty_tokens_by_reason": by_reason,
        "dirty_examples": sorted({_show(t) for t in dirty})[:50],
        "sample_chars_per_channel": {k: sum(map(len, v)) for k, v in sample.items()},
        "sample_docs_per_channel": {k: len(v) for k, v in sample.items()},
        "seconds": round(time.time() - started, 2),
    }
    with open(os.path.join(out_dir, TRAIN_INFO_FILE), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2, ensure_ascii=False)
    return info


def _show(token: str) -> str:
    from refinery.tokenize.dirty_tokens import token_text

    return token_text(token)


def _token_list(value: str | None) -> list[str]:
    """``a,b,c`` or ``@file`` (one token per line)."""
    if not value:
        return []
    if value.startswith("@"):
        with open(value[1:], encoding="utf-8") as f:
            return [line.rstrip("\n") for line in f if line.strip()]
    return [t for t in value.split(",") if t]


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m refinery.tokenize.train_tokenizer", description=__doc__.splitlines()[0])
    p.add_argument("--input", nargs="+", required=True, help="Parquet dataset dirs (a stage's kept/) or JSONL files/dirs")
    p.add_argument("--vocab-size", type=int, required=True, help="final vocabulary size, a multiple of 128")
    p.add_argument("--out", required=True, help="output directory (Hugging Face tokenizer files)")
    p.add_argument("--balance-by", default="lang", help="comma-separated channel columns (JSONL: dotted paths)")
    p.add_argument("--sample-chars", type=int, default=200_000_000, help="characters of training text in all")
    p.add_argument("--reserved", type=int, default=1000, help="reserved special tokens (at least)")
    p.add_argument("--special-tokens", help="extra special tokens: a,b,c or @file")
    p.add_argument("--domain-tokens", help="domain tokens kept whole: a,b,c or @file")
    p.add_argument("--dirty-words", help="replace the shipped dirty-word list (one word a line)")
    p.add_argument("--min-frequency", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--compare", nargs="*", default=[], help="tokenizer dirs to compare in the compression report")
    return p.parse_args(argv)


def main(argv=None) -> int:
    from refinery.tokenize.compression import compression_report, format_report

    args = parse_args(argv)
    if args.vocab_size % VOCAB_MULTIPLE:
        print(f"train_tokenizer: --vocab-size must be a multiple of {VOCAB_MULTIPLE} "
              f"(e.g. {-(-args.vocab_size // VOCAB_MULTIPLE) * VOCAB_MULTIPLE})", file=sys.stderr)
        return 2
    columns = [c for c in args.balance_by.split(",") if c]
    try:
        groups = read_channel_texts(args.input, columns)
    except (FileNotFoundError, ValueError) as e:
        print(f"train_tokenizer: {e}", file=sys.stderr)
        return 2
    if not groups:
        print("train_tokenizer: no text in the inputs", file=sys.stderr)
        return 2
    rules = DirtyTokenRules(_token_list("@" + args.dirty_words)) if args.dirty_words else None
    info = train(groups, args.vocab_size, args.out, args.reserved, _token_list(args.special_tokens),
                 _token_list(args.domain_tokens), args.sample_chars, args.seed, args.min_frequency, rules)
    print(json.dumps({k: v for k, v in info.items() if k != "dirty_examples"}, ensure_ascii=False, indent=1))
    report = compression_report(groups, {"trained": args.out, **{os.path.basename(d.rstrip("/")): d for d in args.compare}})
    with open(os.path.join(args.out, "compression.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2, ensure_ascii=False)
    print(format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
