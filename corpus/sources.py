"""Where the real corpus comes from: Debian packages and the venv's Python sources.

Each source says which files of its package are documents, and what the package tells us about
them (language, kind, genre). Those labels are the corpus's oracle: they come from where the text
came from, never from the refinery's own classifiers.

Issue 13 fixes the list; other documentation packages are kept apart for independent evaluation,
so do not add more of them here.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path, PurePosixPath


@dataclasses.dataclass(frozen=True)
class Document:
    source: str
    path: str  # inside the package's extracted tree (or the distribution's files)
    file: Path  # on disk
    kind: str  # html | text | code
    lang: str | None
    genre: str  # manual | reference | tutorial | pod | code


@dataclasses.dataclass(frozen=True)
class DebianSource:
    package: str
    licence: str

    def documents(self, root: Path) -> list[Document]:
        return sorted(_LISTERS[self.package](self.package, root), key=lambda d: d.path)


DEBIAN_SOURCES = (
    DebianSource("debian-handbook", "GPL-2.0+ or CC-BY-SA-3.0"),
    DebianSource("postgresql-doc-15", "PostgreSQL (BSD-style)"),
    DebianSource("debian-edu-doc-zh-cn", "GPL-2+"),
    DebianSource("kicad-doc-zh", "GPL-3+ or CC-BY-3.0"),
    DebianSource("linuxcnc-doc-zh-cn", "GPL-2 / LGPL-2.1+"),
    DebianSource("perl-doc", "GPL-1+ or Artistic"),
    DebianSource("emacs-common", "GPL-3+"),
)


def _rel(root: Path, f: Path) -> str:
    return str(PurePosixPath(f.relative_to(root)))


def _lang_of_locale(tag: str) -> str:
    """``zh-CN`` / ``zh-TW`` → ``zh``, ``pt-BR`` → ``pt``: the language, not the region."""
    return tag.replace("_", "-").split("-")[0].lower()


def _handbook(pkg: str, root: Path):
    base = root / "usr/share/doc/debian-handbook/html"
    for lang_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        for f in sorted(lang_dir.glob("*.html")):
            yield Document(pkg, _rel(root, f), f, "html", _lang_of_locale(lang_dir.name), "manual")


def _postgresql(pkg: str, root: Path):
    for f in sorted((root / "usr/share/doc/postgresql-doc-15/html").glob("*.html")):
        yield Document(pkg, _rel(root, f), f, "html", "en", "reference")


def _edu(pkg: str, root: Path):
    for f in sorted((root / "usr/share/doc/debian-edu-doc-zh-cn").glob("*.html")):
        yield Document(pkg, _rel(root, f), f, "html", "zh", "manual")


def _kicad(pkg: str, root: Path):
    for f in sorted((root / "usr/share/doc/kicad/help/zh").glob("*.html")):
        yield Document(pkg, _rel(root, f), f, "html", "zh", "manual")


def _linuxcnc(pkg: str, root: Path):
    for f in sorted((root / "usr/share/doc/linuxcnc").glob("*zh_CN*.html")):
        yield Document(pkg, _rel(root, f), f, "html", "zh", "reference")


def _perl(pkg: str, root: Path):
    for f in sorted(root.glob("usr/share/perl/*/pod/*.pod")):
        yield Document(pkg, _rel(root, f), f, "text", "en", "pod")


# Emacs names its tutorials by language, not always by ISO code.
_EMACS_LANG = {"cn": "zh", "zh": "zh", "cs": "cs", "sl": "sl", "sk": "sk", "pt_BR": "pt", "he": "he",
               "eo": "eo", "th": "th", "bg": "bg"}


def _emacs(pkg: str, root: Path):
    for f in sorted(root.glob("usr/share/emacs/*/etc/tutorials/TUTORIAL*")):
        suffix = f.name.partition(".")[2]
        if suffix == "translators":
            continue
        lang = "en" if not suffix else _EMACS_LANG.get(suffix, _lang_of_locale(suffix))
        yield Document(pkg, _rel(root, f), f, "text", lang, "tutorial")


_LISTERS = {"debian-handbook": _handbook, "postgresql-doc-15": _postgresql, "debian-edu-doc-zh-cn": _edu,
            "kicad-doc-zh": _kicad, "linuxcnc-doc-zh-cn": _linuxcnc, "perl-doc": _perl, "emacs-common": _emacs}


def python_sources(max_per_dist_bytes: int, max_total_bytes: int, min_size: int = 400,
                   max_size: int = 300_000) -> tuple[list[Document], dict[str, str]]:
    """``.py`` files of the distributions installed beside this interpreter (real code).

    Sorted by distribution and path and capped per distribution, so one huge package (torch)
    does not make the corpus all torch. Returns the documents and each distribution's licence.
    """
    from importlib import metadata

    docs, licences, total = [], {}, 0
    dists = sorted({d.metadata["Name"].lower(): d for d in metadata.distributions() if d.files}.items())
    for name, dist in dists:
        if name in ("llm-refinery",) or total >= max_total_bytes:
            continue
        used = 0
        for rel in sorted(str(p) for p in dist.files if str(p).endswith(".py")):
            if ".." in PurePosixPath(rel).parts:  # a file outside the distribution (pyspark's bin/)
                continue
            f = Path(dist.locate_file(rel))
            try:
                size = f.stat().st_size
            except OSError:
                continue
            if not (min_size <= size <= max_size) or used + size > max_per_dist_bytes:
                continue
            docs.append(Document(f"python:{name}", rel, f, "code", None, "code"))
            used += size
            total += size
        if used:
            licences[f"python:{name}"] = _dist_licence(dist)
    return docs, licences


def _dist_licence(dist) -> str:
    meta = dist.metadata
    lic = meta.get("License-Expression") or meta.get("License") or ""
    if not lic or len(lic) > 80:
        classifiers = [c.rsplit("::", 1)[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License")]
        lic = ", ".join(classifiers) or (lic.splitlines()[0][:80] if lic else "see distribution metadata")
    return re.sub(r"\s+", " ", lic)
