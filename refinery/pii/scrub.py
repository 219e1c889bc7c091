"""Scrub personal data from a string column: find, validate, replace with typed placeholders.

Per detector, one RE2 pass of ``pyarrow.compute`` over the whole column marks the documents
that can hold a candidate; only those are handed to Python's ``re`` (C) for exact candidates,
and each candidate is validated (checksums, dates, context). Most documents have no
candidate at all and are never turned into Python strings. Overlapping finds are resolved
leftmost-longest (a QQ mail ``13812345678@qq.com`` is one email, not a phone inside an email).
"""
from __future__ import annotations

import dataclasses
import functools
import ipaddress
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from refinery.pii.config import PII_TYPES, PiiConfig
from refinery.pii.detectors import DETECTORS, Detector


class Span(NamedTuple):
    start: int
    end: int
    pii_type: str
    detector: str


@dataclass
class PiiResult:
    """``texts``: the scrubbed column (same length and type; nulls stay null).
    ``counts``: PII type -> int32 array, replacements per document (every type of ``PII_TYPES``;
    zeros for types not enabled)."""

    texts: pa.Array
    counts: dict[str, np.ndarray]


@functools.lru_cache(maxsize=32)
def _detectors_for(types: tuple[str, ...], ip_allow: tuple[str, ...]) -> tuple[Detector, ...]:
    nets = tuple(ipaddress.ip_network(c, strict=False) for c in ip_allow)
    out = []
    for det in DETECTORS:
        if det.pii_type not in types:
            continue
        if det.pii_type == "ip":
            det = dataclasses.replace(det, validate=functools.partial(det.validate, allow=nets))
        out.append(det)
    return tuple(out)


def detectors_for(cfg: PiiConfig) -> tuple[Detector, ...]:
    return _detectors_for(tuple(cfg.types), tuple(cfg.ip_allow))


def find_spans(text: str, detectors) -> list[Span]:
    """Validated, non-overlapping PII spans of one text, in order."""
    found = []
    for det in detectors:
        for m in det.pattern.finditer(text):
            if det.validate(text, m):
                start, end = m.span("v") if "v" in det.pattern.groupindex else m.span()
                found.append(Span(start, end, det.pii_type, det.name))
    return resolve_overlaps(found)


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Leftmost wins; at the same start the longest; ties keep detector order (secrets first)."""
    spans = sorted(spans, key=lambda s: (s.start, s.start - s.end))
    kept: list[Span] = []
    for s in spans:
        if not kept or s.start >= kept[-1].end:
            kept.append(s)
    return kept


def replace_spans(text: str, spans: list[Span], placeholders: dict[str, str]) -> str:
    parts, pos = [], 0
    for s in spans:
        parts.append(text[pos : s.start])
        parts.append(placeholders[s.pii_type])
        pos = s.end
    parts.append(text[pos:])
    return "".join(parts)


def _candidate_masks(texts: pa.Array, detectors) -> np.ndarray:
    """bool[n_detectors, n_docs]: documents where each detector's RE2 prefilter fires (nulls: False)."""
    masks = np.zeros((len(detectors), len(texts)), dtype=bool)
    for i, det in enumerate(detectors):
        hit = pc.match_substring_regex(texts, pattern=det.prefilter)
        masks[i] = hit.fill_null(False).to_numpy(zero_copy_only=False)
    return masks


def scrub_pii(texts: pa.Array | pa.ChunkedArray, cfg: PiiConfig | None = None) -> PiiResult:
    """Replace every detected PII item of ``texts`` by its type's placeholder (see module doc)."""
    cfg = cfg or PiiConfig()
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks else pa.array([], texts.type)
    n = len(texts)
    counts = {t: np.zeros(n, dtype=np.int32) for t in PII_TYPES}
    detectors = detectors_for(cfg)
    if n == 0 or not detectors:
        return PiiResult(texts, counts)

    masks = _candidate_masks(texts, detectors)
    rows = np.flatnonzero(masks.any(axis=0))
    changed = np.zeros(n, dtype=bool)
    new_texts = []
    for row, text in zip(rows.tolist(), texts.take(pa.array(rows)).to_pylist()):
        spans = find_spans(text, [d for d, hit in zip(detectors, masks[:, row]) if hit])
        if not spans:
            continue
        for s in spans:
            counts[s.pii_type][row] += 1
        changed[row] = True
        new_texts.append(replace_spans(text, spans, cfg.placeholders))
    if new_texts:
        texts = pc.replace_with_mask(texts, pa.array(changed), pa.array(new_texts, type=texts.type))
    return PiiResult(texts, counts)
