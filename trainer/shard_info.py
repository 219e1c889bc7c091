"""What the trainer learns about its token shards at start: the chunk list, its fingerprint, EOS.

* Rank 0 lists the complete chunks and broadcasts the list, so every rank walks exactly the
  same chunks even if a tokenize job is still publishing new ones on shared storage (ranks
  listing for themselves could disagree, and the sampler's order would silently diverge).
* The fingerprint (sha256 over each chunk's name and ``manifest.json``: token and document
  counts, tokenizer hash, mixture) goes into every checkpoint; resuming on different shards is
  refused, because the saved sampler position (epoch, chunk, window) only means something for
  the chunks it was saved with.
* EOS: every document in a chunk ends with EOS (the shard contract), so the last token of the
  first documents is the EOS id; the export writes it to ``config.json`` and
  ``generation_config.json`` so ``generate()`` stops there.
"""
from __future__ import annotations

import hashlib
import os

from refinery.tokenize.shards import MANIFEST_FILE, ShardChunk, list_chunks


def broadcast_chunks(shards_dir: str) -> list[str]:
    """The complete chunks of ``shards_dir`` as rank 0 sees them, identical on every rank."""
    import torch.distributed as dist

    listing = [list_chunks(shards_dir) if dist.get_rank() == 0 else None]
    if dist.get_world_size() > 1:
        dist.broadcast_object_list(listing, src=0)
    if not listing[0]:
        raise FileNotFoundError(f"data.shards: no complete chunk-NNNNN in {shards_dir}")
    return listing[0]


def fingerprint(paths: list[str]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(os.path.basename(path.rstrip("/")).encode() + b"\0")
        with open(os.path.join(path, MANIFEST_FILE), "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def describe(shards_dir: str, paths: list[str]) -> dict:
    return {"dir": shards_dir, "chunks": len(paths), "fingerprint": fingerprint(paths)}


def check_resume(saved: dict | None, current: dict, checkpoint: str) -> None:
    """ValueError (one line) when a checkpoint was written for other shards; old checkpoints
    without a record pass."""
    if not saved or saved.get("fingerprint") == current["fingerprint"]:
        return
    raise ValueError(f"{checkpoint} was trained on shards {saved['dir']} ({saved['chunks']} chunks, fingerprint "
                     f"{saved['fingerprint'][:12]}) but data.shards is {current['dir']} ({current['chunks']} chunks, "
                     f"fingerprint {current['fingerprint'][:12]}); resume on the same shards, or start a new run_dir "
                     f"(--init-from an export to continue on new data)")


def eos_id(paths: list[str], probe_documents: int = 16) -> int | None:
    """The token every probed document ends with; None when they disagree (no common EOS)."""
    chunk = ShardChunk(paths[0])
    ends = {int(chunk.document(i)[-1]) for i in range(min(probe_documents, len(chunk))) if len(chunk.document(i))}
    return ends.pop() if len(ends) == 1 else None

