"""The model: Hugging Face ``LlamaForCausalLM`` built from ``ModelConfig``, or loaded from a HF directory.

LLaMA architecture (Touvron et al. 2023): pre-RMSNorm, SwiGLU MLP, rotary positions (base and
NTK-style scaling configurable, for long context), grouped-query attention when
``num_kv_heads < num_heads``, optional tied input/output embeddings. Using the HF class keeps the
export trivial (the state dict *is* the HF checkpoint) and lets any HF tool load the result.
"""
from __future__ import annotations

import importlib.util

import torch

from trainer import attention
from trainer.config import ModelConfig


def choose_attn_implementation(requested: str, document_mask: bool = False) -> str:
    """Packed documents: ``document_varlen`` (trainer.attention: flash-attn varlen or per-document
    SDPA). Otherwise flash_attention_2 only when ``flash-attn`` imports and a GPU is present, else SDPA."""
    if document_mask:
        return attention.NAME
    if requested != "auto":
        return requested
    if torch.cuda.is_available() and importlib.util.find_spec("flash_attn") is not None:
        return "flash_attention_2"
    return "sdpa"


def rope_parameters(cfg: ModelConfig) -> dict:
    params = {"rope_type": cfg.rope.type, "rope_theta": cfg.rope.theta}
    if cfg.rope.type != "default":
        params["factor"] = cfg.rope.factor
        original = cfg.rope.original_max_position_embeddings or cfg.max_seq_len
        if cfg.rope.type in ("yarn", "llama3"):
            params["original_max_position_embeddings"] = original
        if cfg.rope.type == "llama3":  # Llama-3.1's published values
            params.update(low_freq_factor=1.0, high_freq_factor=4.0)
    return params


def max_positions(cfg: ModelConfig) -> int:
    return int(cfg.max_seq_len * (cfg.rope.factor if cfg.rope.type != "default" else 1))


def hf_config(cfg: ModelConfig, attn_implementation: str):
    from transformers import LlamaConfig

    max_pos = max_positions(cfg)
    config = LlamaConfig(
        vocab_size=cfg.vocab_size, hidden_size=cfg.hidden_size, intermediate_size=cfg.intermediate_size,
        num_hidden_layers=cfg.num_layers, num_attention_heads=cfg.num_heads,
        num_key_value_heads=cfg.num_kv_heads, max_position_embeddings=max_pos,
        rms_norm_eps=cfg.rms_norm_eps, tie_word_embeddings=cfg.tie_embeddings,
        initializer_range=cfg.init_std, rope_parameters=rope_parameters(cfg),
        hidden_act="silu", use_cache=False, bos_token_id=None, eos_token_id=None,
    )
    config._attn_implementation = attn_implementation
    return config


def build_model(cfg: ModelConfig, seed: int, device: str | torch.device = "cpu", document_mask: bool = False):
    """A freshly initialised model in fp32 (DeepSpeed keeps fp32 masters and casts to bf16).

    Built directly on ``device``: initialising a 1B model's weights on the GPU takes a fraction of
    a second, on the CPU it is seconds of time-to-first-loss. Every rank seeds the same way, so
    ZeRO-3 partitions identical copies.
    """
    from transformers import LlamaForCausalLM

    torch.manual_seed(seed)
    attn = choose_attn_implementation(cfg.attn_implementation, document_mask)
    with torch.device(device):
        model = LlamaForCausalLM(hf_config(cfg, attn))
    return model


def load_pretrained(path: str, cfg: ModelConfig, dtype=torch.bfloat16, document_mask: bool = False):
    """Continue-pretrain: load a HF checkpoint; an extended tokenizer gets new embedding rows
    initialised to the mean of the existing rows (Hewitt 2021: the mean keeps the new tokens'
    initial logits close to the old distribution instead of random spikes).

    The YAML's RoPE (theta, scaling) and context length replace the checkpoint's: extending a
    model's context is exactly a continue-pretrain with a new ``model.rope``."""
    from transformers import LlamaForCausalLM

    attn = choose_attn_implementation(cfg.attn_implementation, document_mask)
    model = LlamaForCausalLM.from_pretrained(path, dtype=dtype, attn_implementation=attn,
                                             rope_parameters=rope_parameters(cfg),
                                             max_position_embeddings=max_positions(cfg))
    model.config.use_cache = False
    theirs = model.config
    for ours, name in ((cfg.hidden_size, "hidden_size"), (cfg.intermediate_size, "intermediate_size"),
                       (cfg.num_layers, "num_hidden_layers"), (cfg.num_heads, "num_attention_heads"),
                       (cfg.num_kv_heads, "num_key_value_heads"), (cfg.tie_embeddings, "tie_word_embeddings")):
        if getattr(theirs, name) != ours:
            raise ValueError(f"model: the config says {name}={ours} but {path} has {getattr(theirs, name)}")
    old = model.get_input_embeddings().weight.shape[0]
    if cfg.vocab_size > old:
        extend_vocab(model, cfg.vocab_size)
    elif cfg.vocab_size < old:
        raise ValueError(f"model.vocab_size {cfg.vocab_size} is smaller than {path}'s {old}")
    return model


@torch.no_grad()
def extend_vocab(model, new_size: int) -> None:
    """Grow the embedding (and an untied output layer) to ``new_size``; new rows = mean of old rows."""
    old_in = model.get_input_embeddings().weight.detach().clone()
    old_out = None if model.config.tie_word_embeddings else model.get_output_embeddings().weight.detach().clone()
    model.resize_token_embeddings(new_size, mean_resizing=False)
    n = old_in.shape[0]
    emb = model.get_input_embeddings().weight
    emb[:n] = old_in
    emb[n:] = old_in.float().mean(0).to(emb.dtype)
    if old_out is not None:
        out = model.get_output_embeddings().weight
        out[:n] = old_out
        out[n:] = old_out.float().mean(0).to(out.dtype)


def compile_layers(model, backend: str = "inductor") -> None:
    """``torch.compile`` each decoder layer in place (``train.compile``), as torchtitan does: the
    layers are identical, so one compiled graph serves all of them, compile time stays that of one
    layer, and the embedding, loss and DeepSpeed hooks between layers stay eager."""
    for layer in model.model.layers:
        layer.compile(backend=backend)


def count_params(model) -> dict:
    total = sum(p.numel() for p in model.parameters())
    embedding = model.get_input_embeddings().weight.numel()
    return {"total": total, "embedding": embedding}


def flops_per_token(cfg: ModelConfig, seq_len: int) -> float:
    """Training FLOPs per token = 6·N + 12·L·H·S  (PaLM, Chowdhery et al. 2022, appendix B).

    N counts the weights of every matmul (all non-embedding weights plus the output projection,
    vocab × hidden, which is a matmul even when tied to the embedding); 12·L·H·S is the attention
    score and value matmuls (forward + backward) for L layers, hidden size H, sequence length S.
    MFU = tokens_per_s × flops_per_token / (num_devices × peak FLOP/s of one device).
    """
    h, L, v = cfg.hidden_size, cfg.num_layers, cfg.vocab_size
    head_dim = h // cfg.num_heads
    kv = cfg.num_kv_heads * head_dim
    attn = h * h + 2 * h * kv + h * h          # q, k, v, o projections
    mlp = 3 * h * cfg.intermediate_size         # gate, up, down (SwiGLU)
    n_matmul = L * (attn + mlp) + v * h         # + output projection
    return 6.0 * n_matmul + 12.0 * L * h * seq_len
