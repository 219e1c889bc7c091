"""Export a ZeRO checkpoint to a Hugging Face model directory in one step, one tensor at a time.

    python -m trainer.export --ckpt runs/1b/ckpt-12000 --out hf/1b-12000 [--dtype bf16|fp32]

Writes ``model*.safetensors`` (+ index when sharded), ``config.json``, ``generation_config.json``
and the tokenizer named by ``data.tokenizer`` in the run's config, so
``AutoModelForCausalLM.from_pretrained(out)`` loads it.

The usual route is three scripts (ZeRO → fp32 → fp16 → HF) and RAM for the whole fp32 model.
Here the optimizer shards are memory-mapped (``torch.load(mmap=True)``) and each parameter is
gathered from the ranks' fp32 partitions, cast, and streamed into the safetensors file before
the next one is touched: resident memory is about one tensor plus the page cache, not a copy
of the model.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import struct
import sys

import torch
from tqdm.auto import tqdm

SAFETENSORS_DTYPES = {torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16"}
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model",
                   "vocab.json", "merges.txt")


def _zero2_lazy_params(fp32_flat_groups, param_shapes):
    """name → callable returning the fp32 tensor, reading only the slices of each rank's partition
    that hold it (ZeRO-1/2 keep each param group as one flat vector split evenly across ranks)."""
    out = {}
    for g, shapes in enumerate(param_shapes):
        parts = [rank_groups[g] for rank_groups in fp32_flat_groups]
        bounds = [0]
        for p in parts:
            bounds.append(bounds[-1] + p.numel())
        offset = 0
        for name, shape in shapes.items():
            numel = math.prod(shape)

            def gather(start=offset, numel=numel, shape=tuple(shape), parts=parts, bounds=bounds):
                pieces, end = [], start + numel
                for r, part in enumerate(parts):
                    lo, hi = max(start, bounds[r]), min(end, bounds[r + 1])
                    if lo < hi:
                        pieces.append(part[lo - bounds[r]:hi - bounds[r]])
                return torch.cat(pieces).view(shape)

            out[name] = (tuple(shape), gather)
            offset += numel
    return out


def lazy_fp32_state_dict(ckpt_dir: str) -> dict:
    """name → (shape, load()) for every parameter of a DeepSpeed ZeRO checkpoint directory."""
    import glob

    from deepspeed.utils import zero_to_fp32 as z

    if not glob.glob(os.path.join(ckpt_dir, "*zero_pp_rank_*_optim_states.pt")):
        # ZeRO stage 0: the model states file holds the whole module
        states = torch.load(z.get_model_state_files(ckpt_dir)[0], map_location="cpu", mmap=True, weights_only=False)
        return {name: (tuple(t.shape), lambda t=t: t.float()) for name, t in states["module"].items()}
    model_states = z.parse_model_states(z.get_model_state_files(ckpt_dir))
    stage, world, flat_groups, paddings = z.parse_optim_states(z.get_optim_files(ckpt_dir), ckpt_dir)
    if stage <= 2:
        if paddings is not None and any(any(p) for p in paddings):
            raise ValueError(f"{ckpt_dir}: parameter alignment padding is not supported by the streaming export")
        params = _zero2_lazy_params(flat_groups, model_states[0].param_shapes)
    else:
        lazy = z._get_fp32_state_dict_from_zero3_checkpoint(world, flat_groups, model_states, False)
        params = {name: (tuple(t.shape), t.contiguous) for name, t in lazy.items()}
    # buffers saved in the model states file (e.g. rotary inv_freq when persistent)
    for name, tensor in model_states[0].buffers.items():
        params.setdefault(name, (tuple(tensor.shape), lambda t=tensor: t))
    return params


def write_safetensors(path: str, tensors: dict, dtype: torch.dtype) -> int:
    """Stream ``tensors`` (name → (shape, load())) into one safetensors file: header first (shapes
    are known without loading), then each tensor's bytes as it is produced."""
    header, offset = {}, 0
    size = torch.tensor([], dtype=dtype).element_size()
    for name, (shape, _) in tensors.items():
        n = math.prod(shape) * size
        header[name] = {"dtype": SAFETENSORS_DTYPES[dtype], "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    header["__metadata__"] = {"format": "pt"}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        # a progress bar on a terminal (a 7B export is minutes of gathering), silent in logs
        for name, (shape, load) in tqdm(tensors.items(), desc=os.path.basename(path), unit="tensor", disable=None):
            t = load().to(dtype).contiguous()
            f.write(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
            del t
    return offset


def export(ckpt: str, out: str, dtype: torch.dtype | None = None, max_shard_bytes: int = 5 * 2**30) -> dict:
    ckpt = ckpt.rstrip("/")
    if not os.path.isfile(os.path.join(ckpt, "COMPLETE")):
        raise FileNotFoundError(f"{ckpt}: not a complete trainer checkpoint (no COMPLETE marker)")
    with open(os.path.join(ckpt, "config.json"), encoding="utf-8") as f:
        hf_config = json.load(f)
    with open(os.path.join(ckpt, "trainer_config.json"), encoding="utf-8") as f:
        trainer_config = json.load(f)
    if dtype is None:
        dtype = torch.bfloat16 if trainer_config["train"]["precision"] == "bf16" else torch.float32
    params = lazy_fp32_state_dict(ckpt)
    if hf_config.get("tie_word_embeddings"):
        params.pop("lm_head.weight", None)
    params = {k: v for k, v in params.items() if not k.endswith("rotary_emb.inv_freq")}

    os.makedirs(out, exist_ok=True)
    size = torch.tensor([], dtype=dtype).element_size()
    shards, current, current_bytes = [], {}, 0
    for name, entry in params.items():
        n = math.prod(entry[0]) * size
        if current and current_bytes + n > max_shard_bytes:
            shards.append(current)
            current, current_bytes = {}, 0
        current[name] = entry
        current_bytes += n
    shards.append(current)
    total = 0
    weight_map = {}
    for i, shard in enumerate(shards):
        name = "model.safetensors" if len(shards) == 1 else f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        total += write_safetensors(os.path.join(out, name), shard, dtype)
        weight_map.update({k: name for k in shard})
    if len(shards) > 1:
        with open(os.path.join(out, "model.safetensors.index.json"), "w", encoding="utf-8") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)

    hf_config["dtype"] = {torch.bfloat16: "bfloat16", torch.float32: "float32"}.get(dtype, str(dtype))
    hf_config["use_cache"] = True
    hf_config.pop("_attn_implementation", None)
    hf_config["architectures"] = ["LlamaForCausalLM"]
    tokenizer = copy_tokenizer(trainer_config["data"].get("tokenizer"), out)
    if hf_config.get("eos_token_id") is None and tokenizer:
        hf_config["eos_token_id"] = tokenizer_eos_id(out)
    with open(os.path.join(out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(hf_config, f, indent=2)
    write_generation_config(out, hf_config)
    return {"out": out, "tensors": len(params), "bytes": total, "shards": len(shards), "tokenizer": tokenizer,
            "eos_token_id": hf_config.get("eos_token_id")}


def tokenizer_eos_id(out: str) -> int | None:
    from refinery.tokenize.encode import eos_id

    try:
        return eos_id(out)
    except (ValueError, OSError):
        return None


def write_generation_config(out: str, hf_config: dict) -> None:
    """``generate()`` stops at EOS only if the generation config names it (the trainer records the
    shards' EOS in the model config at start, trainer.shard_info)."""
    from transformers import GenerationConfig

    GenerationConfig(bos_token_id=hf_config.get("bos_token_id"), eos_token_id=hf_config.get("eos_token_id"),
                     pad_token_id=hf_config.get("pad_token_id")).save_pretrained(out)


def copy_tokenizer(source: str | None, out: str) -> str | None:
    if not source or not os.path.exists(source):
        return None
    if os.path.isfile(source):
        shutil.copy(source, os.path.join(out, "tokenizer.json"))
        return source
    for name in TOKENIZER_FILES:
        if os.path.isfile(os.path.join(source, name)):
            shutil.copy(os.path.join(source, name), os.path.join(out, name))
    return source


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m trainer.export", description=__doc__.splitlines()[0])
    p.add_argument("--ckpt", required=True, help="a checkpoint directory, e.g. runs/1b/ckpt-12000")
    p.add_argument("--out", required=True, help="the Hugging Face model directory to write")
    p.add_argument("--dtype", choices=["bf16", "fp32"], help="default: the run's training precision")
    p.add_argument("--max-shard-gb", type=float, default=5.0)
    a = p.parse_args(argv)
    dtype = {"bf16": torch.bfloat16, "fp32": torch.float32, None: None}[a.dtype]
    try:
        info = export(a.ckpt, a.out, dtype, int(a.max_shard_gb * 2**30))
    except (FileNotFoundError, ValueError) as e:
        print(f"export: {e}", file=sys.stderr)
        return 2
    note = info["tokenizer"] or "none (set data.tokenizer in the run config to ship one)"
    print(f"export: {info['tensors']} tensors, {info['bytes'] / 2**20:.1f} MiB in {info['shards']} file(s) "
          f"-> {info['out']}; tokenizer: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
