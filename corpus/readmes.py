"""The corpus's README part: the long descriptions of the venv's Python distributions.

    python -m corpus.readmes [--out DIR] [--force]     (a step of ``make corpus``)

The documentation corpus teaches "documentation" from three manuals (the Debian handbook,
PostgreSQL, debian-edu), all extracted from HTML; the default models then called other real
documentation (POD, plain-text tutorials) spam or low quality. A distribution's README — its
``METADATA`` description, Markdown or reStructuredText with prose, lists and code samples — is
real documentation written by hundreds of authors, and it ships with the Python sources the
corpus already uses, so no documentation package is added (issue 13 fixes that list).

Written apart from ``documents.parquet`` (``readme/documents.parquet``, same schema), so the
documentation corpus, its ids and its slice stay as they were. Each row's ``source`` is the
distribution's (``python:<name>``), so the models' split by source puts a distribution's code
and its README on the same side. A long README is cut at blank lines into pages of about
``PAGE_CHARS`` (one row each), as a manual is many HTML pages: a 50 KB README would otherwise
count as one document beside a 2 KB one.
"""
from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter
from pathlib import Path

from corpus import part_main, write_part

PART = "readme"
MIN_CHARS = 1500  # shorter descriptions are a line or two of summary, not a page of documentation
MAX_CHARS = 60_000  # a few append their whole changelog; the page, not the history
PAGE_CHARS = 3000  # a long README is cut at blank lines into pages of about this size
_GENRES = {"text/markdown": "readme-markdown", "text/x-rst": "readme-rst", "text/plain": "readme-text"}


def description(dist) -> str:
    """The distribution's long description: the METADATA body (2.1+) or its Description header."""
    meta = dist.metadata
    body = meta.get_payload() if hasattr(meta, "get_payload") else None
    return (body or meta.get("Description") or "").strip()


def genre(dist) -> str:
    kind = (dist.metadata.get("Description-Content-Type") or "").split(";")[0].strip().lower()
    return _GENRES.get(kind, "readme-text")


def pages(text: str, size: int = PAGE_CHARS) -> list[str]:
    """Consecutive blank-line-separated blocks joined until a page holds about ``size`` characters."""
    out, page, n = [], [], 0
    for block in re.split(r"\n[ \t]*\n", text):
        if not block.strip():
            continue
        page.append(block)
        n += len(block)
        if n >= size:
            out.append("\n\n".join(page))
            page, n = [], 0
    if page:
        out.append("\n\n".join(page))
    return out


def readme_rows() -> tuple[list[dict], dict[str, str]]:
    """One row per installed distribution with a long description (sorted by name), and licences."""
    from importlib import metadata

    from corpus.sources import _dist_licence

    rows, licences = [], {}
    dists = sorted({d.metadata["Name"].lower(): d for d in metadata.distributions() if d.metadata["Name"]}.items())
    for name, dist in dists:
        if name == "llm-refinery":
            continue
        text = description(dist)
        if len(text) < MIN_CHARS:
            continue
        source = f"python:{name}"
        for i, page in enumerate(pages(text[:MAX_CHARS])):
            path, site_path = f"{name}/METADATA#description.{i:02d}", f"{PART}/{name}/README.{i:02d}.html"
            rows.append({"doc_id": hashlib.sha1(f"{source}/{path}".encode()).hexdigest()[:16], "source": source,
                         "path": path, "site_path": site_path, "url": f"http://corpus.local/{site_path}", "kind": "text",
                         "lang": None, "genre": genre(dist), "content": page.encode("utf-8"), "text": page})
        licences[source] = _dist_licence(dist)
    return rows, licences


def build(out: Path) -> dict:
    rows, licences = readme_rows()
    return write_part(out / PART, rows, by_genre=dict(sorted(Counter(r["genre"] for r in rows).items())),
                      distributions=dict(sorted(Counter(r["source"] for r in rows).items())), licences=licences)


def main(argv=None) -> int:
    return part_main("python -m corpus.readmes", __doc__.splitlines()[0], PART, build,
                     lambda m: f"{m['documents']:,} documents, {m['text_chars'] / 1e6:.2f} M characters", argv)


if __name__ == "__main__":
    sys.exit(main())
