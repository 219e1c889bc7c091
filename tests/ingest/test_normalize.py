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
