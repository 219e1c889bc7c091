"""The corpus's literature part: poetry, fiction quotations and essays from Debian packages.

    python -m corpus.literature [--out DIR] [--force]     (the last step of ``make corpus``)

The documentation corpus (corpus/build.py) has no literature; the domain classifier's
``literature`` class and the score thresholds for verse and prose need real examples. These
packages are literature, not documentation (issue 14 forbids more documentation packages):
Tang and Song poems and classical Chinese sayings (fortunes-zh), English literary quotations
and songs (fortunes, fortunes-min), German poems and quotations (fortunes-de), Russian quotations and haiku
(fortunes-ru), Spanish philosophy and proverbs (fortunes-es), Bierce's *The Devil's Dictionary*
(dict-devil) and an English Dhammapada (display-dhammapada).

Written apart from ``documents.parquet`` (``literature/documents.parquet``, same schema), so the
documentation corpus, its ids and its slice stay as they were. A fortune file is a list of short
entries separated by ``%``; consecutive entries are joined into documents of about
``TARGET_CHARS`` (fewer for Han text, which says more per character), so a document is a page of
verse, not one line. The ANSI colour codes fortunes-zh puts around titles are dropped.
"""
from __future__ import annotations

import dataclasses
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Iterator

from corpus import part_main, write_part

PART = "literature"
TARGET_CHARS = 1000
TARGET_CHARS_HAN = 500
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclasses.dataclass(frozen=True)
class LiteratureSource:
    package: str
    licence: str
    lang: str
    # (path inside the package, genre) of every file used; the lister reads them
    files: tuple[tuple[str, str], ...]
    lister: str = "fortune"  # fortune | dictzip | paragraphs


_FORTUNES = "usr/share/games/fortunes"
LITERATURE_SOURCES = (
    LiteratureSource("fortunes-zh", "GPL-3.0+", "zh", (
        (f"{_FORTUNES}/tang300", "poetry"), (f"{_FORTUNES}/song100", "poetry"), (f"{_FORTUNES}/chinese", "quotations"))),
    LiteratureSource("fortunes", "BSD (fortune-mod's data files)", "en", tuple(
        (f"{_FORTUNES}/{name}", "poetry" if name == "songs-poems" else "quotations")
        for name in ("songs-poems", "love", "wisdom", "tao", "pratchett", "people", "humorists"))),
    LiteratureSource("fortunes-min", "BSD (fortune-mod's data files)", "en", ((f"{_FORTUNES}/literature", "quotations"),)),
    LiteratureSource("fortunes-de", "GPL-2+", "de", tuple(
        (f"{_FORTUNES}/de/{name}", "poetry" if name == "gedichte" else "quotations")
        for name in ("gedichte", "zitate", "sprichworte", "letzteworte"))),
    LiteratureSource("fortunes-ru", "GPL-2+", "ru", tuple(
        (f"{_FORTUNES}/ru/{name}", "poetry" if name == "haiku" else "quotations")
        for name in ("book", "love", "life", "haiku", "citates", "knowledge", "truth"))),
    LiteratureSource("fortunes-es", "GPL-2+ (the quotations presumed public domain)", "es", tuple(
        (f"{_FORTUNES}/es/{name}.fortunes", "quotations")
        for name in ("filosofia", "sabiduria", "nietzsche", "schopenhauer", "lao-tse", "proverbios", "vida"))),
    LiteratureSource("dict-devil", "public domain (Ambrose Bierce, 1911)", "en",
                     (("usr/share/dictd/devil.dict.dz", "satire"),), lister="dictzip"),
    LiteratureSource("display-dhammapada", "public domain (John Richards' translation)", "en",
                     (("usr/share/display-dhammapada/dhammapada-english-transl.txt", "poetry"),), lister="paragraphs"),
)


def _fortune_entries(text: str, path: str) -> list[str]:
    entries = [_ANSI.sub("", e).strip("\n") for e in re.split(r"\n%\n", text)]
    entries = [e for e in entries if e.strip()]
    if path.endswith("/chinese"):
        # the file mixes classical sayings with Debian's code of conduct and manual excerpts:
        # keep the entries the file itself attributes to a work or an author, never Debian's
        entries = [e for e in entries if re.search(r"\n\s*--", e) and "Debian" not in e and "debian" not in e]
    return entries


