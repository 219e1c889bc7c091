"""The ingest job's configuration (``--config ingest.yaml``), validated before any Spark work."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from refinery.config import check
from refinery.scoring.config import find_model_path, is_uri
from refinery.ingest.documents import ExtractOptions
from refinery.ingest.readers.options import ReaderOptions


DEFAULT_LANGID_MODEL = "models/lid.176.ftz"


@dataclass
class IngestConfig:
    reader: ReaderOptions = field(default_factory=ReaderOptions)
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    # Records per Arrow batch out of a reader: bounds a task's memory on huge files.
    batch_size: int = 512
    # Input files handed to one Spark task (one task streams its files one after another).
    # null: packed by size as Spark packs a file scan (spark.sql.files.maxPartitionBytes,
    # openCostInBytes; refinery.spark.ingest_tasks).
    files_per_task: int | None = None
    # Files per reason under rejected/ (see refinery.spark.stage.write_outcomes).
    rejected_buckets: int = 4
    # fastText language-id model; None: models/lid.176.ftz. Relative, absolute or hdfs:// (refinery.spark.model_files).
    langid_model: str | None = None
    # Who writes kept/: "workers" (the Python workers, with pyarrow, through the same filesystem
    # layer the readers use; Spark carries only rejected rows and accounting) or "spark".
    kept_writer: Literal["workers", "spark"] = "workers"
    # Extra Spark conf for this job (spark-submit --conf wins where it sets the same key).
    spark: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        check(self.batch_size > 0, "batch_size", "must be positive")
        check(self.files_per_task is None or self.files_per_task > 0, "files_per_task", "must be positive or null")
        check(self.rejected_buckets > 0, "rejected_buckets", "must be positive")
        check(self.langid_model is None or is_uri(self.langid_model) or find_model_path(self.langid_model) is not None,
              "langid_model", f"no such file: {self.langid_model}")

    def model_paths(self) -> dict[tuple, str]:
        """Config key -> model path (refinery.spark.model_files resolves it on each executor)."""
        return {("langid_model",): self.langid_model or DEFAULT_LANGID_MODEL}
