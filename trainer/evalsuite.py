"""Everything ``trainer.evaluate`` measures on one Hugging Face model directory, in one dict:
held-out perplexity per channel, probes, generative benchmarks. The CLI and the checkpoint
history (``trainer.history``) both call ``evaluate_model``."""
from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass
class EvalOptions:
    shards: str | None = None            # held-out token shards
    seq_len: int = 2048
    batch_size: int = 8
    max_windows: int | None = None
    probes: str | None = None            # probe YAML (trainer.probes)
    benchmarks: list[str] = field(default_factory=list)   # JSONL files (trainer.benchmarks.format)
    dev: str | None = None               # extra few-shot examples for every benchmark
    shots: int = 3
    transforms: str | None = None        # "shuffle,none_of_above+cn_numerals" (the original always runs)
    max_new_tokens: int = 16
    stop: list[str] = field(default_factory=lambda: ["\n"])
    seed: int = 0
    tokenizer: str | None = None         # default: the model directory

    def needs_tokenizer(self) -> bool:
        return bool(self.probes or self.benchmarks)

    def nothing_to_do(self) -> bool:
        return not (self.shards or self.probes or self.benchmarks)


def evaluate_model(model_dir: str, opts: EvalOptions, log=lambda msg: None) -> dict:
    from trainer.evaluate import channel_perplexity, load_model

    model = load_model(model_dir)
    result: dict = {"model": model_dir}
    if opts.shards:
        log(f"held-out perplexity on {opts.shards}")
        result["heldout"] = channel_perplexity(model, opts.shards, opts.seq_len, opts.batch_size, opts.max_windows)
    if not opts.needs_tokenizer():
        return result
    from trainer.benchmarks.generate import GreedyGenerator, TextTokenizer

    tok_path = opts.tokenizer or model_dir
    if not opts.tokenizer and not any(os.path.isfile(os.path.join(model_dir, f))
                                      for f in ("tokenizer.json", "tokenizer_config.json")):
        raise FileNotFoundError(f"{model_dir} holds no tokenizer: pass --tokenizer")
    tokenizer = TextTokenizer(tok_path)
    if opts.probes:
        from trainer.probes import load_probes, run_probes

        log(f"probes from {opts.probes}")
        result["probes"] = run_probes(model, tokenizer, load_probes(opts.probes))
    if opts.benchmarks:
        from trainer.benchmarks.run import benchmark_name, evaluate_benchmark

        generator = GreedyGenerator(model, tokenizer, opts.max_new_tokens, tuple(opts.stop), opts.batch_size)
        result["benchmarks"] = {}
        for path in opts.benchmarks:
            log(f"benchmark {path} ({opts.shots}-shot, variants: none,{opts.transforms or ''})")
            result["benchmarks"][benchmark_name(path)] = evaluate_benchmark(
                path, generator, opts.shots, opts.transforms, opts.seed, opts.dev)
        result["generation"] = {"greedy": True, "max_new_tokens": opts.max_new_tokens, "stop": opts.stop,
                                "prompts_left_truncated": generator.truncated}
    return result
