"""fastText's input text: newlines become spaces and other whitespace runs are left as they are.
Oracle: the definition it replaced (every whitespace run collapsed to one space), which reads the
same words; both shipped fastText models must give identical labels and probabilities."""
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from refinery.scoring.fasttext_model import prepare_text

EDGES = ["a\r\nb\tc\x0bd\x0c e  \u00a0 f\u3000g", "\n\n  x \n", "", "中文\n测试 \t 文本", " \u00a0lead", "tail\u00a0 \n"]


def collapsed(texts, max_chars=4000):
    arr = pc.utf8_lower(pc.utf8_slice_codeunits(pc.fill_null(texts, ""), 0, max_chars))
    arr = pc.replace_substring_regex(pc.replace_substring_regex(arr, r"(\p{Han})", r" \1 "), r"\s+", " ")
    return pc.utf8_trim_whitespace(arr).to_pylist()


@pytest.mark.parametrize("model", ["models/domain.ftz", "models/quality.ftz"])
def test_predictions_equal_those_of_collapsed_whitespace(real_slice, model):
    import fasttext

    texts = pa.concat_arrays([real_slice.column("text").combine_chunks(), pa.array(EDGES)])
    ours = prepare_text(texts)
    assert not any("\n" in t for t in ours)  # one line each: text after a newline would be ignored
    m = fasttext.load_model(model)
    want_labels, want_probs = m.f.multilinePredict(collapsed(texts), 2, 0.0, "replace")
    got_labels, got_probs = m.f.multilinePredict(ours, 2, 0.0, "replace")
    assert got_labels == want_labels
    assert all(np.array_equal(a, b) for a, b in zip(got_probs, want_probs))
