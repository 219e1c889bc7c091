"""Evaluate a Hugging Face model directory (e.g. a ``trainer.export`` output).

    python -m trainer.evaluate --model HF_DIR [--shards HELD_OUT_DIR --seq-len 2048 --max-windows 2000]
                               [--probes probes.yaml] [--tokenizer TOK] [--out eval.json]
                               [--benchmark FILE.jsonl --shots K --transform shuffle,none_of_above,...]
    python -m trainer.evaluate --run RUN_DIR [the same options] [--all]     # → RUN_DIR/eval_history.jsonl

* Per-channel perplexity on held-out token shards: every window of every chunk, in order; the
  loss of each token is attributed to the channel (zh / en / code …) of its document.
* Probability probes, a quick knowledge check between full benchmarks: each probe is a prompt and
  a continuation, e.g. ``{prompt: "中国的首都是", target: "北京"}``; reported are P(target | prompt)
  (product over the target's tokens) and the rank of the target's first token among all next tokens
  (1 = the model's top choice). Sentence-PPL and contrastive probes: ``trainer.probes``.
* Generative benchmarks (``trainer.benchmarks``): few-shot, greedy, stop strings, accuracy per
  subject and per paper variant.
* ``--run``: every new complete checkpoint of a run, exported on the fly (``trainer.history``).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import yaml
from tqdm.auto import tqdm


def load_model(path: str):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    model.eval()
    return model


@torch.no_grad()
def channel_perplexity(model, shards: str, seq_len: int, batch_size: int = 8, max_windows: int | None = None) -> dict:
    from trainer.data import ChannelRegistry, PackedSampler, SamplerState

    registry = ChannelRegistry(max_channels=1024)
    sampler = PackedSampler(shards, seq_len, batch_size, shuffle=False, state=SamplerState(),
                            registry=registry)
    sums: dict[int, list[float]] = {}
    pending, seen = [], 0

    def flush():
        ids = torch.from_numpy(np.stack([s["input_ids"] for s in pending]))
        labels = torch.from_numpy(np.stack([s["labels"] for s in pending]))
        channels = np.concatenate([s["channels"] for s in pending])
        logits = model(input_ids=ids).logits.float()
        losses = F.cross_entropy(logits.flatten(0, 1), labels.flatten(), reduction="none").numpy()
        for cid in np.unique(channels):
            sel = losses[channels == cid]
            acc = sums.setdefault(int(cid), [0.0, 0])
            acc[0] += float(sel.sum())
            acc[1] += int(sel.size)
        pending.clear()

    windows = [(index, (sampler._reader(index)[0].num_tokens - 1) // seq_len) for index in range(len(sampler.paths))]
    total = sum(n for _, n in windows)
    progress = tqdm(total=min(total, max_windows) if max_windows is not None else total, desc="eval windows",
                    disable=None)  # a bar on a terminal, silent in logs
    for index, n_windows in windows:
        for w in range(n_windows):
            if max_windows is not None and seen >= max_windows:
                break
            pending.append(sampler.sample(index, w))
            seen += 1
            progress.update()
            if len(pending) == batch_size:
                flush()
    if pending:
        flush()
    progress.close()
    total_loss = sum(v[0] for v in sums.values())
    total_tokens = sum(v[1] for v in sums.values())
    result = {"windows": seen, "tokens": total_tokens,
              "perplexity": math.exp(total_loss / total_tokens) if total_tokens else None, "channels": {}}
    for cid, (loss, n) in sorted(sums.items()):
        result["channels"][registry.names[cid]] = {"perplexity": math.exp(loss / n), "loss": loss / n, "tokens": n}
    return result


def load_tokenizer(path: str):
    """An HF tokenizer directory or a ``tokenizer.json``; returns encode(text) -> list[int]."""
    import os

    if os.path.isfile(path):
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(path)
        return lambda text: tok.encode(text, add_special_tokens=False).ids
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    return lambda text: tok.encode(text, add_special_tokens=False)


def load_probes(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    probes = data.get("probes") if isinstance(data, dict) else data
    if not isinstance(probes, list) or not all(isinstance(p, dict) and {"prompt", "target"} <= set(p) for p in probes):
        raise ValueError(f"{path}: expected a list of {{prompt: ..., target: ...}} (optionally under 'probes:')")
    return probes


@torch.no_grad()
def probe(model, encode, prompt: str, target: str) -> dict:
    p_ids, t_ids = encode(prompt), encode(target)
    if not p_ids or not t_ids:
        raise ValueError(f"probe {prompt!r} → {target!r}: prompt and target must both tokenize to something")
    ids = torch.tensor([p_ids + t_ids])
    logprobs = torch.log_softmax(model(input_ids=ids).logits[0].float(), dim=-1)
    positions = range(len(p_ids) - 1, len(p_ids) + len(t_ids) - 1)
    target_lp = sum(float(logprobs[pos, tok]) for pos, tok in zip(positions, t_ids))
    first = logprobs[len(p_ids) - 1]
    rank = int((first > first[t_ids[0]]).sum()) + 1
    return {"prompt": prompt, "target": target, "probability": math.exp(target_lp), "logprob": target_lp,
            "first_token_rank": rank, "target_tokens": len(t_ids)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m trainer.evaluate", description=__doc__.splitlines()[0])
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--model", help="Hugging Face model directory")
    target.add_argument("--run", help="a training run directory: evaluate its new complete checkpoints into "
                                      "RUN_DIR/eval_history.jsonl (trainer.history)")
    p.add_argument("--all", action="store_true", help="with --run: re-evaluate every complete checkpoint")
    p.add_argument("--shards", help="held-out token-shard directory (per-channel perplexity)")
    p.add_argument("--seq-len", type=int, help="default 2048; with --run the run's data.seq_len")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--max-windows", type=int)
    p.add_argument("--probes", help="probe YAML: {prompt, target}, {text} or {better, worse} (trainer.probes)")
    p.add_argument("--benchmark", action="append", default=[], metavar="FILE.jsonl",
                   help="a generative benchmark (README: Benchmarks); repeat for several")
    p.add_argument("--dev", help="JSONL of few-shot examples for every benchmark (besides their split=dev items)")
    p.add_argument("--shots", type=int, default=3)
    p.add_argument("--transform", help="paper variants besides the original, comma-separated, '+' to combine: "
                                       "shuffle,none_of_above,cn_numerals,single_choice")
    p.add_argument("--max-new-tokens", type=int, default=16)
    p.add_argument("--stop", action="append", help="stop string (repeatable; default a newline)")
    p.add_argument("--seed", type=int, default=0, help="seed of the shuffle / single_choice transforms")
    p.add_argument("--tokenizer", help="tokenizer dir or tokenizer.json (default: the model directory)")
    p.add_argument("--out", help="results JSON (default: HF_DIR/eval.json; not used with --run)")
    a = p.parse_args(argv)
    from trainer.evalsuite import EvalOptions

    opts = EvalOptions(shards=a.shards, seq_len=a.seq_len or 2048, batch_size=a.batch_size,
                       max_windows=a.max_windows, probes=a.probes, benchmarks=a.benchmark, dev=a.dev,
                       shots=a.shots, transforms=a.transform, max_new_tokens=a.max_new_tokens,
                       stop=a.stop if a.stop is not None else ["\n"], seed=a.seed, tokenizer=a.tokenizer)
    try:
        if a.transform:
            from trainer.benchmarks.transforms import parse_variants

            parse_variants(a.transform)
        if a.run:
            from trainer.history import evaluate_run

            rows = evaluate_run(a.run, opts, a.all, seq_len_given=a.seq_len is not None,
                                log=lambda m: print(m, file=sys.stderr, flush=True))
            print(json.dumps(rows, indent=1, ensure_ascii=False))
            return 0
        if opts.nothing_to_do():
            p.error("nothing to do: give --shards, --probes and/or --benchmark")
        from trainer.evalsuite import evaluate_model

        result = evaluate_model(a.model, opts, log=lambda m: print(m, file=sys.stderr, flush=True))
    except (ValueError, FileNotFoundError) as e:  # BenchmarkError and ProbeError are ValueErrors
        print(f"evaluate: {e}", file=sys.stderr)
        return 2
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    out = a.out or os.path.join(a.model, "eval.json")
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
