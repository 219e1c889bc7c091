"""Domain categories and their weak labels.

Practitioner rule (seeds/000, 数据分类器): every quality scorer gives code, markdown and
LaTeX low scores, so a coarse domain classifier runs first and the quality threshold is
chosen per category. The classifier needs no precision to the last document; its training
labels come from rules over source metadata, URL patterns and simple structural signals,
evaluated here over whole Arrow columns (regex kernels, no per-document Python).
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

CATEGORIES = (
    "news", "encyclopedia", "code", "markdown_docs", "math_latex",
    "forum_qa", "literature", "ads_spam", "other",
)
# ``markdown_docs`` is the documentation class: manuals, reference pages, man pages and POD,
# tutorials and READMEs, whatever their markup (HTML, Markdown, POD, plain text). The shipped
# domain model (models/domain.ftz, built from the real corpus) predicts only ``code``,
# ``markdown_docs``, ``literature`` (poetry, fiction, quotations, essays) and ``ads_spam``
# (spam, SEO, boilerplate and link-list pages); the corpus has no real news, encyclopedia,
# forum or LaTeX source, so those categories come only from a ``category`` the input carries,
# from these weak rules when a user trains a model of their own, or a model retrained on such data.
# Prose categories the bias check compares the formatted ones against.
PROSE = ("news", "encyclopedia", "forum_qa", "literature")
FORMATTED = ("code", "markdown_docs", "math_latex")

# (category, column, RE2 pattern): the first rule that matches a row decides. Metadata
# rules come first (a curated source says what it is), then structure, then URL.
_URL_RULES = [
    ("ads_spam", r"(?i)^https?://[^/]*(bet|casino|lottery|cheap|deal|lorem|loan|porn|replica)[^/]*/"),
    ("code", r"(?i)^https?://([^/]*\b(code|pytutor|docs?|dev|api)\.|(github|gitlab|stackoverflow)\.)"),
    ("forum_qa", r"(?i)^https?://([^/]*\b(bbs|forum|tieba|discuss|answers?|qa|zhidao)\.|[^/]*/(thread|topic|question)s?/)"),
    ("encyclopedia", r"(?i)^https?://[^/]*\b(baike|wiki|encyclop[a-z]*)\."),
    ("news", r"(?i)^https?://[^/]*\b(news|press|daily|times)\.|^https?://[^/]*/news/"),
    ("literature", r"(?i)^https?://([^/]*\b(novel|book|fiction|poem|poetry|xiaoshuo)s?\.|[^/]*/(novel|chapter|fiction)s?/)"),
    ("other", r"(?i)^https?://[^/]*\bblog\."),
]
_METADATA_RULES = [
    ("code", r'"source": ?"(python-stdlib|github|the-stack)[^"]*"|"lang": ?"code"|"language": ?"python"'),
    ("encyclopedia", r'"kind": ?"(baike|wiki|encyclopedia)"'),
    ("news", r'"kind": ?"news"'),
    ("forum_qa", r'"kind": ?"(forum|qa)"'),
    ("ads_spam", r'"kind": ?"spam"'),
    ("literature", r'"kind": ?"(novel|literature|fiction)"'),
    ("markdown_docs", r'"kind": ?"(markdown|docs)"'),
    ("math_latex", r'"kind": ?"(math|latex)"'),
]
# Structure: counts of telling lines or commands; a row needs ``min`` hits.
_STRUCTURE_RULES = [
    ("math_latex", r"\\(frac|begin\{(equation|align)|sum_|int_|mathbb|alpha|theta|sqrt|cdot|leq|geq)|\$\$", 4),
    ("markdown_docs", r"(?m)^(#{1,6} \S|```|\s*[-*] \S|\d+\. \S|\|.*\|\s*$)|\]\(\S+\)", 6),
    ("code", r"(?m)^\s*(def |class |import |from \S+ import|return\b|if __name__|#include|public |function )", 4),
]


def _count_matches(text: pa.Array, pattern: str) -> np.ndarray:
    return pc.count_substring_regex(text, pattern).to_numpy(zero_copy_only=False)


def weak_category(batch: pa.RecordBatch | pa.Table) -> pa.Array:
    """Category of each row from metadata, structure, then URL; null when no rule fires.

    Rows with a null label are left out of training rather than guessed: a rule that
    fires for nothing is better than one that teaches the classifier noise.
    """
    n = batch.num_rows
    label = np.full(n, None, dtype=object)

    def take(mask: np.ndarray, name: str) -> None:
        free = np.equal(label, None)
        label[mask & free] = name

    names = batch.schema.names
    if "metadata" in names:
        meta = pc.fill_null(batch.column("metadata").cast(pa.string()), "")
        for name, pattern in _METADATA_RULES:
            take(pc.match_substring_regex(meta, pattern).to_numpy(zero_copy_only=False), name)
    if "url" in names:
        url = pc.fill_null(batch.column("url").cast(pa.string()), "")
        spam = pc.match_substring_regex(url, _URL_RULES[0][1]).to_numpy(zero_copy_only=False)
        take(spam, "ads_spam")  # a spam host wins over whatever its page imitates
    text = pc.fill_null(batch.column("text").cast(pa.string()), "")
    for name, pattern, minimum in _STRUCTURE_RULES:
        take(_count_matches(text, pattern) >= minimum, name)
    if "url" in names:
        for name, pattern in _URL_RULES[1:]:
            take(pc.match_substring_regex(url, pattern).to_numpy(zero_copy_only=False), name)
    return pa.array(label, type=pa.string())
