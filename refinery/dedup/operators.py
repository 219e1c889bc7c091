"""Batch operators of the dedup stage (pyarrow in, pyarrow out; no Spark).

* ``signature_operator``: documents → MinHash signature, shingle count and eval-set
  overlap, other columns passed through.
* ``pair_similarity_operator``: candidate pairs → Jaccard similarity, estimated from
  the two signatures or computed exactly from the two texts.

Both take one ``ShingleSpec`` or one per LSH group (``{group: spec}``, rows picked by
their ``group`` column): a category can have shingles of its own, and a pair is always
inside one group.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
Specs = ShingleSpec | Mapping[str, ShingleSpec]


def rows_by_spec(batch: pa.RecordBatch, specs: Specs) -> list[tuple[ShingleSpec, np.ndarray | None]]:
    """(spec, row indices) for each spec the batch's rows need; indices None: every row.

    Groups with equal specs are computed together (the default config: one spec, no split).
    """
    if isinstance(specs, ShingleSpec):
        return [(specs, None)]
    distinct = sorted(set(specs.values()), key=repr)
    if len(distinct) == 1:
        return [(distinct[0], None)]
    groups = batch.column("group")
    unknown = set(pc.unique(groups).to_pylist()) - specs.keys()
    if unknown:
        raise ValueError(f"rows of groups without a shingle spec: {sorted(map(str, unknown))}")
    out = []
    for spec in distinct:
        member = pc.is_in(groups, value_set=pa.array([g for g, s in specs.items() if s == spec], pa.string()))
        rows = np.flatnonzero(member.to_numpy(zero_copy_only=False))
        if len(rows):
            out.append((spec, rows))
    return out


def _signatures(texts: pa.Array, batch: pa.RecordBatch, specs: Specs, family: HashFamily):
    """(signatures, shingle counts) of every row, each by its group's spec, in row order."""
    parts = rows_by_spec(batch, specs)
    if parts and parts[0][1] is None:
        sig, counts, _ = minhash_signatures(texts, parts[0][0], family)
        return sig, counts
    sig = np.empty((len(texts), family.num_perm), dtype=np.uint32)
    counts = np.empty(len(texts), dtype=np.int32)
    for spec, rows in parts:
        sig[rows], counts[rows], _ = minhash_signatures(texts.take(pa.array(rows)), spec, family)
    return sig, counts


def make_signature_operator(specs: Specs, family: HashFamily, index_source=None):
    """Factory (runs once per Python worker): ``index_source`` is None, an
    ``EvalNgramIndex`` or a Spark broadcast of one. With a spec per group the batch
    needs a ``group`` column."""
    index: EvalNgramIndex | None = getattr(index_source, "value", index_source)

    def operator(batch: pa.RecordBatch) -> pa.RecordBatch:
        texts = batch.column("text")
        sig, counts = _signatures(texts, batch, specs, family)
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


def make_pair_similarity_operator(specs: Specs | None, num_perm: int, exact: bool):
    """Pairs with ``u_signature``/``v_signature`` (and ``u_text``/``v_text`` and, with a
    spec per group, ``group`` when ``exact``) → the same columns minus those, plus
    ``similarity``. Where a text is missing (a document known only by its saved
    signature) the estimate is used. Estimates need no spec (None)."""
    if exact and specs is None:
        raise ValueError("exact similarity needs the shingle spec(s)")

    def operator(batch: pa.RecordBatch) -> pa.RecordBatch:
        u = signatures_from_binary(batch.column("u_signature"), num_perm)
        v = signatures_from_binary(batch.column("v_signature"), num_perm)
        sim = estimated_jaccard(u, v)
        if exact:
            u_text, v_text = batch.column("u_text"), batch.column("v_text")
            have = np.asarray(u_text.is_valid()) & np.asarray(v_text.is_valid())
            for spec, rows in rows_by_spec(batch, specs):
                rows = np.flatnonzero(have) if rows is None else rows[have[rows]]
                if len(rows):
                    idx = pa.array(rows)
                    ha, oa, _ = shingle_hashes(u_text.take(idx), spec)
                    hb, ob, _ = shingle_hashes(v_text.take(idx), spec)
                    sim[rows] = exact_jaccard(ha, oa, hb, ob)
        drop = {"u_signature", "v_signature", "u_text", "v_text"}
        columns = {name: batch.column(name) for name in batch.schema.names if name not in drop}
        columns["similarity"] = pa.array(sim.astype(np.float32), pa.float32())
        return pa.RecordBatch.from_pydict(columns)

    return operator
