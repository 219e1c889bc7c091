"""Compression of tokenizers per channel: characters per token and UTF-8 bytes per token.

    python -m refinery.tokenize.compression --input runs/ingest/kept --tokenizer tok/ other_tok/

Practitioner note 000: most Chinese LLM tokenizers map one token to about 1.5 Chinese
characters; too low and decoding is slow, too high and knowledge suffers. Loss values of
models with different tokenizers are not comparable, so compare compression instead.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from refinery.tokenize.corpus import balanced_sample, read_channel_texts


def load_encoder(path: str):
    """A fast ``tokenizers.Tokenizer`` from ``tokenizer.json`` if present, else via ``AutoTokenizer``."""
    tok_file = os.path.join(path, "tokenizer.json")
    if os.path.isfile(tok_file):
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(tok_file)
        return lambda texts: [len(e.ids) for e in tok.encode_batch(texts, add_special_tokens=False)]
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(path)
    return lambda texts: [len(ids) for ids in hf(texts, add_special_tokens=False)["input_ids"]]


def compression_report(groups: dict[str, list[str]], tokenizers: dict[str, str], max_chars: int = 5_000_000,
                       seed: int = 1) -> dict:
    """{tokenizer name: {channel: {chars, bytes, tokens, chars_per_token, bytes_per_token}}}."""
    sample = balanced_sample(groups, max_chars * max(1, len(groups)), seed)
    report = {}
    for name, path in tokenizers.items():
        encode = load_encoder(path)
        per_channel = {}
        for channel in sorted(sample):
            texts = sample[channel]
            tokens = sum(encode(texts))
            chars = sum(map(len, texts))
            nbytes = sum(len(t.encode("utf-8")) for t in texts)
            per_channel[channel] = {
                "docs": len(texts), "chars": chars, "bytes": nbytes, "tokens": tokens,
                "chars_per_token": round(chars / max(tokens, 1), 3),
                "bytes_per_token": round(nbytes / max(tokens, 1), 3),
            }
        report[name] = per_channel
    return report


def format_report(report: dict) -> str:
    lines = ["| tokenizer | channel | docs | chars/token | bytes/token | tokens |", "|---|---|---:|---:|---:|---:|"]
    for name, per_channel in report.items():
        for channel, r in per_channel.items():
            lines.append(f"| {name} | {channel} | {r['docs']} | {r['chars_per_token']:.3f} | "
                         f"{r['bytes_per_token']:.3f} | {r['tokens']} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m refinery.tokenize.compression", description=__doc__.splitlines()[0])
    p.add_argument("--input", nargs="+", required=True)
    p.add_argument("--tokenizer", nargs="+", required=True, help="tokenizer directories")
    p.add_argument("--balance-by", default="lang")
    p.add_argument("--max-chars", type=int, default=5_000_000, help="characters per channel to encode")
    p.add_argument("--json", help="also write the report here")
    args = p.parse_args(argv)
    groups = read_channel_texts(args.input, [c for c in args.balance_by.split(",") if c])
    report = compression_report(groups, {os.path.basename(d.rstrip("/")) or d: d for d in args.tokenizer},
                                args.max_chars)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2, ensure_ascii=False)
    print(format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
