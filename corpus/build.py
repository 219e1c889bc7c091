"""``make corpus``: fetch the Debian packages, extract their documents, write the corpus.

    python -m corpus.build [--out DIR] [--force]

Deterministic: files are taken in sorted order, the slice by a seeded hash of ``doc_id``; only
the installed package versions can change it (MANIFEST.json records them). Nothing is fetched
but Debian packages (``apt-get download``, no root needed); the packages are unpacked with
``dpkg-deb -x`` into the cache, never installed.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from corpus import REPO
from corpus.sources import DEBIAN_SOURCES, Document, python_sources
from corpus.text import decode_text, html_text

SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("source", pa.string()), ("path", pa.string()), ("site_path", pa.string()),
    ("url", pa.string()), ("kind", pa.string()), ("lang", pa.string()), ("genre", pa.string()),
    ("content", pa.binary()), ("text", pa.string()),
])
HOST = "corpus.local"
# Code is capped per distribution so the corpus is not all torch; the total keeps HTML ≥ 200 MB.
CODE_PER_DIST_BYTES = 12_000_000
CODE_TOTAL_BYTES = 130_000_000
SLICE_MAX_BYTES = 20_000_000
SEED = "refinery-corpus-1"
# Documents per (source, lang) in the slice; code is drawn across distributions.
SLICE_QUOTA = {"debian-handbook/en": 60, "debian-handbook/zh": 60, "debian-handbook/*": 6,
               "postgresql-doc-15/en": 200, "kicad-doc-zh/zh": 3, "debian-edu-doc-zh-cn/zh": 1,
               "linuxcnc-doc-zh-cn/zh": 1, "perl-doc/en": 30, "emacs-common/*": 40, "code": 700}


def fetch_packages(cache: Path) -> Path:
    """Download and unpack the Debian packages once; returns the unpacked tree."""
    debs, tree = cache / "debs", cache / "debs/root"
    debs.mkdir(parents=True, exist_ok=True)
    missing = [s.package for s in DEBIAN_SOURCES if not list(debs.glob(f"{s.package}_*.deb"))]
    if missing:
        cmd = ["apt-get", "download", *missing]
        r = subprocess.run(cmd, cwd=debs, capture_output=True, text=True)
        if r.returncode != 0 and os.geteuid() == 0:  # a fresh CI image may have no package lists yet
            subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True)
            r = subprocess.run(cmd, cwd=debs, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"corpus: `{' '.join(cmd)}` failed:\n{r.stderr.strip()}")
    stamp = tree / ".unpacked"
    if not stamp.exists():
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        for deb in sorted(debs.glob("*.deb")):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(tree)], check=True)
        stamp.write_text("\n".join(sorted(p.name for p in debs.glob("*.deb"))) + "\n")
    return tree


def site_path(doc: Document) -> str:
    """Where the web server serves it: HTML as shipped, text and code as ``<path>.html``."""
    source = doc.source.replace(":", "/")
    return f"{source}/{doc.path}" if doc.kind == "html" else f"{source}/{doc.path}.html"


def as_page(doc: Document, text: str) -> bytes:
    title = html.escape(doc.path)
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n"
            f"<body><h1>{title}</h1>\n<pre>{html.escape(text)}</pre>\n</body></html>\n").encode()


def read_document(doc: Document) -> dict | None:
    raw = doc.file.read_bytes()
    if doc.kind == "html":
        text = html_text(raw)
    else:
        text = decode_text(raw)
        if text is None:
            return None
    if not text.strip():
        return None
    sp = site_path(doc)
    return {"doc_id": hashlib.sha1(f"{doc.source}/{doc.path}".encode()).hexdigest()[:16],
            "source": doc.source, "path": doc.path, "site_path": sp, "url": f"http://{HOST}/{sp}",
            "kind": doc.kind, "lang": doc.lang, "genre": doc.genre, "content": raw, "text": text}


def write_table(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    pq.write_table(table, path, compression="zstd", row_group_size=512)


def write_site(rows: list[dict], site: Path) -> int:
    """The pages under ``site/`` plus an index per source; returns the HTML bytes written."""
    shutil.rmtree(site, ignore_errors=True)
    by_source: dict[str, list[dict]] = defaultdict(list)
    total = 0
    for r in rows:
        f = site / r["site_path"]
        f.parent.mkdir(parents=True, exist_ok=True)
        body = r["content"] if r["kind"] == "html" else as_page(_doc_of(r), r["text"])
        f.write_bytes(body)
        total += len(body)
        by_source[r["source"].replace(":", "/")].append(r)
    for prefix, docs in sorted(by_source.items()):
        links = "\n".join(f'<li><a href="/{html.escape(d["site_path"])}">{html.escape(d["path"])}</a></li>' for d in docs)
        (site / prefix).mkdir(parents=True, exist_ok=True)
        (site / prefix / "index.html").write_text(f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{prefix}</title></head>"
                                                  f"<body><h1>{prefix}</h1><ul>\n{links}\n</ul></body></html>\n")
    links = "\n".join(f'<li><a href="/{p}/index.html">{p}</a></li>' for p in sorted(by_source))
    (site / "index.html").write_text(f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>corpus</title></head>"
                                     f"<body><ul>\n{links}\n</ul></body></html>\n")
    return total


def _doc_of(r: dict) -> Document:
    return Document(r["source"], r["path"], Path(), r["kind"], r["lang"], r["genre"])


def _rank(doc_id: str) -> str:
    return hashlib.sha1(f"{SEED}/{doc_id}".encode()).hexdigest()


def choose_slice(rows: list[dict], scale: float = 1.0) -> list[dict]:
    """A seeded, stratified choice: every source and the main languages, code across packages."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups["code" if r["kind"] == "code" else f"{r['source']}/{r['lang']}"].append(r)
    chosen = []
    for key, members in sorted(groups.items()):
        quota = SLICE_QUOTA.get(key, SLICE_QUOTA.get(key.split("/")[0] + "/*", 0))
        members.sort(key=lambda r: _rank(r["doc_id"]))
        chosen += members[: max(1, int(quota * scale))] if quota else []
    return sorted(chosen, key=lambda r: (r["source"], r["path"]))


