"""The splits every rule family shares (lines, paragraphs, tokens), computed once per batch.

A split is a flat Arrow string array plus, for each piece, the index of the document it came
from (``parent``): per-document measures are then NumPy reductions over whole columns
(``np.bincount(parent, weights)``), never a Python loop over documents or characters.

Tokens approximate the spaCy English tokenizer that datatrove's Gopher and FineWeb filters use
(``split_into_words``): whitespace-separated, with leading and trailing punctuation runs split
off as tokens of their own (``"world,"`` → ``world`` ``,``), hyphens between letters and English
clitics (``n't``, ``'s``) split as spaCy does. ``cjk_chars`` mode (Chinese) makes every CJK
character a token, FineWeb-2's character n-grams in place of words.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from refinery.filters.punctuation import CJK

# RE2 patterns (pyarrow.compute); \1 \2 are capture groups in replacements. RE2's \w is ASCII
# only, so a punctuation character is spelled out: neither letter, number, mark, underscore nor
# space (with \w, "привет" or the "é" of "café" counted as punctuation and were split apart).
_PUNCT = r"[^\pL\pN\pM_\s]"
_LEADING_PUNCT = rf"(^|\s)({_PUNCT}+|_+)"
_TRAILING_PUNCT = rf"({_PUNCT}+)(\s|$)"
# spaCy's English infixes: hyphens and commas between letters, = : < > / after a letter or
# digit and before a letter, a period between a lower-case and an upper-case letter.
_INFIX = r"(\pL)([-–—~,])(\pL)|([\pL\d])([:<>=/])(\pL)|(\p{Ll})(\.)(\p{Lu})"
_PUNCT_RUN = rf"^{_PUNCT}{{2,}}$"
_CLITIC = r"(\pL)(n't|'s|'re|'ll|'ve|'m|'d)(\s|$)"
_SPLITLINES = "\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"


@dataclass
class Split:
    """Pieces of every document, flattened: ``values[i]`` belongs to document ``parent[i]``."""

    values: pa.Array  # string
    parent: np.ndarray  # int64, non-decreasing
    n_docs: int

    @classmethod
    def from_lists(cls, lists: pa.Array, n_docs: int) -> "Split":
        return cls(lists.flatten(), pc.list_parent_indices(lists).to_numpy().astype(np.int64), n_docs)

    @cached_property
    def lengths(self) -> np.ndarray:
        return pc.utf8_length(self.values).to_numpy(zero_copy_only=False).astype(np.int64)

    @cached_property
    def counts(self) -> np.ndarray:
        """Pieces per document."""
        return np.bincount(self.parent, minlength=self.n_docs)

    def per_doc(self, weights) -> np.ndarray:
        """Sum of a per-piece quantity (bool or number) for each document."""
        return np.bincount(self.parent, weights=np.asarray(weights, dtype=np.float64), minlength=self.n_docs)

    def flags(self, pattern: str, ignore_case: bool = False) -> np.ndarray:
        return _np_bool(pc.match_substring_regex(self.values, pattern=pattern, ignore_case=ignore_case))

    def take(self, mask: np.ndarray) -> "Split":
        return Split(self.values.filter(pa.array(mask)), self.parent[mask], self.n_docs)

    @cached_property
    def repeated(self) -> np.ndarray:
        """True for a piece equal to an earlier piece of the same document (not its first occurrence)."""
        return repeated_within_docs(string_codes(self.values), self.parent)


def split_whitespace(strings) -> pa.Array:
    """``pc.utf8_split_whitespace`` of the strings with their trailing whitespace trimmed first.

    pyarrow 26.0.1's kernel, on the last string of a buffer ending in a multi-byte character and
    a space ("… é "), sometimes keeps the space in the last piece ("é ") depending on the bytes
    past the buffer's end: the same input gave different tokens from run to run (2 in 1,000)."""
    return pc.utf8_split_whitespace(pc.utf8_rtrim_whitespace(strings))


def _np_bool(arr) -> np.ndarray:
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False).astype(bool)


def string_codes(values: pa.Array) -> np.ndarray:
    """An integer id per distinct string (identity within this batch)."""
    enc = pc.dictionary_encode(values)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)


