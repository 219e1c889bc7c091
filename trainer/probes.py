"""Probability probes, watched as a trend across checkpoints (the seed notes' 概率探针):

    probes:                                              # or a bare list, as conf/probes.demo.yaml
      - {prompt: "中国的首都是", target: "北京"}           # P(target | prompt), rank of its first token
      - {name: tw, text: "台湾属于中国"}                   # sentence PPL
      - {better: "尊重同性恋", worse: "反对同性恋"}         # contrastive: PPL(better) < PPL(worse) expected
      - {prompt: "以 json 格式输出：", target: "{"}

The kind follows from the keys; ``name`` is optional (default: the texts). A sentence is scored
after the tokenizer's EOS when it has one (in training every document follows an EOS), else from
its second token. What the notes read is the direction over checkpoints, not the absolute value;
``trend_value`` gives the one number per probe the history keeps.
"""
from __future__ import annotations

import math

import torch
import yaml

KINDS = {"target": {"prompt", "target"}, "ppl": {"text"}, "contrast": {"better", "worse"}}
TREND_KEY = {"target": "probability", "ppl": "ppl", "contrast": "margin"}


class ProbeError(ValueError):
    pass


def load_probes(path: str) -> list[dict]:
    """Probes with ``kind`` and ``name`` filled in; a malformed entry stops with its index."""
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise ProbeError(f"{path}: {e}") from None
    entries = data.get("probes") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not entries:
        raise ProbeError(f"{path}: expected a list of probes (optionally under 'probes:')")
    out, names = [], set()
    for i, entry in enumerate(entries):
        where = f"{path}: probes[{i}]"
        if not isinstance(entry, dict):
            raise ProbeError(f"{where}: expected a mapping")
        kinds = [k for k, keys in KINDS.items() if keys <= set(entry)]
        if len(kinds) != 1:
            raise ProbeError(f"{where}: give prompt+target, text, or better+worse (got keys {sorted(entry)})")
        kind = kinds[0]
        extra = set(entry) - KINDS[kind] - {"name"}
        if extra:
            raise ProbeError(f"{where}: unknown key(s) {sorted(extra)} for a {kind} probe")
        texts = {k: str(entry[k]) for k in KINDS[kind]}
        if not all(texts.values()):
            raise ProbeError(f"{where}: empty text")
        default = {"target": lambda t: t["prompt"] + "→" + t["target"], "ppl": lambda t: t["text"],
                   "contrast": lambda t: t["better"] + " < " + t["worse"]}[kind](texts)
        name = str(entry.get("name") or default)
        if name in names:
            raise ProbeError(f"{where}: duplicate probe name {name!r}")
        names.add(name)
        out.append({"kind": kind, "name": name, **texts})
    return out


@torch.no_grad()
def continuation_scores(model, context: list[int], ids: list[int]) -> tuple[list[float], list[int]]:
    """Log-probability and rank (1 = the model's top choice) of each token of ``ids`` after ``context``."""
    device = next(model.parameters()).device
    full = torch.tensor([context + ids], device=device)
    logprobs = torch.log_softmax(model(input_ids=full).logits[0].float(), dim=-1)
    lps, ranks = [], []
    for j, tok in enumerate(ids):
        row = logprobs[len(context) - 1 + j]
        lps.append(float(row[tok]))
        ranks.append(int((row > row[tok]).sum()) + 1)
    return lps, ranks


def sentence_ppl(model, tokenizer, text: str) -> dict:
    ids = tokenizer.encode(text)
    context = [tokenizer.eos_id] if tokenizer.eos_id is not None else ids[:1]
    scored = ids if tokenizer.eos_id is not None else ids[1:]
    if not scored:
        raise ProbeError(f"probe text {text!r} is too short to score (one token and no EOS to condition on)")
    lps, ranks = continuation_scores(model, context, scored)
    logprob = sum(lps)
    return {"ppl": math.exp(-logprob / len(scored)), "logprob": logprob, "probability": math.exp(logprob),
            "tokens": len(scored), "mean_token_rank": sum(ranks) / len(ranks)}


def run_probe(model, tokenizer, p: dict) -> dict:
    if p["kind"] == "target":
        p_ids, t_ids = tokenizer.encode(p["prompt"]), tokenizer.encode(p["target"])
        if not p_ids or not t_ids:
            raise ProbeError(f"probe {p['name']!r}: prompt and target must both tokenize to something")
        lps, ranks = continuation_scores(model, p_ids, t_ids)
        return {**p, "probability": math.exp(sum(lps)), "logprob": sum(lps), "first_token_rank": ranks[0],
                "target_tokens": len(t_ids)}
    if p["kind"] == "ppl":
        return {**p, **sentence_ppl(model, tokenizer, p["text"])}
    better, worse = sentence_ppl(model, tokenizer, p["better"]), sentence_ppl(model, tokenizer, p["worse"])
    return {**p, "ppl_better": better["ppl"], "ppl_worse": worse["ppl"], "holds": better["ppl"] < worse["ppl"],
            "margin": math.log(worse["ppl"]) - math.log(better["ppl"])}


def run_probes(model, tokenizer, probes: list[dict]) -> list[dict]:
    return [run_probe(model, tokenizer, p) for p in probes]


def trend_value(result: dict) -> float:
    """The number a history row keeps: P(target | prompt), the sentence's PPL, or the contrast's
    log-PPL margin (> 0: the expected order holds)."""
    return result[TREND_KEY[result["kind"]]]