def _paragraphs(text: str) -> list[str]:
    return [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]


def _join(entries: list[str], sep: str) -> Iterator[str]:
    """Consecutive entries joined until a document holds about its target length."""
    doc: list[str] = []
    size = 0
    for e in entries:
        doc.append(e)
        size += len(e)
        target = TARGET_CHARS_HAN if len(_HAN.findall(e)) * 2 > len(e) else TARGET_CHARS
        if size >= target:
            yield sep.join(doc)
            doc, size = [], 0
    if doc:
        yield sep.join(doc)


def _read(lister: str, file: Path, path: str) -> list[str]:
    raw = file.read_bytes()
    if lister == "dictzip":  # dictzip is gzip with an index in the header: gzip reads it
        text = gzip.decompress(raw).decode("utf-8")
        paras = _paragraphs(text)
        paras = paras[next((i for i, p in enumerate(paras) if re.match(r"^[A-Z][A-Z'\- ]+, [a-z]+\.", p)), 0):]
        return list(_join(paras, "\n\n"))
    text = raw.decode("utf-8")
    if lister == "paragraphs":
        return list(_join(_paragraphs(text), "\n\n"))
    return list(_join(_fortune_entries(text, path), "\n\n"))


def source_documents(src: LiteratureSource, tree: Path) -> Iterator[dict]:
    """Rows (documents.parquet's schema) of one package unpacked at ``tree``."""
    for rel, genre in src.files:
        f = tree / rel
        if not f.is_file():
            sys.exit(f"corpus: {src.package} has no {rel} (package layout changed?)")
        for i, text in enumerate(_read(src.lister, f, rel)):
            path = f"{rel}#{i:04d}"
            site_path = f"{PART}/{src.package}/{path.replace('#', '.')}.html"
            yield {"doc_id": hashlib.sha1(f"{src.package}/{path}".encode()).hexdigest()[:16], "source": src.package,
                   "path": path, "site_path": site_path, "url": f"http://corpus.local/{site_path}", "kind": "text",
                   "lang": src.lang, "genre": genre, "content": text.encode("utf-8"), "text": text}


def fetch(cache: Path) -> dict[str, Path]:
    """Each package downloaded once and unpacked into its own tree (so a lister sees only its files)."""
    debs = cache / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    missing = [s.package for s in LITERATURE_SOURCES if not list(debs.glob(f"{s.package}_*.deb"))]
    if missing:
        cmd = ["apt-get", "download", *missing]
        r = subprocess.run(cmd, cwd=debs, capture_output=True, text=True)
        if r.returncode != 0 and os.geteuid() == 0:
            subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True)
            r = subprocess.run(cmd, cwd=debs, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"corpus: `{' '.join(cmd)}` failed:\n{r.stderr.strip()}")
    trees = {}
    for s in LITERATURE_SOURCES:
        deb = sorted(debs.glob(f"{s.package}_*.deb"))[-1]
        tree = cache / "trees" / s.package
        stamp = tree / ".unpacked"
        if not stamp.exists() or stamp.read_text().strip() != deb.name:
            shutil.rmtree(tree, ignore_errors=True)
            tree.mkdir(parents=True)
            subprocess.run(["dpkg-deb", "-x", str(deb), str(tree)], check=True)
            stamp.write_text(deb.name + "\n")
        trees[s.package] = tree
    return trees


def build(out: Path) -> dict:
    part = out / PART
    trees = fetch(part)
    rows = [r for s in LITERATURE_SOURCES for r in source_documents(s, trees[s.package])]
    count = Counter((r["source"], r["lang"], r["genre"]) for r in rows)
    return write_part(part, rows, by_source={f"{s}/{lang}/{g}": n for (s, lang, g), n in sorted(count.items())},
                      packages=sorted(p.read_text().strip() for p in (part / "trees").glob("*/.unpacked")),
                      licences={s.package: s.licence for s in LITERATURE_SOURCES})


def main(argv=None) -> int:
    return part_main("python -m corpus.literature", __doc__.splitlines()[0], PART, build,
                     lambda m: f"{m['documents']:,} documents, {m['text_chars'] / 1e6:.1f} M characters", argv)


if __name__ == "__main__":
    sys.exit(main())
