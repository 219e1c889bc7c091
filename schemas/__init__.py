"""Arrow schemas of every dataset the refinery writes: the contract between stages.

A stage may add columns (scoring adds ``category``, ``quality_score``), so a dataset
conforms when it holds *at least* the schema's columns with the schema's types.
"""
from schemas.datasets import (
    DOCUMENT,
    DUPLICATE,
    OUTCOME,
    RAW_RECORD,
    REJECTED,
    REJECTION_FIELDS,
    document_to_rejected,
)
from schemas.datasets import SCORE_FIELDS, SCORED, SCORED_OUTCOME
from schemas.validate import (
    SchemaError,
    validate_dataset,
    validate_manifest,
    validate_stats,
    validate_table,
)

__all__ = [
    "DOCUMENT",
    "DUPLICATE",
    "OUTCOME",
    "RAW_RECORD",
    "REJECTED",
    "REJECTION_FIELDS",
    "SCORED",
    "SCORED_OUTCOME",
    "SCORE_FIELDS",
    "SchemaError",
    "document_to_rejected",
    "validate_dataset",
    "validate_manifest",
    "validate_stats",
    "validate_table",
]
