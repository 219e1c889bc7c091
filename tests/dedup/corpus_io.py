"""Write generated documents as a DOCUMENT Parquet dataset (what dedup reads from score/clean)."""
import hashlib
import pathlib

import pyarrow as pa
import pyarrow.parquet as pq

from schemas import DOCUMENT


def documents_table(docs: list[dict], with_scores: bool = True) -> pa.Table:
    n = len(docs)
    cols = {
        "doc_id": [d["doc_id"] for d in docs],
        "source": ["bench"] * n,
        "url": [f"https://example.com/{d['doc_id']}" for d in docs],
        "fetch_time": ["2026-11-23T00:00:00Z"] * n,
        "source_file": ["generated"] * n,
        "offset": list(range(n)),
        "text": [d["text"] for d in docs],
        "lang": [d.get("lang") or ("zh" if any("\u4e00" <= c <= "\u9fff" for c in d["text"][:20]) else "en") for d in docs],
        "lang_score": [0.99] * n,
        "cjk_ratio": [None] * n,
        "latin_ratio": [None] * n,
        "digit_ratio": [None] * n,
        "char_count": [len(d["text"]) for d in docs],
        "metadata": [None] * n,
    }
    table = pa.table(cols, schema=DOCUMENT)
    if with_scores:
        table = table.append_column("category", pa.array([d.get("category") for d in docs], pa.string()))
        table = table.append_column("quality_score", pa.array([d.get("quality_score") for d in docs], pa.float32()))
    return table


def write_documents(docs: list[dict], path, files: int = 3, with_scores: bool = True) -> str:
    """Split the documents over ``files`` Parquet files in a stable order."""
    path = pathlib.Path(path)
    path.mkdir(parents=True, exist_ok=True)
    table = documents_table(docs, with_scores)
    order = sorted(range(len(docs)), key=lambda i: hashlib.md5(docs[i]["doc_id"].encode()).hexdigest())
    table = table.take(pa.array(order))
    step = -(-len(docs) // files)
    for i in range(files):
        pq.write_table(table.slice(i * step, step), path / f"part-{i:05d}.parquet")
    return str(path)
