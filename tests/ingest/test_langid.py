"""Language id with the bundled lid.176.ftz, and the script ratios."""

import os

import pyarrow as pa
import pytest

from refinery.ingest.langid import default_model_path, identify_language, load_langid_model
from refinery.ingest.script_ratios import script_ratios


@pytest.fixture(scope="module")
def model():
    return load_langid_model()


def test_default_model_path():
    path = default_model_path()
    assert path.endswith("lid.176.ftz")
    assert os.path.isfile(path)


TEXTS = [
    "The quick brown fox jumps over the lazy dog.\nIt was a sunny morning in London.",
    "我们今天去北京的公园散步，天气非常好。\n下午还去了图书馆看书。",
    "我們今天去臺北的公園散步，天氣非常好。\n下午還去了圖書館看書。",
    "Le chat est assis sur le tapis et regarde la pluie tomber dans le jardin.",
    "",
    None,
    " \n\t ",
]


def test_identify_language(model):
    langs, scores = identify_language(model, pa.array(TEXTS))
    assert langs.type == pa.string() and scores.type == pa.float32()
    assert langs.to_pylist() == ["en", "zh", "zh", "fr", "und", "und", "und"]
    for score in scores.to_pylist()[:4]:
        assert 0.8 < score <= 1.0
    assert scores.to_pylist()[4:] == [0.0, 0.0, 0.0]


def test_list_and_chunked_input_agree(model):
    expected = identify_language(model, pa.array(TEXTS))
    assert identify_language(model, TEXTS)[0].equals(expected[0])
    chunked = pa.chunked_array([pa.array(TEXTS[:3]), pa.array(TEXTS[3:])])
    langs, scores = identify_language(model, chunked)
    assert langs.equals(expected[0]) and scores.equals(expected[1])


def test_code_gets_a_label_but_no_confident_one(model):
    # lid.176 has no "code" class: Python comes out as some natural language, with a lower
    # score than prose. Code routing must not rely on this label.
    code = "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n"
    langs, scores = identify_language(model, [code, TEXTS[0]])
    assert langs[0].as_py() != "und"
    assert scores[0].as_py() < scores[1].as_py()


def test_max_chars_cuts_input(model):
    text = "This sentence is plainly written in English. " * 3 + "这是中文。" * 200
    assert identify_language(model, [text], max_chars=100)[0].to_pylist() == ["en"]
    assert identify_language(model, [text], max_chars=2000)[0].to_pylist() == ["zh"]


def test_empty_batch(model):
    langs, scores = identify_language(model, [])
    assert len(langs) == 0 and len(scores) == 0


def test_script_ratios_exact():
    texts = pa.array(
        [
            "中文，测试。",  # 6 CJK incl. fullwidth comma and ideographic full stop
            "Hello 世界 123",  # 5 Latin, 2 Han, 3 digits; 10 non-space
            "カタカナー・ひらがな 한국어",  # kana with U+30FC/U+30FB, hiragana, Hangul
            "ＡＢ１２，",  # fullwidth letters are Latin, fullwidth digits are digits
            "café\u3000déjà\u00a0vu",  # U+3000 and NBSP are whitespace
            "",
            None,
        ]
    )
    ratios = script_ratios(texts)
    assert ratios["char_count"].type == pa.int64()
    assert ratios["char_count"].to_pylist() == [6, 10, 13, 5, 10, 0, 0]
    for key in ("cjk_ratio", "latin_ratio", "digit_ratio"):
        assert ratios[key].type == pa.float32()
    as_f32 = lambda values: pa.array(values, pa.float32()).to_pylist()  # noqa: E731
    assert ratios["cjk_ratio"].to_pylist() == as_f32([1.0, 0.2, 1.0, 0.2, 0.0, 0.0, 0.0])
    assert ratios["latin_ratio"].to_pylist() == as_f32([0.0, 0.5, 0.0, 0.4, 1.0, 0.0, 0.0])
    assert ratios["digit_ratio"].to_pylist() == as_f32([0.0, 0.3, 0.0, 0.4, 0.0, 0.0, 0.0])


def test_script_ratios_whitespace_matches_str_isspace():
    spaces = "".join(chr(c) for c in range(0x3100) if chr(c).isspace())
    assert script_ratios([spaces + "x"])["char_count"].to_pylist() == [1]
