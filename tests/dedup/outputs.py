"""Read a dedup output: kept/, duplicates/, rejected/ sorted by doc_id; stats without timings."""
import json
import pathlib

import pyarrow as pa
import pyarrow.dataset as ds

from schemas import DOCUMENT, DUPLICATE, REJECTED, validate_dataset, validate_stats


def read_dedup_output(out) -> dict:
    out = pathlib.Path(out)
    kept = validate_dataset(str(out / "kept"), DOCUMENT).sort_by("doc_id")
    dups = validate_dataset(str(out / "duplicates"), DUPLICATE).sort_by("doc_id")
    rejected = None
    if any((out / "rejected").glob("reason=*")):
        rejected = validate_dataset(str(out / "rejected"), REJECTED)
        rejected = rejected.set_column(rejected.schema.get_field_index("reason"), "reason",
                                       rejected.column("reason").cast(pa.string())).sort_by("doc_id")
    stats = validate_stats(json.loads((out / "_stats.json").read_text()))
    stats.pop("run", None)
    return {"kept": kept, "duplicates": dups, "rejected": rejected, "stats": stats}


def kept_of(output: dict) -> dict[str, str]:
    """doc_id -> the doc_id kept for it (itself when kept)."""
    mapping = {d: d for d in output["kept"].column("doc_id").to_pylist()}
    dups = output["duplicates"]
    mapping.update(zip(dups.column("doc_id").to_pylist(), dups.column("duplicate_of").to_pylist()))
    return mapping


def assert_same_dedup_output(a: dict, b: dict) -> None:
    assert a["stats"] == b["stats"]
    for part in ("kept", "duplicates"):
        assert a[part].num_rows == b[part].num_rows
        assert a[part].equals(b[part].select(a[part].schema.names)), f"{part}/ differs"
    assert (a["rejected"] is None) == (b["rejected"] is None)


def signature_rows(out) -> int:
    return ds.dataset(str(pathlib.Path(out) / "signatures"), format="parquet").count_rows()
