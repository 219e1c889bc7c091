"""Arrow schemas of the Parquet datasets (documents, rejected rows, duplicates).

``RAW_RECORD`` is internal to ingest: what a reader yields before text extraction.
"""
import pyarrow as pa

# What a reader (WARC, WET, JSONL, Parquet) yields for each input record. A record the
# reader could not parse carries ``error_reason`` (a dotted id) and what was salvaged.
RAW_RECORD = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("offset", pa.int64(), nullable=False),  # byte offset (WARC) or line number (JSONL) or row (Parquet)
        pa.field("record_id", pa.string()),  # WARC-Record-ID, the JSON id field, ...; identity for doc_id
        pa.field("url", pa.string()),
        pa.field("fetch_time", pa.string()),  # ISO-8601 as found in the record (WARC-Date)
        pa.field("http_status", pa.int32()),
        pa.field("content_type", pa.string()),  # full header value, e.g. "text/html; charset=gbk"
        pa.field("payload_kind", pa.string(), nullable=False),  # "html" | "text"
        pa.field("payload", pa.binary()),  # HTTP body bytes (html) or UTF-8 text (text)
        pa.field("metadata", pa.string()),  # JSON object of extra fields, or null
        pa.field("error_reason", pa.string()),  # e.g. ingest.bad_json; null when the record parsed
        pa.field("error_detail", pa.string()),
        pa.field("error_value", pa.float64()),  # what was measured, e.g. bytes skipped (ingest.corrupt_member)
    ]
)

# A document: the unit every later stage reads.
DOCUMENT = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("fetch_time", pa.string()),
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("offset", pa.int64(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("lang", pa.string()),
        pa.field("lang_score", pa.float32()),
        pa.field("cjk_ratio", pa.float32()),
        pa.field("latin_ratio", pa.float32()),
        pa.field("digit_ratio", pa.float32()),
        pa.field("char_count", pa.int64()),
        pa.field("metadata", pa.string()),
    ]
)

# Why a row left a stage: the full document plus the decision, so a user can judge the rule.
REJECTION_FIELDS = [
    pa.field("stage", pa.string(), nullable=False),
    pa.field("reason", pa.string(), nullable=False),  # stable dotted id: gopher.mean_word_length
    pa.field("value", pa.float64()),  # what was measured, when it is a number
    pa.field("threshold", pa.float64()),
    pa.field("detail", pa.string()),  # what was measured, when it is not (a content type, an error)
    pa.field("raw_prefix", pa.binary()),  # first bytes of an unparseable record
]

# In a rejected row every document field but doc_id/source/source_file/offset may be null:
# a record that never parsed has no text.
REJECTED = pa.schema(
    [f if f.name in ("doc_id", "source", "source_file", "offset") else f.with_nullable(True) for f in DOCUMENT]
    + REJECTION_FIELDS
)

# What a filtering operator returns: every input row once, kept (``reason`` null) or
# rejected (``stage``/``reason`` set). A stage splits it into kept/ and rejected/.
OUTCOME = pa.schema([f.with_nullable(True) for f in REJECTED])

DUPLICATE = pa.schema(
    list(DOCUMENT)
    + [
        pa.field("cluster_id", pa.string(), nullable=False),
        pa.field("duplicate_of", pa.string(), nullable=False),  # doc_id of the kept document
        pa.field("similarity", pa.float32()),
    ]
)


def document_to_rejected(docs: pa.RecordBatch | pa.Table, stage: str, reason, value=None, threshold=None, detail=None):
    """Turn documents into rejected rows; scalar or per-row arrays for the decision fields."""
    n = docs.num_rows

    def column(x, typ):
        if isinstance(x, (pa.Array, pa.ChunkedArray)):
            return x.cast(typ)
        return pa.array([x] * n, type=typ)

    arrays = [docs.column(f.name).cast(f.type) if f.name in docs.schema.names else pa.nulls(n, f.type) for f in DOCUMENT]
    arrays += [
        column(stage, pa.string()),
        column(reason, pa.string()),
        column(value, pa.float64()),
        column(threshold, pa.float64()),
        column(detail, pa.string()),
        pa.nulls(n, pa.binary()),
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=REJECTED)


# Model scores a document leaves the score stage with (refinery/scoring). ``category`` routes
# per-category thresholds downstream (clean), ``quality_score`` picks dedup representatives.
SCORE_FIELDS = [
    pa.field("category", pa.string()),  # one of refinery.scoring.categories.CATEGORIES
    pa.field("category_score", pa.float32()),  # domain classifier probability of that category
    pa.field("fasttext_quality", pa.float32()),  # fastText P(high quality)
    pa.field("quality_score", pa.float32()),  # final P(high quality): BERT, or fastText where it decided alone
]
SCORED = pa.schema(list(DOCUMENT) + SCORE_FIELDS)
# The score operator's output: every input row once, with its scores, kept or rejected.
SCORED_OUTCOME = pa.schema(list(OUTCOME) + [f.with_nullable(True) for f in SCORE_FIELDS])
