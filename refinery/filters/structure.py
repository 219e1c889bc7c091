"""The prose of a document: its text without code lines and markup, what prose rules should measure.

The web-prose rules (Gopher's alpha-word share and repetition, FineWeb's line rules, C4's
sentences) assume every line is prose. On documentation they measure the wrong thing: a SQL
example, an operator table (``int4range(2,4) @> int4range(2,3) → t``) or POD markup (``=item *``,
``C<$x>``) is mostly punctuation tokens, and the ``{`` / ``}`` / ``END;`` lines of every example
repeat. Rules marked ``prose`` (see ``evaluate.PROSE_RULES``) therefore measure this view:

* **code lines** are left out: lines inside a markdown fence, lines of punctuation alone (``};``,
  a table rule ``----+----``), prompts (``$ ``, ``postgres=#``), and lines with code syntax (ends in
  ``; { }``, starts with a closing bracket, a prompt or comment marker, holds ``name(...)``,
  operators such as ``->`` ``::`` ``=>`` ``@>`` ``$var``, or is indented by 2+ spaces with code
  punctuation) unless most of its whitespace-separated tokens are plain words — a prose sentence
  mentioning ``argv[0]`` stays prose, verse ending in ``;`` stays prose, and a line decorated with
  three or more symbols such as ★ ✔ ♦ is a spam banner, not code;
* **markup** is reduced to its text: POD directives (``=head1 NAME`` → ``NAME``, ``=item *`` →
  nothing), POD formatting codes (``C<text>`` → ``text``, ``L<text|url>`` → ``text``), markdown
  inline code and emphasis, and a URL becomes one word (``URL``) as spaCy keeps a URL one token;
* a document with no prose left is measured whole (nothing to prefer), so a page made only of
  code-like junk is judged as before; a document with no code and no markup is unchanged, so web
  prose gets exactly the values datatrove's filters compute (bench/clean.py).

Whole-document rules (word counts, stop words, the general and zh rules) still read the full text.
"""
from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from refinery.filters.text_view import TextView
from refinery.regex_passes import RewritePasses

# Code whatever its words: a shell or REPL prompt (not "# ", a markdown heading), a line of brackets alone, a comment opener.
# Also a line of punctuation and symbols alone (``}``, ``);``, a table rule ``-----+-----``).
CODE_ALWAYS = (r"^\s*(?:[$%]|>>>|\.\.\.:|[\w.-]+=[#>]|[\w.-]+>|[\w.-]+@[\w.:~/-]+[$#%])\s+\S"
               r"|^[\s\p{P}\p{S}]*[\p{P}\p{S}][\s\p{P}\p{S}]*[\p{P}\p{S}][\s\p{P}\p{S}]*$|^\s*[{}()\[\];]\s*$|^\s*(?://|/\*|\*/|#!|--\S)")
# A line with code syntax (RE2). Each alternative is a shape prose seldom has.
CODE_SYNTAX = "|".join([
    r"[;{}]\s*$",  # statement / block ends
    r"^\s*[})\]]",  # a closing bracket opens the line
    r"\w\([^)]*\)",  # a call: name(args)
    r"->|::|=>|[=!<>]=|&&|\|\||<<|>>|@>|<@|\$[A-Za-z_{]|@\w+\s*=|\w\[[\w'\"]*\]",  # operators, $var, a[i]
    r"^(?: {2,}|\t)\S.*[=;{}()$@<>\[\]\\|&*/#]",  # indented with code punctuation (POD verbatim, man SYNOPSIS)
])
# A plain word: letters (with an inner ' or -), optional trailing punctuation, as prose is made of.
_PLAIN_WORD = r"^[(\"'“‘]?\pL+(?:['’-]\pL+)*[.,;:!?)\"'”’]*$|^[-–—]$"  # a dash counts as a word
PLAIN_SHARE = 0.75  # a line this much plain words is prose even with code syntax in it
_FENCE = r"^\s*(?:```|~~~)"
# POD: a directive line (=head1 Title, =item *, =over 4, =back, =cut, =encoding utf8, ...)
_POD_DIRECTIVE = r"^=(?:head\d|item|over|back|cut|pod|encoding|for|begin|end)\b[ \t]*(?:\*|\d+(?:\.\d+)?|utf-?8)?[ \t]*"
_POD_LINK = r"L<([^<>|]*)\|[^<>]*>"
_POD_CODE = r"[BCEFILSXZ]<([^<>]*)>"
_POD_ESCAPES = {"E<gt>": ">", "E<lt>": "<", "E<verbar>": "|", "E<sol>": "/"}
_MD_INLINE = r"`([^`\n]+)`|\*\*([^*]+)\*\*"
_URL = r"(?:https?|ftp)://[^\s<>\"'）)]+|www\.[\w-]+\.[^\s<>\"'）)]+"


