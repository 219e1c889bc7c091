"""Raw records → documents or rejected rows: the ingest operator.

Decisions, cheapest first: a reader error, a non-2xx HTTP status, a payload that is not
text, then decoding (HTTP header charset → ``<meta>`` → detection), main-text extraction,
normalisation, and the empty/undecodable checks. Every input row comes out exactly once,
as a document (``reason`` null) or a rejected row with a dotted reason.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from refinery.config import check
from refinery.ingest.charset import decode_html
from refinery.ingest.html_text import BACKENDS, DEFAULT_BACKEND, extract_main_text
from refinery.ingest.langid import identify_language
from refinery.ingest.normalize import normalize_text
from refinery.ingest.script_ratios import script_ratios
from schemas import OUTCOME

STAGE = "ingest"
RAW_PREFIX_BYTES = 256
_REPLACEMENT_UTF8 = "\ufffd".encode()


def count_replacement_chars(text: pa.Array) -> pa.Array:
    """U+FFFD per row (0 for null). Pages rarely hold one, so one byte search over the batch's
    text buffer (memchr speed) decides whether the per-row count, a slower scan, is needed."""
    data = text.buffers()[2]
    if data is None or data.to_pybytes().find(_REPLACEMENT_UTF8) < 0:
        return pa.array([0] * len(text), pa.int32())
    return pc.count_substring(pc.fill_null(text, ""), "\ufffd")


@dataclass
class ExtractOptions:
    """How records become text; thresholds here are ingest's only measured decisions."""

    html_backend: str = DEFAULT_BACKEND
    nfkc: bool = False
    # A page whose text is more than this fraction U+FFFD was decoded with the wrong
    # charset or is binary: a decode error, not a document.
    max_replacement_ratio: float = 0.05
    # HTTP content types (the part before ';') that carry a page's text.
    text_content_types: list[str] = field(
        default_factory=lambda: ["text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml"]
    )
    langid_max_chars: int = 2000

    def __post_init__(self):
        check(self.html_backend in BACKENDS, "html_backend", f"expected one of {list(BACKENDS)}, got {self.html_backend!r}")
        check(0.0 <= self.max_replacement_ratio <= 1.0, "max_replacement_ratio", "must be within [0, 1]")
        check(self.langid_max_chars > 0, "langid_max_chars", "must be positive")


def make_doc_id(source: str, source_file: str, offset: int, record_id: str | None) -> str:
    """Deterministic id: the same record gives the same id on every run and every cluster.

    A WARC-Record-ID is globally unique; any other identity is scoped by the file's name
    (not its full path, which differs between a laptop and HDFS).
    """
    if record_id and record_id.startswith("<urn:"):
        identity = record_id
    else:
        identity = f"{os.path.basename(source_file)}:{record_id if record_id is not None else offset}"
    return hashlib.blake2b(f"{source}\x1f{identity}".encode("utf-8"), digest_size=16).hexdigest()


def _mime(content_type: str | None) -> str | None:
    return content_type.split(";", 1)[0].strip().lower() if content_type else None


def _metadata(raw_meta: str | None, extra: dict) -> str | None:
    meta = json.loads(raw_meta) if raw_meta else {}
    meta.update({k: v for k, v in extra.items() if v is not None})
    return json.dumps(meta, ensure_ascii=False, sort_keys=True) if meta else None


