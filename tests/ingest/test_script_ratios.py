"""script_ratios counts through a code-point table; the oracle is what the table replaced:
RE2 scanning each text for each class (``count_substring_regex``) and dividing the same way."""
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from refinery.ingest.script_ratios import CJK, DIGIT, LATIN, WHITESPACE, script_ratios


def by_regex(texts: pa.Array) -> dict:
    texts = pc.fill_null(texts, "")
    count = {k: pc.count_substring_regex(texts, pattern=p).to_numpy(zero_copy_only=False).astype(np.int64)
             for k, p in (("ws", WHITESPACE), ("cjk", CJK), ("latin", LATIN), ("digit", DIGIT))}
    chars = pc.utf8_length(texts).to_numpy(zero_copy_only=False).astype(np.int64) - count["ws"]
    ratio = {k: (count[k] / np.maximum(chars, 1)).astype(np.float32).tolist() for k in ("cjk", "latin", "digit")}
    return {"char_count": chars.tolist(), "cjk_ratio": ratio["cjk"], "latin_ratio": ratio["latin"],
            "digit_ratio": ratio["digit"]}


def as_lists(ratios: dict) -> dict:
    return {k: v.to_pylist() for k, v in ratios.items()}


# every plane, every category but surrogates (not valid UTF-8), weighted toward CJK, Latin and spaces
TEXT = st.text(st.one_of(st.characters(exclude_categories=("Cs",)),
                         st.characters(min_codepoint=0x3000, max_codepoint=0x9FFF),
                         st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF),
                         st.sampled_from(" \t\n\u00a0\u3000\u2028\u0085")), max_size=60)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), TEXT), max_size=12), st.integers(0, 3))
def test_counts_equal_the_regex_scans(texts, cut):
    arr = pa.array(texts, pa.string())
    assert as_lists(script_ratios(arr)) == by_regex(arr)
    # a slice (non-zero offset into the buffers) and a chunked column give the same as a fresh copy
    part = arr.slice(min(cut, len(arr)))
    assert as_lists(script_ratios(part)) == by_regex(pa.array(part.to_pylist(), pa.string()))
    chunked = pa.chunked_array([arr.slice(0, cut), arr.slice(cut)], pa.string())
    assert as_lists(script_ratios(chunked)) == by_regex(arr)


def test_real_slice_equals_the_regex_scans(real_slice):
    texts = real_slice.column("text").combine_chunks()
    assert as_lists(script_ratios(texts)) == by_regex(texts)


def test_large_string_input():
    texts = pa.array(["中文 abc ١٢٣", None, ""], pa.large_string())
    assert as_lists(script_ratios(texts)) == by_regex(texts.cast(pa.string()))