def _np(arr) -> np.ndarray:
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False).astype(bool)


def plain_word_share(lines: pa.Array) -> np.ndarray:
    """Per line, the share of its whitespace-separated tokens that are plain words (1 for a blank line)."""
    tokens = pc.utf8_split_whitespace(pc.utf8_trim_whitespace(lines))
    flat = tokens.flatten()
    parent = pc.list_parent_indices(tokens).to_numpy().astype(np.int64)
    plain = _np(pc.match_substring_regex(flat, pattern=_PLAIN_WORD))
    n = np.bincount(parent, minlength=len(lines)).astype(np.float64)
    words = np.bincount(parent, weights=plain.astype(np.float64), minlength=len(lines))
    return np.divide(words, n, out=np.ones(len(lines)), where=n > 0)


def fenced(lines: pa.Array, parent: np.ndarray) -> np.ndarray:
    """Lines that are a markdown fence or lie between two fences of the same document."""
    fence = _np(pc.match_substring_regex(lines, pattern=_FENCE))
    if not fence.any():
        return fence
    csum = np.cumsum(fence)
    first = np.concatenate([[0], np.flatnonzero(np.diff(parent)) + 1]) if len(parent) else np.zeros(0, dtype=np.int64)
    start_count = np.repeat(csum[first] - fence[first], np.diff(np.append(first, len(parent))))
    inside = (csum - start_count - fence) % 2 == 1  # an odd number of fences opened before this line
    return fence | inside


def code_lines(lines: pa.Array, parent: np.ndarray) -> np.ndarray:
    """Per line (of ``text.split("\\n")``): is it code, not prose (see the module docstring)?"""
    syntax = _np(pc.match_substring_regex(lines, pattern=CODE_SYNTAX))
    code = _np(pc.match_substring_regex(lines, pattern=CODE_ALWAYS))
    maybe = syntax & ~code
    if maybe.any():
        idx = np.flatnonzero(maybe)
        code[idx] = plain_word_share(lines.take(pa.array(idx))) < PLAIN_SHARE
    # dingbats, stars, emoji (\p{So}) are a spam page's decoration, not a program's syntax
    # (counted on the code lines only: it can only take a line out of the code)
    if code.any():
        idx = np.flatnonzero(code)
        decorated = pc.count_substring_regex(lines.take(pa.array(idx)), pattern=r"\p{So}").to_numpy(zero_copy_only=False) >= 3
        code[idx[decorated]] = False
    return code | fenced(lines, parent)


# POD directives, POD escapes, links and codes (one level of nesting: B<C<x>>), markdown inline
# code and bold, URLs. Most lines hold none: the passes run on the lines that can match.
_MARKUP = RewritePasses((
    (_POD_DIRECTIVE, ""),
    *((re.escape(code), char) for code, char in _POD_ESCAPES.items()),
    (_POD_LINK, r"\1"),
    (_POD_CODE, r"\1"),
    (_POD_CODE, r"\1"),
    (_MD_INLINE, r"\1\2"),
    (_URL, "URL"),
))


def reduce_markup(texts: pa.Array) -> pa.Array:
    """POD and markdown markup reduced to its text; URLs to one word."""
    return _MARKUP.apply(texts)


