"""PII scrubbing: emails, phones, Chinese resident IDs, bank cards, IPs, URL credentials, secrets,
person names in labelled contexts.

``scrub_pii(texts, PiiConfig())`` replaces each validated item by a typed placeholder
(``<EMAIL>``, ``<PHONE>`` ...) and counts replacements per type and document. Spark-free; the
clean job runs it as its ``pii`` step.
"""
from refinery.pii.config import DEFAULT_PLACEHOLDERS, PII_TYPES, PiiConfig
from refinery.pii.scrub import PiiResult, Span, find_spans, scrub_pii

__all__ = ["PII_TYPES", "DEFAULT_PLACEHOLDERS", "PiiConfig", "PiiResult", "Span", "find_spans", "scrub_pii"]
