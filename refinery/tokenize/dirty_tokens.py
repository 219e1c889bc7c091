"""Find dirty tokens in a learned byte-level BPE vocabulary.

Practitioner note 000 ("Tokenizer", item 3): the leaked GPT-4o vocabulary held many Chinese
gambling and porn tokens learned from spam pages; remove such tokens by hand before the
vocabulary is final. A token is dirty when its text

* contains a word of the shipped list (``data/dirty_words.txt``: gambling, porn, spam terms),
* is a long URL fragment (``http``, ``://``, ``www.``, a domain suffix, with ≥ ``min_url_chars``
  characters): URLs are better spelled from pieces than memorised,
* is a run of one punctuation character (``!!!!``, ``----``, ``。。。。``) of ≥ ``min_punct_run``.
"""
from __future__ import annotations

import functools
import re

URL_MARKERS = re.compile(r"https?|://|www\.|\.(com|cn|net|org|biz|info|html?|php|asp)\b", re.IGNORECASE)


@functools.lru_cache(maxsize=None)
def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte → printable character map, the alphabet of byte-level BPE tokens."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


@functools.lru_cache(maxsize=None)
def _unicode_to_bytes() -> dict[str, int]:
    return {c: b for b, c in bytes_to_unicode().items()}


def token_text(token: str) -> str:
    """The text a byte-level token stands for (partial UTF-8 sequences are dropped)."""
    table = _unicode_to_bytes()
    raw = bytes(table[c] for c in token if c in table)
    return raw.decode("utf-8", errors="ignore")


def load_dirty_words(path: str | None = None) -> list[str]:
    """The shipped list (read through the package, so it is found in a ``--py-files`` zip too), or ``path``."""
    if path is None:
        from importlib.resources import files

        text = files(__package__).joinpath("data", "dirty_words.txt").read_text(encoding="utf-8")
    else:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    return [w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#")]


class DirtyTokenRules:
    def __init__(self, words: list[str] | None = None, min_url_chars: int = 6, min_punct_run: int = 4):
        self.words = load_dirty_words() if words is None else [w.lower() for w in words]
        self.min_url_chars = min_url_chars
        self._punct_run = re.compile(r"([^\w\s])\1{%d,}" % (min_punct_run - 1))
        self._words = re.compile("|".join(re.escape(w) for w in sorted(self.words, key=len, reverse=True))) \
            if self.words else None

    def reason(self, text: str) -> str | None:
        """Why a token's text is dirty (``dirty_word`` / ``url`` / ``punct_run``), or None."""
        lowered = text.lower()
        if self._words is not None and self._words.search(lowered):
            return "dirty_word"
        stripped = lowered.strip()
        if len(stripped) >= self.min_url_chars and URL_MARKERS.search(stripped):
            return "url"
        if self._punct_run.search(text):
            return "punct_run"
        return None

    def find(self, tokens: list[str]) -> dict[str, str]:
        """byte-level token → reason, for every dirty token of ``tokens``."""
        out = {}
        for tok in tokens:
            why = self.reason(token_text(tok))
            if why:
                out[tok] = why
        return out