class IngestOperator:
    """Callable over RAW_RECORD batches; holds the language-id model (loaded once per worker)."""

    def __init__(self, options: ExtractOptions, langid_model):
        self.options = options
        self.langid_model = langid_model
        self._text_types = set(options.text_content_types)

    def _decide(self, rec: dict) -> tuple[str | None, str | None, float | None, str | None, dict]:
        """(text, reason, value, detail, metadata extras) for one record, before normalisation."""
        if rec["error_reason"]:
            return None, rec["error_reason"], rec.get("error_value"), rec["error_detail"], {}
        status = rec["http_status"]
        if status is not None and not 200 <= status < 300:
            return None, "ingest.http_status", float(status), None, {}
        body = rec["payload"] or b""
        if rec["payload_kind"] == "text":
            return body.decode("utf-8", errors="replace"), None, None, None, {}
        mime = _mime(rec["content_type"])
        if mime is not None and mime not in self._text_types:
            return None, "ingest.content_type", None, rec["content_type"], {}
        if not body.strip():
            return "", None, None, None, {}
        try:
            html, encoding, _ = decode_html(body, rec["content_type"])
        except (LookupError, ValueError) as e:  # an unknown codec or a decoder bug, never a crash
            return None, "ingest.decode_error", None, f"{type(e).__name__}: {e}", {}
        return extract_main_text(html, self.options.html_backend), None, None, None, {"charset": encoding}

    def __call__(self, raw: pa.RecordBatch) -> pa.RecordBatch:
        n = raw.num_rows
        cols = raw.to_pydict()
        texts, reasons, values, details, prefixes, metas, ids = [], [], [], [], [], [], []
        for i in range(n):
            rec = {k: cols[k][i] for k in cols}
            text, reason, value, detail, extras = self._decide(rec)
            texts.append(text)
            reasons.append(reason)
            values.append(value)
            details.append(detail)
            prefixes.append((rec["payload"] or b"")[:RAW_PREFIX_BYTES])
            metas.append(_metadata(rec["metadata"], extras))
            ids.append(make_doc_id(rec["source"], rec["source_file"], rec["offset"], rec["record_id"]))

        text = normalize_text(pa.array(texts, pa.string()), nfkc=self.options.nfkc)
        reason = pa.array(reasons, pa.string())
        value = pa.array(values, pa.float64())
        threshold = pa.nulls(n, pa.float64())
        ratios = script_ratios(text)
        length = pc.utf8_length(pc.fill_null(text, ""))

        # Undecodable: mostly U+FFFD after decoding with the best charset we could find.
        replaced = count_replacement_chars(text)
        repl_ratio = pc.divide(pc.cast(replaced, pa.float64()), pc.max_element_wise(pc.cast(length, pa.float64()), 1.0))
        undecodable = pc.and_(pc.is_null(reason), pc.greater(repl_ratio, self.options.max_replacement_ratio))
        reason = pc.if_else(undecodable, "ingest.decode_error", reason)
        value = pc.if_else(undecodable, repl_ratio, value)
        threshold = pc.if_else(undecodable, pa.scalar(self.options.max_replacement_ratio), threshold)

        empty = pc.and_(pc.is_null(reason), pc.equal(ratios["char_count"], 0))
        reason = pc.if_else(empty, "ingest.empty_text", reason)
        value = pc.if_else(empty, pa.scalar(0.0), value)

        kept = pc.is_null(reason)
        lang, lang_score = identify_language(self.langid_model, pc.if_else(kept, text, ""), self.options.langid_max_chars)
        lang = pc.if_else(kept, lang, pa.scalar(None, pa.string()))
        lang_score = pc.if_else(kept, lang_score, pa.scalar(None, pa.float32()))

        columns = {
            "doc_id": pa.array(ids, pa.string()),
            "source": raw.column("source"),
            "url": raw.column("url"),
            "fetch_time": raw.column("fetch_time"),
            "source_file": raw.column("source_file"),
            "offset": raw.column("offset"),
            "text": text,
            "lang": lang,
            "lang_score": lang_score,
            "cjk_ratio": ratios["cjk_ratio"],
            "latin_ratio": ratios["latin_ratio"],
            "digit_ratio": ratios["digit_ratio"],
            "char_count": ratios["char_count"],
            "metadata": pa.array(metas, pa.string()),
            "stage": pc.if_else(kept, pa.scalar(None, pa.string()), STAGE),
            "reason": reason,
            "value": value,
            "threshold": threshold,
            "detail": pa.array(details, pa.string()),
            "raw_prefix": pc.if_else(kept, pa.scalar(None, pa.binary()), pa.array(prefixes, pa.binary())),
        }
        return pa.RecordBatch.from_arrays(
            [columns[f.name].cast(f.type) if columns[f.name].type != f.type else columns[f.name] for f in OUTCOME],
            schema=OUTCOME,
        )
