"""Batch operators of the dedup stage (pyarrow in, pyarrow out; no Spark).

* ``signature_operator``: documents → MinHash signature, shingle count and eval-set
  overlap, other columns passed through.
* ``pair_similarity_operator``: candidate pairs → Jaccard similarity, estimated from
  the two signatures or computed exactly from the two texts.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from refinery.dedup.contamination import EvalNgramIndex
from refinery.dedup.minhash import (
    HashFamily,
    ShingleSpec,
    estimated_jaccard,
    exact_jaccard,
    minhash_signatures,
    shingle_hashes,
    signatures_from_binary,
    signatures_to_binary,
)

SIGNATURE_FIELDS = [
    pa.field("signature", pa.binary()),
    pa.field("n_shingles", pa.int32()),
    pa.field("contamination_matches", pa.int32()),
    pa.field("contamination_sets", pa.string()),
]
SIMILARITY_FIELD = pa.field("similarity", pa.float32())


def make_signature_operator(spec: ShingleSpec, family: HashFamily, index_source=None):
    """Factory (runs once per Python worker): ``index_source`` is None, an
    ``EvalNgramIndex`` or a Spark broadcast of one."""
    index: EvalNgramIndex | None = getattr(index_source, "value", index_source)

    def operator(batch: pa.RecordBatch) -> pa.RecordBatch:
        texts = batch.column("text")
        sig, counts, _ = minhash_signatures(texts, spec, family)
        if index is not None:
            matches, names = index.matches(texts)
        else:
            matches, names = np.zeros(batch.num_rows, np.int32), [None] * batch.num_rows
        columns = {name: batch.column(name) for name in batch.schema.names if name != "text"}
        columns.update(
            signature=signatures_to_binary(sig),
            n_shingles=pa.array(counts, pa.int32()),
            contamination_matches=pa.array(matches, pa.int32()),
            contamination_sets=pa.array(names, pa.string()),
        )
        return pa.RecordBatch.from_pydict(columns)

    return operator


def make_pair_similarity_operator(spec: ShingleSpec, num_perm: int, exact: bool):
    """Pairs with ``u_signature``/``v_signature`` (and ``u_text``/``v_text`` when
    ``exact``) → the same columns minus those, plus ``similarity``. Where a text is
    missing (a document known only by its saved signature) the estimate is used."""

    def operator(batch: pa.RecordBatch) -> pa.RecordBatch:
        u = signatures_from_binary(batch.column("u_signature"), num_perm)
        v = signatures_from_binary(batch.column("v_signature"), num_perm)
        sim = estimated_jaccard(u, v)
        if exact:
            u_text, v_text = batch.column("u_text"), batch.column("v_text")
            have = np.asarray(u_text.is_valid()) & np.asarray(v_text.is_valid())
            if have.any():
                idx = pa.array(np.flatnonzero(have))
                ha, oa, _ = shingle_hashes(u_text.take(idx), spec)
                hb, ob, _ = shingle_hashes(v_text.take(idx), spec)
                sim[have] = exact_jaccard(ha, oa, hb, ob)
        drop = {"u_signature", "v_signature", "u_text", "v_text"}
        columns = {name: batch.column(name) for name in batch.schema.names if name not in drop}
        columns["similarity"] = pa.array(sim.astype(np.float32), pa.float32())
        return pa.RecordBatch.from_pydict(columns)

    return operator
