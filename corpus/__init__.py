"""The real corpus: Debian documentation and installed Python sources (``make corpus``).

``load()`` returns its document table; tests use the slice, benchmarks the whole. See
corpus/README.md for the sources, their licences and the layout.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


class CorpusMissing(RuntimeError):
    pass


def root() -> Path:
    """The corpus cache: ``$REFINERY_CORPUS``, else ``<repo>/.corpus``; it must have been built."""
    base = Path(os.environ.get("REFINERY_CORPUS") or REPO / ".corpus")
    if not (base / "READY").exists():
        raise CorpusMissing(f"no real corpus at {base}: run `make corpus` (or set REFINERY_CORPUS)")
    return base


def documents_path(slice: bool = True, part: str | None = None) -> Path:
    """The documentation corpus (or its slice); ``part``: a part written apart from it
    (``"literature"``: corpus/literature.py, ``"readme"``: corpus/readmes.py), which has no slice."""
    if part is None:
        return root() / ("slice/documents.parquet" if slice else "documents.parquet")
    base = root() / part
    if not (base / "READY").exists():
        raise CorpusMissing(f"no {part} part in the real corpus at {base.parent}: run `make corpus`")
    return base / "documents.parquet"


def load(slice: bool = True, columns: list[str] | None = None, part: str | None = None):
    """The document table (pyarrow), the slice by default; ``part`` for a part (``documents_path``)."""
    import pyarrow.parquet as pq

    return pq.read_table(documents_path(slice, part), columns=columns)


def write_part(part_dir: Path, rows: list[dict], **facts) -> dict:
    """Write a corpus part (``documents.parquet``, ``MANIFEST.json``, ``READY`` last) and return
    its manifest: the document and character counts, then the part's own ``facts``."""
    import json

    from corpus.build import write_table

    write_table(rows, part_dir / "documents.parquet")
    manifest = {"documents": len(rows), "text_chars": sum(len(r["text"]) for r in rows), **facts}
    (part_dir / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    (part_dir / "READY").write_text(f"{len(rows)} documents\n")
    return manifest


def part_main(prog: str, description: str, part: str, build, summary, argv=None) -> int:
    """The command line of a corpus part builder (``corpus.literature``, ``corpus.readmes``):
    ``--out`` (default ``$REFINERY_CORPUS`` or ``.corpus``), skip when ``<part>/READY`` exists
    unless ``--force``; ``build(out)`` returns the part's manifest, ``summary(manifest)`` the
    line printed after it."""
    import argparse

    p = argparse.ArgumentParser(prog=prog, description=description)
    p.add_argument("--out", default=os.environ.get("REFINERY_CORPUS") or str(REPO / ".corpus"))
    p.add_argument("--force", action="store_true", help=f"rebuild even when {part}/READY exists")
    args = p.parse_args(argv)
    out = Path(args.out)
    ready = out / part / "READY"
    if ready.exists() and not args.force:
        print(f"corpus: {out / part} is built ({ready.read_text().strip()}); --force rebuilds")
        return 0
    ready.unlink(missing_ok=True)
    print(f"corpus: {part} {summary(build(out))} -> {out / part}")
    return 0
