"""Read a stage output for comparisons: tables sorted by doc_id, stats without timings."""
import json
import pathlib

import pyarrow as pa
import pyarrow.dataset as ds

from schemas import DOCUMENT, REJECTED, validate_dataset, validate_stats


def read_output(out) -> dict:
    out = pathlib.Path(out)
    kept = validate_dataset(str(out / "kept"), DOCUMENT).sort_by("doc_id")
    rejected_dir = out / "rejected"
    rejected = None
    if any(rejected_dir.glob("reason=*")):
        rejected = validate_dataset(str(rejected_dir), REJECTED)
        reason = rejected.column("reason").cast(pa.string())
        rejected = rejected.set_column(rejected.schema.get_field_index("reason"), "reason", reason)
        rejected = rejected.select(REJECTED.names).sort_by([("doc_id", "ascending")])
    stats = validate_stats(json.loads((out / "_stats.json").read_text()))
    stats.pop("run", None)
    return {"kept": kept.select(DOCUMENT.names), "rejected": rejected, "stats": stats}


def assert_same_output(a, b) -> None:
    ra, rb = read_output(a), read_output(b)
    assert ra["stats"] == rb["stats"]
    assert ra["kept"].num_rows == rb["kept"].num_rows
    assert ra["kept"].equals(rb["kept"]), "kept/ differs"
    assert (ra["rejected"] is None) == (rb["rejected"] is None)
    if ra["rejected"] is not None:
        assert ra["rejected"].equals(rb["rejected"]), "rejected/ differs"


def dataset_rows(path) -> int:
    return ds.dataset(str(path), format="parquet", partitioning="hive").count_rows()
