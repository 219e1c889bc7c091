"""The DeepSpeed config: generated from the YAML, a user's ``ds_config.json`` deep-merged over it.

* bf16 runs reduce gradients in fp32 (``communication_data_type: fp32``): DeepSpeed otherwise
  all-reduces / reduce-scatters them in the model dtype, bf16, whose 8-bit mantissa loses the
  small contributions when many ranks' gradients are summed. (DeepSpeed 0.19's ZeRO-1/2 read
  this key in ``gradient_reduction_w_predivide`` and the reduce-scatter buckets; ZeRO-2 still
  keeps its partitioned gradient buffer in bf16 between micro-batches.)
* A user file is merged key by key into nested sections (``zero_optimization.reduce_bucket_size``
  changes that one key, not the whole section) and every change is printed as a diff. Keys the
  YAML owns — batch sizes, precision — must agree with it: a file cannot silently turn bf16 off.
"""
from __future__ import annotations

import copy
import json

from refinery.config import ConfigError

BATCH_KEYS = ("train_micro_batch_size_per_gpu", "gradient_accumulation_steps", "train_batch_size")
# the YAML's train.precision decides these; a user file may repeat them, not change them
PRECISION_KEYS = (("bf16", "enabled"), ("fp16", "enabled"))
IGNORED_KEYS = ("optimizer", "scheduler")     # the trainer builds both itself


def deep_merge(base: dict, update: dict, path: str = "") -> tuple[dict, list[str]]:
    """``base`` with ``update`` merged in recursively; returns (merged, diff lines ``key: old -> new``)."""
    out, diff = copy.deepcopy(base), []
    for key, value in update.items():
        name = f"{path}{key}"
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key], sub = deep_merge(out[key], value, name + ".")
            diff += sub
        elif key not in out:
            out[key] = copy.deepcopy(value)
            diff.append(f"{name}: (unset) -> {json.dumps(value)}")
        elif out[key] != value:
            diff.append(f"{name}: {json.dumps(out[key])} -> {json.dumps(value)}")
            out[key] = copy.deepcopy(value)
    return out, diff


def _get(d: dict, keys: tuple):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def merge_user_config(generated: dict, user: dict, source: str) -> tuple[dict, list[str]]:
    """Merge a user's ds_config over the generated one; ConfigError where it contradicts the YAML."""
    for key in BATCH_KEYS:
        if key in user and user[key] not in ("auto", generated[key]):
            raise ConfigError(f"deepspeed.config_file: {key}={user[key]} disagrees with the YAML ({generated[key]})")
    for keys in PRECISION_KEYS:
        theirs, ours = _get(user, keys), bool(_get(generated, keys))
        if theirs not in (None, "auto") and bool(theirs) != ours:
            raise ConfigError(f"deepspeed.config_file: {'.'.join(keys)}={json.dumps(theirs)} disagrees with "
                              f"train.precision (which sets it to {json.dumps(ours)}); change train.precision instead")
    rest = {k: v for k, v in user.items() if k not in BATCH_KEYS and k not in IGNORED_KEYS}
    for keys in PRECISION_KEYS:   # "auto" or an agreeing value: keep ours
        if isinstance(rest.get(keys[0]), dict):
            rest[keys[0]] = {k: v for k, v in rest[keys[0]].items() if k != keys[1]}
    merged, diff = deep_merge(generated, rest)
    return merged, [f"{source}: {line}" for line in diff]


def precision_keys(precision: str) -> dict:
    """bf16 weights and activations, gradients reduced across ranks in fp32."""
    keys = {"bf16": {"enabled": precision == "bf16"}}
    if precision == "bf16":
        keys["communication_data_type"] = "fp32"
    return keys
