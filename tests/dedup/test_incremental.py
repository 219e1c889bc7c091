"""Incremental dedup against an earlier output's signatures, decontamination against an
eval set, inputs without score columns, invalid rows, and connected components."""
import json
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from refinery.config import load_config
from refinery.dedup.config import DedupConfig
from refinery.spark import dedup as dedup_stage
from refinery.spark.connected_components import connected_components
from tests.dedup.corpus_io import documents_table, write_documents
from tests.dedup.near_dup_corpus import make_corpus
from tests.dedup.outputs import read_dedup_output

QUESTION = "Natalia sold clips to forty eight of her friends in April and then she sold half as many clips in May"


def test_incremental_dedup_and_decontamination(spark, tmp_path):
    old = make_corpus(n_families=0, n_singletons=40, seed=11).docs
    fresh = make_corpus(n_families=12, n_singletons=10, seed=12)  # base + variant pairs inside the new batch
    new = []
    for i, d in enumerate(old[:10]):  # copies and light edits of documents already in the corpus
        text, mid = d["text"], len(d["text"]) // 2
        if i % 2 == 0:  # a light edit; the odd ones are exact copies
            text = text[:mid] + " changed " + text[mid:]
        new.append(dict(d, doc_id=f"new-{i}", text=text, quality_score=1.0))  # higher quality must not win
    new += fresh.docs
    for i in range(2):
        new.append({"doc_id": f"leak-{i}", "text": f"Worked example {i}. " + QUESTION + " How many clips did she sell?",
                    "category": None, "quality_score": 0.5})
    first = write_documents(old, tmp_path / "old", files=2, with_scores=False)  # no category / quality_score
    cfg = load_config(None, DedupConfig)
    dedup_stage.run(spark, [first], str(tmp_path / "corpus"), cfg, log=lambda *a: None)

    table = documents_table(new)
    broken = documents_table([{"doc_id": "broken", "text": "x", "category": None, "quality_score": None}])
    loose = pa.schema([f.with_nullable(True) for f in table.schema])
    broken = broken.cast(loose).set_column(broken.schema.get_field_index("text"), "text", pa.array([None], pa.string()))
    (tmp_path / "new").mkdir()
    pq.write_table(pa.concat_tables([table.cast(loose), broken]), tmp_path / "new" / "part-0.parquet")
    evals = tmp_path / "gsm8k.jsonl"
    evals.write_text(json.dumps({"question": QUESTION}) + "\n")
    cfg = load_config(None, DedupConfig, {"reference_signatures": [str(tmp_path / "corpus")],
                                          "contamination": {"eval_sets": [str(evals)], "text_field": "question"}})
    stats = dedup_stage.run(spark, [str(tmp_path / "new")], str(tmp_path / "out"), cfg, log=lambda *a: None)
    out = read_dedup_output(tmp_path / "out")

    dup_of = dict(zip(out["duplicates"].column("doc_id").to_pylist(), out["duplicates"].column("duplicate_of").to_pylist()))
    for i, d in enumerate(old[:10]):
        assert dup_of[f"new-{i}"] == d["doc_id"]  # duplicates of the old corpus point into it
    old_ids = {d["doc_id"] for d in old}
    assert not old_ids & set(out["kept"].column("doc_id").to_pylist())  # the corpus is not written again
    rejected = dict(zip(out["rejected"].column("doc_id").to_pylist(), out["rejected"].column("reason").to_pylist()))
    assert rejected == {"leak-0": "dedup.contamination", "leak-1": "dedup.contamination", "broken": "dedup.invalid_row"}
    details = out["rejected"].column("detail").to_pylist()
    assert "gsm8k" in details and "null text" in details
    assert stats["rows_in"] == len(new) + 1
    assert stats["rows_rejected"] == 3 and stats["rejected_by_reason"]["dedup.contamination"] == 2
    # the oracle is character 5-gram Jaccard; the job estimates 7-gram MinHash, lower on edited pairs:
    # only pairs well above the threshold are owed
    within = sum(1 for _, _, _, s in fresh.pairs if s >= 0.9)
    assert stats["rows_duplicate"] >= 10 + within - 1
    assert stats["contamination"]["sets"] == {"gsm8k": 1}

    with pytest.raises(dedup_stage.InputError, match="num_perm"):
        other = load_config(None, DedupConfig, {"reference_signatures": [str(tmp_path / "corpus")],
                                                "minhash": {"num_perm": 64}})
        dedup_stage.run(spark, [str(tmp_path / "new")], str(tmp_path / "out2"), other, log=lambda *a: None)


def _union_find(edges):
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def test_connected_components_match_union_find(spark):
    rng = random.Random(2)
    chain = [(f"c{i:03d}", f"c{i + 1:03d}") for i in range(40)]  # a long path: needs several rounds
    rng.shuffle(chain)
    random_edges = [(f"r{rng.randrange(120):03d}", f"r{rng.randrange(120):03d}") for _ in range(90)]
    star = [("s000", f"s{i:03d}") for i in range(1, 15)]
    edges = chain + random_edges + star
    df = spark.createDataFrame(edges, "u string, v string")
    result, rounds = connected_components(df, lambda d: d.localCheckpoint(eager=True), log=lambda *a: None)
    got = {r["node"]: r["component"] for r in result.collect()}
    want = {k: v for k, v in _union_find([(a, b) for a, b in edges if a != b]).items()}
    assert got == want
    assert rounds >= 2