def _mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijection of uint64 that spreads every input bit."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def pair_ids(doc: np.ndarray, key: np.ndarray) -> np.ndarray:
    """A dense id per distinct (document, key) pair, numbered in order of first appearance.

    Arrow's hash-table dictionary encoding of one int64 per pair: linear time. Pairs whose parts
    fit in 32 bits are packed exactly; wider keys (n-gram hashes) are mixed with the document
    into one 64-bit hash, so two pairs of a batch share an id with probability ~n²/2^65, the odds
    ``ngram_keys`` already takes. (A 16-byte record per pair cost twice as much to encode.)
    """
    doc = doc.astype(np.uint64)
    key = key.astype(np.uint64)
    if len(key) and int(key.max()) < 2**32 and int(doc.max()) < 2**32:
        packed = (doc << np.uint64(32)) | key
    else:
        packed = _mix64(key ^ _mix64(doc + np.uint64(0x9E3779B97F4A7C15)))
    return pc.dictionary_encode(pa.array(packed.view(np.int64))).indices.to_numpy(zero_copy_only=False).astype(np.int64)


def repeated_within_docs(keys: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Mask of entries whose (document, key) pair occurred at an earlier position."""
    if len(keys) == 0:
        return np.zeros(0, dtype=bool)
    return seen_before(pair_ids(parent, keys))


def seen_before(ids: np.ndarray) -> np.ndarray:
    """For ids numbered by first appearance: True where the id appeared at an earlier position."""
    # a first appearance takes the next new id, so it exceeds every id before it
    seen_max = np.concatenate([[-1], np.maximum.accumulate(ids)[:-1]])
    return ids <= seen_max


def _split_punct_runs(split: Split) -> Split:
    """A run of punctuation (``)]``, ``.\"``) becomes one token per character, as spaCy's
    repeated prefix/suffix rules make it; an ellipsis (``...``) stays one token.

    A run holds no space, so its pieces are its code points: they are cut from the runs' UTF-8
    bytes at every byte that starts a code point and spliced in by one ``take``."""
    runs = split.flags(_PUNCT_RUN)
    if runs.any():
        at = np.flatnonzero(runs)
        runs[at[_np_bool(pc.match_substring_regex(split.values.take(pa.array(at)), pattern=r"^\.+$"))]] = False
    if not runs.any():
        return split
    run_tokens = split.values.filter(pa.array(runs))
    offsets = np.frombuffer(run_tokens.buffers()[1], dtype=np.int32)[run_tokens.offset:run_tokens.offset + len(run_tokens) + 1]
    data = np.frombuffer(run_tokens.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
    starts = np.flatnonzero((data & 0xC0) != 0x80).astype(np.int32)
    pieces = pa.StringArray.from_buffers(len(starts), pa.py_buffer(np.append(starts, np.int32(len(data)))),
                                         pa.py_buffer(data))
    per_token = np.ones(len(split.values), dtype=np.int64)
    per_token[runs] = np.diff(np.searchsorted(starts, offsets - offsets[0]))
    token = np.repeat(np.arange(len(split.values)), per_token)
    from_run = runs[token]
    source = token.copy()
    source[from_run] = len(split.values) + np.arange(len(starts))
    out = Split(pa.chunked_array([split.values, pieces]).take(pa.array(source)).combine_chunks(),
                split.parent[token], split.n_docs)
    if "lengths" in split.__dict__:
        out.__dict__["lengths"] = np.where(from_run, 1, split.lengths[token])
    return out


class TextView:
    """Lazily computed splits of a string column; every rule family reads what it needs."""

    def __init__(self, texts: pa.Array, tokens: str = "words"):
        if isinstance(texts, pa.ChunkedArray):
            texts = texts.combine_chunks()
        self.texts = pc.fill_null(texts.cast(pa.string()), "")
        self.n = len(self.texts)
        self.token_mode = tokens

    @cached_property
    def lengths(self) -> np.ndarray:
        """Characters (code points) per document, whitespace included (``len(text)``)."""
        return pc.utf8_length(self.texts).to_numpy(zero_copy_only=False).astype(np.int64)

    def count(self, substring: str) -> np.ndarray:
        """Non-overlapping occurrences of a literal per document (``str.count``)."""
        return pc.count_substring(self.texts, pattern=substring).to_numpy(zero_copy_only=False).astype(np.int64)

    def count_regex(self, pattern: str, ignore_case: bool = False) -> np.ndarray:
        return pc.count_substring_regex(self.texts, pattern=pattern, ignore_case=ignore_case).to_numpy(
            zero_copy_only=False).astype(np.int64)

    @cached_property
    def newline_lines(self) -> Split:
        """``text.split("\\n")`` (FineWeb quality)."""
        return Split.from_lists(pc.split_pattern(self.texts, pattern="\n"), self.n)

    @cached_property
    def splitlines(self) -> Split:
        """``text.splitlines()`` (Gopher quality, C4): no trailing empty line, none for ''."""
        trimmed = pc.replace_substring_regex(self.texts, pattern=f"(?:{_SPLITLINES})$", replacement="", max_replacements=1)
        lists = pc.split_pattern_regex(trimmed, pattern=_SPLITLINES)
        split = Split.from_lists(lists, self.n)
        empty_doc = (self.lengths == 0)[split.parent]  # ''.splitlines() is []
        return split.take(~empty_doc) if empty_doc.any() else split

    @cached_property
    def line_runs(self) -> Split:
        """``re.split("\\n+", text)`` (Gopher repetition lines)."""
        return Split.from_lists(pc.split_pattern_regex(self.texts, pattern="\n+"), self.n)

    @cached_property
    def paragraphs(self) -> Split:
        """``re.split(r"\\n{2,}", text.strip())`` (Gopher repetition paragraphs)."""
        stripped = pc.utf8_trim_whitespace(self.texts)
        return Split.from_lists(pc.split_pattern_regex(stripped, pattern=r"\n{2,}"), self.n)

    @cached_property
    def tokens(self) -> Split:
        """Words and punctuation tokens (see the module docstring)."""
        t = self.texts
        if self.token_mode == "cjk_chars":
            t = pc.replace_substring_regex(t, pattern=f"({CJK})", replacement=r" \1 ")
        else:
            t = pc.replace_substring_regex(t, pattern=_CLITIC, replacement=r"\1 \2\3")
            t = pc.replace_substring_regex(t, pattern=_INFIX, replacement=r"\1\4\7 \2\5\8 \3\6\9")
        t = pc.replace_substring_regex(t, pattern=_LEADING_PUNCT, replacement=r"\1\2 ")
        t = pc.replace_substring_regex(t, pattern=_TRAILING_PUNCT, replacement=r" \1\2")
        split = Split.from_lists(split_whitespace(t), self.n)
        nonempty = split.lengths > 0
        split = split if nonempty.all() else split.take(nonempty)
        return _split_punct_runs(split)

    @cached_property
    def token_dictionary(self) -> tuple[np.ndarray, pa.Array]:
        """(code per token, the batch's distinct tokens): ``dictionary[code]`` is the token."""
        enc = pc.dictionary_encode(self.tokens.values)
        return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary

    @property
    def token_codes(self) -> np.ndarray:
        """An id per distinct token of the batch: equal ids, equal tokens (n-gram identity)."""
        return self.token_dictionary[0]

    def token_flags(self, pattern: str) -> np.ndarray:
        """``tokens.flags(pattern)``, matched once per distinct token (a batch's tokens repeat:
        the distinct ones are a fraction of them) and spread by code."""
        codes, dictionary = self.token_dictionary
        return _np_bool(pc.match_substring_regex(dictionary, pattern=pattern))[codes]


_NGRAM_MULT = np.uint64(1_000_003)


def extend_keys(key: np.ndarray, next_codes: np.ndarray) -> np.ndarray:
    """The keys of n-grams one token longer: ``ngram_keys``' polynomial, one more step."""
    with np.errstate(over="ignore"):
        return key * _NGRAM_MULT + (next_codes.astype(np.uint64) + np.uint64(1))


def ngram_keys(codes: np.ndarray, parent: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Hash of every token n-gram that lies inside one document: (start positions, keys).

    A polynomial hash over batch-wide token ids (uint64 arithmetic wraps); two different
    n-grams of one document collide with probability ~2^-64.
    """
    total = len(codes)
    if total < n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    starts = np.arange(total - n + 1)
    inside = parent[starts] == parent[starts + n - 1]
    starts = starts[inside]
    key = np.zeros(len(starts), dtype=np.uint64)
    for k in range(n):
        key = extend_keys(key, codes[starts + k])
    return starts, key


def subset_view(view: TextView, rows: np.ndarray) -> TextView:
    """The view of documents ``rows`` (sorted positions), reusing every split already computed."""
    sub = TextView(view.texts.take(pa.array(rows)), tokens=view.token_mode)
    remap = np.full(view.n, -1, dtype=np.int64)
    remap[rows] = np.arange(len(rows))
    for name in ("newline_lines", "splitlines", "line_runs", "paragraphs", "tokens"):
        split = view.__dict__.get(name)
        if split is None:
            continue
        keep = remap[split.parent] >= 0
        piece = Split(split.values.filter(pa.array(keep)), remap[split.parent[keep]], len(rows))
        if "lengths" in split.__dict__:
            piece.__dict__["lengths"] = split.lengths[keep]
        sub.__dict__[name] = piece
        if name == "tokens" and "token_dictionary" in view.__dict__:
            codes, dictionary = view.token_dictionary  # codes stay ids into the batch's dictionary
            sub.__dict__["token_dictionary"] = (codes[keep], dictionary)
    if "lengths" in view.__dict__:
        sub.__dict__["lengths"] = view.lengths[rows]
    return sub