def _code_lines_of(texts: pa.Array):
    """Every document's ``text.split("\\n")`` lines (TextView's ``newline_lines``), the lines with
    their markup reduced, which of them are code, which were blank, and per document the share of
    its non-blank lines that are code."""
    view = TextView(texts)
    lines = view.newline_lines
    reduced = reduce_markup(lines.values)
    code = code_lines(reduced, lines.parent)
    was_blank = ~_np(pc.match_substring_regex(lines.values, pattern=r"\S"))
    nonblank = lines.per_doc(~was_blank)
    share = np.divide(lines.per_doc(code & ~was_blank), nonblank, out=np.zeros(view.n), where=nonblank > 0)
    return view.texts, lines, reduced, code, was_blank, share


def prose_texts(texts: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The prose view of every document and, per document, the share of its lines left out as code.

    Lines of markup that reduce to nothing (``=item *``, ``=back``) are dropped with the code; a
    document whose prose would be empty keeps all its (markup-reduced) lines."""
    texts, lines, reduced, code, was_blank, code_share = _code_lines_of(texts)
    flat, parent, n = lines.values, lines.parent, lines.n_docs
    emptied = ~was_blank & ~_np(pc.match_substring_regex(reduced, pattern=r"\S"))
    drop = code | emptied
    kept_prose = lines.per_doc(~drop & ~was_blank)
    drop &= (kept_prose > 0)[parent]  # nothing prose left: keep the document whole
    changed = drop.any() or not pc.all(pc.equal(reduced, flat)).as_py() if len(flat) else False
    if not changed:
        return texts, code_share
    keep = ~drop
    offsets = np.concatenate([[0], np.cumsum(np.bincount(parent[keep], minlength=n))]).astype(np.int32)
    kept_lines = reduced.filter(pa.array(keep))
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), kept_lines), "\n"), code_share


def code_line_share(texts: pa.Array) -> np.ndarray:
    """Per document, the share of its non-blank lines that are code lines."""
    return _code_lines_of(texts)[-1]


# Fewer non-blank lines than this and a share of code lines says nothing (a one-line page has a
# share of 0 or 1): the domain model's ``code`` stands.
MIN_LINES_TO_OVERRULE = 5
# The clean and score jobs' ``code_min_code_lines`` / ``code_fallback_category`` defaults (one pair:
# the two stages must agree on what a page without code lines is).
CODE_MIN_CODE_LINES = 0.05
CODE_FALLBACK_CATEGORY = "markdown_docs"


def check_code_routing(min_share: float, fallback: str | None) -> None:
    """The config check of the two keys, for both jobs."""
    from refinery.config import check
    from refinery.scoring.categories import CATEGORIES

    check(0.0 <= min_share <= 1.0, "code_min_code_lines", "must be in [0, 1]")
    check(fallback in (None, *CATEGORIES), "code_fallback_category", f"unknown category (one of {list(CATEGORIES)} or null)")


def code_without_code_lines(categories: np.ndarray, texts: pa.Array, min_share: float, fallback: str | None) -> np.ndarray:
    """``categories`` (object array, the domain model's) with each ``code`` whose share of code
    lines is under ``min_share`` replaced by ``fallback``: the model calls technical documentation
    (catalog tables, function lists) and the odd cookie banner code, which holds no code line.
    Only pages of at least ``MIN_LINES_TO_OVERRULE`` non-blank lines are overruled. A copy when
    anything changes; ``min_share`` 0 trusts the model."""
    coded = np.flatnonzero(categories == "code") if min_share > 0 else np.zeros(0, dtype=np.int64)
    if len(coded) == 0:
        return categories
    _, lines, _, _, was_blank, share = _code_lines_of(texts.take(pa.array(coded)))
    nonblank = lines.per_doc(~was_blank)
    out = categories.copy()
    out[coded[(share < min_share) & (nonblank >= MIN_LINES_TO_OVERRULE)]] = fallback
    return out
