"""normalize_text: exact outputs for each rule."""

import pyarrow as pa
import pytest

from refinery.ingest.normalize import normalize_text

CASES = [
    # ANSI colours, cursor moves, OSC title, two-byte escape
    ("\x1b[1;31mRed\x1b[0m and \x1b[2Kplain", "Red and plain"),
    ("\x1b]0;window title\x07ok\x1bM!", "ok!"),
    # line endings
    ("a\r\nb\rc\nd", "a\nb\nc\nd"),
    ("page one\x0cpage two\u2028three", "page one\npage two\nthree"),
    # control characters, tab and newline kept
    ("a\x00b\x07c\x7fd\x85e\tf", "abcde\tf"),
    # zero-width space, word joiner and BOM removed; ZWNJ/ZWJ kept (Persian, emoji)
    ("zero\u200bwidth\ufeff word\u2060joined", "zerowidth wordjoined"),
    ("می\u200cخواهم 👨\u200d👩", "می\u200cخواهم 👨\u200d👩"),
    # runs of spaces inside a line collapse; indentation and single tabs stay
    ("a  b\t\tc \t d", "a b c d"),
    ("def f():\n    return  1\n\tx = 2", "def f():\n    return 1\n\tx = 2"),
    ("wide\u3000\u3000space\u00a0\u00a0nbsp\u00a0single", "wide space nbsp\u00a0single"),
    # trailing spaces per line, whitespace-only lines become empty
    ("end   \nnext\t\n   \nlast  ", "end\nnext\n\nlast"),
    # 3+ newlines become one blank line; paragraph breaks stay
    ("p1\n\n\n\n\np2\n\np3\n \n \n\np4", "p1\n\np2\n\np3\n\np4"),
    # whole text trimmed
    ("  \n\n  hello  \n\n", "hello"),
    # U+FFFD kept
    ("bad \ufffd byte", "bad \ufffd byte"),
    ("", ""),
    (None, None),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_rules(text, expected):
    assert normalize_text(pa.array([text], pa.string())).to_pylist() == [expected]


def test_whole_column_and_chunked_input():
    texts = [text for text, _ in CASES]
    expected = [out for _, out in CASES]
    assert normalize_text(pa.array(texts, pa.string())).to_pylist() == expected
    chunked = pa.chunked_array([pa.array(texts[:5], pa.string()), pa.array(texts[5:], pa.string())])
    result = normalize_text(chunked)
    assert isinstance(result, pa.Array)
    assert result.to_pylist() == expected


def test_nfkc_is_optional():
    text = pa.array(["Ｈｅｌｌｏ\u3000ｗｏｒｌｄ １２３ ﬁne"])
    assert normalize_text(text).to_pylist() == ["Ｈｅｌｌｏ\u3000ｗｏｒｌｄ １２３ ﬁne"]
    assert normalize_text(text, nfkc=True).to_pylist() == ["Hello world 123 fine"]


def test_large_string_type_is_kept():
    result = normalize_text(pa.array(["a  b"], pa.large_string()))
    assert result.type == pa.large_string()
    assert result.to_pylist() == ["a b"]


# --------------------------------------------------------------------------- rows skipped by a group
# normalize_text runs a group of passes only on the rows one combined scan says can match. The
# oracle: every pass of normalize._RULES on every row, in order (the plain definition).

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import pyarrow.compute as pc  # noqa: E402

from refinery.ingest import normalize as N  # noqa: E402


def every_pass_on_every_row(texts: pa.Array) -> pa.Array:
    for pattern, replacement in N._RULES:
        texts = pc.replace_substring_regex(texts, pattern=pattern, replacement=replacement)
    return pc.utf8_trim_whitespace(texts)


# Each special character of the rules, the ones a pass can bring together (a control character
# between two spaces, \r between newlines), and plain text.
_ALPHABET = st.sampled_from(list("ab 中\n\t\r\x0b\x0c\x1b[]m0;\x07\\\x00\x7f\x85") +
                            ["\u00a0", "\u3000", "\u2028", "\u2029", "\u200b", "\u2060", "\ufeff", "\u200d", "\ufffd",
                             "\x1b[1;31m", "\x1b]0;t\x07", "  ", "\n\n\n", "word "])
_TEXT = st.lists(_ALPHABET, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _TEXT), min_size=1, max_size=12), st.booleans())
def test_skipping_rows_that_cannot_match_changes_nothing(texts, large):
    arr = pa.array(texts, pa.large_string() if large else pa.string())
    assert normalize_text(arr).to_pylist() == every_pass_on_every_row(arr).to_pylist()


def test_skipping_rows_changes_nothing_on_real_extracted_pages(real_slice):
    """The slice's HTML pages as our extractor gives them (before normalisation), its code and
    text files as read, and fifty of them with a carriage return, a control character and a BOM
    put in the middle."""
    from refinery.ingest.html_text import extract_main_text

    contents = [c.decode("utf-8", "replace") if isinstance(c, bytes) else c for c in real_slice.column("content").to_pylist()]
    texts = [extract_main_text(c, "resiliparse") if k == "html" else c
             for k, c in zip(real_slice.column("kind").to_pylist(), contents)]
    texts += [t[: len(t) // 2] + "\r\n\x07\ufeff  \n\n\n" + t[len(t) // 2:] for t in texts[::20]]
    arr = pa.array(texts, pa.string())
    assert normalize_text(arr).to_pylist() == every_pass_on_every_row(arr).to_pylist()
