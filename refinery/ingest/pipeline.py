"""The ingest operator over a batch of input file indices: read each file as a stream and
turn every record into a document or a rejected row. Built once per Spark worker."""
from __future__ import annotations

from typing import Callable, Iterator

import pyarrow as pa

from refinery.ingest.config import IngestConfig
from refinery.ingest.documents import IngestOperator
from refinery.ingest.langid import load_langid_model
from refinery.ingest.readers import read_records

FILE_INDEX_COLUMN = "file_index"


def make_file_ingester(cfg: IngestConfig, files: tuple[str, ...]) -> Callable[[pa.RecordBatch], Iterator[pa.RecordBatch]]:
    """Load the language-id model and return ``file indices batch -> outcome batches``."""
    to_documents = IngestOperator(cfg.extract, load_langid_model(cfg.langid_model))

    def ingest_files(indices: pa.RecordBatch) -> Iterator[pa.RecordBatch]:
        for i in indices.column(FILE_INDEX_COLUMN).to_pylist():
            for raw in read_records(files[i], cfg.reader, cfg.batch_size):
                yield to_documents(raw)

    return ingest_files
