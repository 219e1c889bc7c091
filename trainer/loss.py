"""The training loss: next-token cross-entropy (+ PaLM z-loss), per token for the channel metrics.

Plain path: the model's logits ``[tokens, vocab]`` are materialised in fp32, then cross-entropy.
At a 32k–128k vocabulary that tensor (and its gradient) is the largest activation of a small
model. ``train.fused_ce`` uses Liger's fused linear cross-entropy instead (Hsu et al. 2024,
"Liger Kernel"): the output projection and the loss are computed chunk by chunk, so the full
logits never exist. Liger's kernels are Triton, so this needs a GPU; the package installs on a
CPU machine but cannot run there.

The fused path replaces the forward of the model instance (not its class, not its weights), so
DeepSpeed's engine still calls it — its forward bookkeeping and backward hooks stay intact —
and the state dict, checkpoints and export are unchanged. It reads ``lm_head.weight`` directly,
which ZeRO-3 would have partitioned away: ZeRO ≤ 2 only (checked in the config).
"""
from __future__ import annotations

import importlib.util
import types

import torch
import torch.nn.functional as F


def liger_available() -> bool:
    return importlib.util.find_spec("liger_kernel") is not None


def install_fused_cross_entropy(model, z_loss: float) -> None:
    """After this, ``model(labels=…, **inputs)`` returns ``(mean loss, per-token cross-entropy)``."""
    from liger_kernel.transformers import LigerFusedLinearCrossEntropyLoss

    loss_fn = LigerFusedLinearCrossEntropyLoss(reduction="none", lse_square_scale=z_loss, return_z_loss=z_loss > 0)

    def fused_forward(self, labels, **inputs):
        hidden = self.model(**inputs).last_hidden_state.flatten(0, 1)
        out = loss_fn(self.lm_head.weight, hidden, labels.flatten())
        per_token, z = (out.loss, out.z_loss) if z_loss > 0 else (out, None)
        ce = per_token if z is None else per_token - z
        return per_token.mean(), ce.detach()

    model.forward = types.MethodType(fused_forward, model)
    model.fused_cross_entropy = True


def causal_lm_loss(engine, inputs: dict, labels: torch.Tensor, z_loss: float):
    """(mean loss to back-propagate, per-token cross-entropy shaped like ``labels``)."""
    module = getattr(engine, "module", engine)
    if getattr(module, "fused_cross_entropy", False):
        loss, token_losses = engine(labels=labels, **inputs)
        return loss, token_losses.view_as(labels)
    logits = engine(**inputs).logits.float()
    token_losses = F.cross_entropy(logits.flatten(0, 1), labels.flatten(), reduction="none")
    loss = token_losses.mean()
    if z_loss:
        loss = loss + z_loss * torch.logsumexp(logits, dim=-1).pow(2).mean()
    return loss, token_losses.view_as(labels)
