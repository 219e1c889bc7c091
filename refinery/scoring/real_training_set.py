"""The default models' data: the real corpus labelled by where each document came from,
split by SOURCE (package or Python distribution) into training and held-out sides, plus the
generated negatives (``negatives``) split by generator half.

Labels are the source's, never a classifier's: a documentation package's pages (HTML
manuals, POD, tutorials) are ``markdown_docs`` — the documentation class, whatever their
markup — a Python distribution's files are ``code`` and its README (the corpus's readme part)
``markdown_docs``, the literature part's poems, quotations
and essays are ``literature``, and generated spam/boilerplate pages are ``ads_spam``. The real
corpus has no news, encyclopedia, forum or LaTeX source, so the shipped domain model does not
predict ``news``, ``encyclopedia``, ``forum_qa``, ``math_latex`` or ``other``: documents of
those kinds get the nearest of the four classes it knows, and their category only comes from
a ``category`` the input already carries (or a model retrained on such data, README).
"""
from __future__ import annotations

import hashlib
from collections import defaultdict

import numpy as np
import pyarrow as pa

from refinery.scoring.negatives import generate

# Whole packages the models never train on (docs: POD, Emacs tutorials, KiCad and LinuxCNC
# manuals; literature: Bierce's dictionary, the Dhammapada, fortune-mod's literary quotations);
# code: one distribution in five. The held-out literature is English: holding out the only
# German (or Russian, Spanish) literature left the model no literature in that language, and
# it then sent German quotations to the German handbook's class (30% of fortunes-de).
HELD_OUT_SOURCES = frozenset({"perl-doc", "emacs-common", "kicad-doc-zh", "linuxcnc-doc-zh-cn",
                              "dict-devil", "display-dhammapada", "fortunes-min"})
CODE_HELD_OUT_MOD = 5
TRAINED_CLASSES = ("code", "markdown_docs", "literature", "ads_spam")
COLUMNS = ["doc_id", "source", "lang", "kind", "genre", "text"]


def held_out_source(source: str) -> bool:
    """The split, by source: a fixed list of packages, and Python distributions by a hash of their name."""
    if source.startswith("python:"):
        return int(hashlib.sha1(source.encode()).hexdigest(), 16) % CODE_HELD_OUT_MOD == 0
    return source in HELD_OUT_SOURCES


def real_documents() -> pa.Table:
    """Documentation corpus + README part + literature part with a ``label`` (from the source) and ``held_out``."""
    import corpus

    docs = corpus.load(slice=False, columns=COLUMNS)
    readme = corpus.load(columns=COLUMNS, part="readme")
    lit = corpus.load(columns=COLUMNS, part="literature")
    label = (["code" if k == "code" else "markdown_docs" for k in docs.column("kind").to_pylist()]
             + ["markdown_docs"] * readme.num_rows + ["literature"] * lit.num_rows)
    table = pa.concat_tables([docs, readme.cast(docs.schema), lit.cast(docs.schema)])
    held = [held_out_source(s) for s in table.column("source").to_pylist()]
    return table.append_column("label", pa.array(label, pa.string())).append_column("held_out", pa.array(held))


def negatives(n: int, held_out: bool, spun_from: list[str], seed: int = 0) -> pa.Table:
    """Generated negatives as corpus-shaped rows (source ``generated:<family>``, label ``ads_spam``)."""
    rows = generate(n, half=1 if held_out else 0, seed=seed, spun_from=spun_from)
    side = "held-out" if held_out else "train"
    return pa.table({
        "doc_id": [hashlib.sha1(f"{side}/{i}/{r['text']}".encode()).hexdigest()[:16] for i, r in enumerate(rows)],
        "source": [f"generated:{r['family']}" for r in rows], "lang": [r["lang"] for r in rows],
        "kind": ["generated"] * n, "genre": [r["family"] for r in rows], "text": [r["text"] for r in rows],
        "label": ["ads_spam"] * n, "held_out": [held_out] * n,
    })


def stratified_sample(table: pa.Table, cap: int, seed: int = 0) -> pa.Table:
    """At most ``cap`` rows per label, drawn round-robin over sources and, within a source,
    over its languages, so one large package (debian-handbook in 27 languages, torch) does not
    fill the class alone. Groups were (source, lang) pairs before: the handbook's 27 languages
    then took 925 of 1,000 documentation draws and PostgreSQL 37. The README part is one
    source (one kind of page, from many distributions)."""
    rng = np.random.default_rng(seed)
    genre = table.column("genre").to_pylist() if "genre" in table.schema.names else [None] * table.num_rows
    groups: dict[str, dict[str, dict[str, list[int]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for i, (lab, src, lang) in enumerate(zip(*(table.column(c).to_pylist() for c in ("label", "source", "lang")))):
        family = "readme" if (genre[i] or "").startswith("readme") else src
        groups[lab][family][lang or "-"].append(i)
    keep = []
    for lab in sorted(groups):
        # one queue per source: its languages interleaved, each language's documents shuffled
        queues = []
        for _, by_lang in sorted(groups[lab].items()):
            per_lang = [list(rng.permutation(idx)) for _, idx in sorted(by_lang.items())]
            queue = []
            while any(per_lang):
                queue.extend(int(q.pop()) for q in per_lang if q)
            queues.append(queue[::-1])
        taken = 0
        while taken < cap and any(queues):
            for q in queues:
                if q and taken < cap:
                    keep.append(q.pop())
                    taken += 1
    return table.take(pa.array(sorted(keep), pa.int64()))
