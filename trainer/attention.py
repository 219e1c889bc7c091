"""Document-masked attention for packed batches: each document attends only to itself.

With ``data.document_mask`` the loader marks where every document (and every window) starts and
builds ``cu_seqlens``, the cumulative lengths flash-attn's varlen kernel takes. The micro-batch
``[B, S]`` is flattened into one row ``[1, B·S]`` so a single varlen call covers all of it, for
any micro-batch size (transformers' own flash-attention-2 path detects packing only at batch 1,
and its SDPA path builds a dense ``B×S×S`` mask).

The model runs with ``attn_implementation="document_varlen"``, registered here:

* CUDA + the ``flash-attn`` package + bf16/fp16: ``flash_attn_varlen_func`` (causal, GQA native);
* otherwise (CPU, fp32, no flash-attn): one causal SDPA call per document, sliced with the
  host-side boundaries the loader computed, so no dense mask is built and nothing is read back.

transformers builds no mask for an attention name it has no mask function for, so the mask
creation (and its packed-sequence check, a host read) is skipped altogether.
"""
from __future__ import annotations

import functools
import importlib.util

import numpy as np
import torch
import torch.nn.functional as F

NAME = "document_varlen"


def document_cu_seqlens(position_ids: np.ndarray | torch.Tensor) -> np.ndarray:
    """``cu_seqlens`` (int32) of the flattened batch: a segment starts wherever the position is 0.

    The sampler restarts positions at every document start and at every window start, so the
    segments are exactly the document pieces each window holds.
    """
    flat = np.asarray(position_ids).reshape(-1)
    starts = np.flatnonzero(flat == 0)
    if len(starts) == 0 or starts[0] != 0:
        raise ValueError("document_cu_seqlens: positions must start at 0 in every row")
    return np.append(starts, len(flat)).astype(np.int32)


@functools.lru_cache(maxsize=1)
def _flash_varlen():
    if importlib.util.find_spec("flash_attn") is None:
        return None
    from flash_attn import flash_attn_varlen_func

    return flash_attn_varlen_func


def document_varlen_attention(module, query, key, value, attention_mask, dropout: float = 0.0,
                              scaling: float | None = None, *, cu_seq_lens_q=None, max_length_q=None,
                              doc_bounds=None, **kwargs):
    """transformers attention interface: query ``[1, H, T, D]``, key/value ``[1, Hkv, T, D]`` →
    ``([1, T, H, D], None)``, attention restricted to the segments of ``cu_seq_lens_q``."""
    if doc_bounds is None:
        raise ValueError("document_varlen attention needs the loader's cu_seqlens (data.document_mask)")
    if query.shape[0] != 1:
        raise ValueError("document_varlen attention expects the flattened [1, B·S] batch")
    q, k, v = (x[0].transpose(0, 1) for x in (query, key, value))   # [T, heads, D]
    flash = _flash_varlen() if q.is_cuda and q.dtype in (torch.bfloat16, torch.float16) else None
    if flash is not None:
        out = flash(q.contiguous(), k.contiguous(), v.contiguous(), cu_seqlens_q=cu_seq_lens_q,
                    cu_seqlens_k=cu_seq_lens_q, max_seqlen_q=max_length_q, max_seqlen_k=max_length_q,
                    dropout_p=dropout if module.training else 0.0, softmax_scale=scaling, causal=True)
        return out.unsqueeze(0), None
    groups = query.shape[1] // key.shape[1]
    pieces = []
    for start, end in zip(doc_bounds[:-1], doc_bounds[1:]):
        qs, ks, vs = (x[:, :, start:end] for x in (query, key, value))
        if groups > 1:
            ks, vs = ks.repeat_interleave(groups, dim=1), vs.repeat_interleave(groups, dim=1)
        pieces.append(F.scaled_dot_product_attention(qs, ks, vs, is_causal=True, scale=scaling,
                                                     dropout_p=dropout if module.training else 0.0))
    return torch.cat(pieces, dim=2).transpose(1, 2).contiguous(), None


def register() -> None:
    from transformers import AttentionInterface

    AttentionInterface.register(NAME, document_varlen_attention)


def model_inputs(tensors: dict, device) -> dict:
    """Keyword arguments for the model's forward from a loader batch (moved to ``device``).

    With ``cu_seqlens`` (document masking) the batch is flattened to one row and the segment
    boundaries travel as host integers (SDPA slicing) and as a device tensor (flash-attn), so the
    forward never reads a tensor back to the host.
    """
    ids = tensors["input_ids"].to(device, non_blocking=True)
    positions = tensors.get("position_ids")
    if "cu_seqlens" not in tensors:
        return {"input_ids": ids, "position_ids": None if positions is None else positions.to(device, non_blocking=True)}
    cu = tensors["cu_seqlens"]                     # host tensor, built by the loader
    bounds = tuple(cu.tolist())
    return {"input_ids": ids.reshape(1, -1), "position_ids": positions.reshape(1, -1).to(device, non_blocking=True),
            "cu_seq_lens_q": cu.to(device, non_blocking=True), "max_length_q": int(np.diff(bounds).max()),
            "doc_bounds": bounds}


register()