def manifest(rows: list[dict], html_bytes: int, licences: dict, tree: Path, seconds: float) -> dict:
    def tally(key):
        docs, size = Counter(), Counter()
        for r in rows:
            docs[key(r)] += 1
            size[key(r)] += len(r["content"])
        return {k: {"docs": docs[k], "bytes": size[k]} for k in sorted(docs)}

    packages = (tree / ".unpacked").read_text().split() if (tree / ".unpacked").exists() else []
    return {"documents": len(rows), "content_bytes": sum(len(r["content"]) for r in rows), "site_html_bytes": html_bytes,
            "by_kind": tally(lambda r: r["kind"]), "by_lang": tally(lambda r: r["lang"] or "-"),
            "by_source": tally(lambda r: r["source"]), "packages": packages, "licences": licences,
            "seed": SEED, "python": sys.version.split()[0], "build_seconds": round(seconds, 1)}


def build(out: Path) -> dict:
    started = time.time()
    tree = fetch_packages(out)
    docs = [d for s in DEBIAN_SOURCES for d in s.documents(tree)]
    code, py_licences = python_sources(CODE_PER_DIST_BYTES, CODE_TOTAL_BYTES)
    rows, skipped = [], Counter()
    for doc in docs + code:
        row = read_document(doc)
        if row is None:
            skipped[doc.source] += 1
        else:
            rows.append(row)
    licences = {s.package: s.licence for s in DEBIAN_SOURCES} | py_licences
    write_table(rows, out / "documents.parquet")
    html_bytes = write_site(rows, out / "site")
    scale, part = 1.0, []
    while True:  # shrink the quotas until the slice file fits its budget
        part = choose_slice(rows, scale)
        write_table(part, out / "slice/documents.parquet")
        if (out / "slice/documents.parquet").stat().st_size <= SLICE_MAX_BYTES:
            break
        scale *= 0.8
    slice_html = write_site(part, out / "slice/site")
    m = manifest(rows, html_bytes, licences, tree, time.time() - started)
    m["skipped_undecodable"] = dict(skipped)
    m["slice"] = manifest(part, slice_html, {}, tree, 0) | {"file_bytes": (out / "slice/documents.parquet").stat().st_size}
    (out / "MANIFEST.json").write_text(json.dumps(m, indent=1, ensure_ascii=False) + "\n")
    (out / "READY").write_text(f"{len(rows)} documents\n")
    return m


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m corpus.build", description=__doc__.splitlines()[0])
    p.add_argument("--out", default=os.environ.get("REFINERY_CORPUS") or str(REPO / ".corpus"))
    p.add_argument("--force", action="store_true", help="rebuild even when READY exists")
    args = p.parse_args(argv)
    out = Path(args.out)
    if (out / "READY").exists() and not args.force:
        print(f"corpus: {out} is built ({(out / 'READY').read_text().strip()}); --force rebuilds")
        return 0
    (out / "READY").unlink(missing_ok=True)
    m = build(out)
    print(f"corpus: {m['documents']:,} documents, {m['content_bytes'] / 1e6:.1f} MB, site HTML {m['site_html_bytes'] / 1e6:.1f} MB; "
          f"slice {m['slice']['documents']:,} documents, {m['slice']['file_bytes'] / 1e6:.1f} MB file -> {out} "
          f"({m['build_seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
