"""count_replacement_chars (refinery/ingest/documents.py) against Python's str.count, the oracle:
the batch-wide byte search that skips the per-row count must never skip a row that has one."""
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from refinery.ingest.documents import count_replacement_chars

_TEXT = st.text(alphabet=st.sampled_from(["a", "中", "\ufffd", "\uffef", "\uefbf", "\n", "é"]), max_size=20)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), _TEXT), min_size=1, max_size=10), st.integers(0, 3), st.booleans())
def test_counts_equal_str_count(texts, offset, large):
    arr = pa.array(texts, pa.large_string() if large else pa.string()).slice(min(offset, len(texts) - 1))
    expected = [(t or "").count("\ufffd") for t in arr.to_pylist()]
    assert count_replacement_chars(arr).to_pylist() == expected


def test_a_page_without_any_and_one_with_many():
    arr = pa.array(["plain page " * 100, None, "bad \ufffd\ufffd bytes \ufffd"])
    assert count_replacement_chars(arr).to_pylist() == [0, 0, 3]
    assert count_replacement_chars(arr.slice(0, 2)).to_pylist() == [0, 0]  # the buffer holds row 3's bytes
