"""Every Chinese rule on crafted documents on both sides of its threshold (FineWeb-2 cmn_Hani
values over character n-grams, and the practitioner rules of refinery/filters/chinese.py)."""
import pytest

from tests.filters.docs import ZH_BASE, ZH_SENTENCES
from tests.filters.helpers import assert_sides

FILL = "天地玄黄宇宙洪荒辰宿列张寒来暑往秋收冬藏闰余成岁律吕调阳"  # no stop characters, no keywords
S = ZH_SENTENCES


def fill(k: int) -> str:
    return (FILL * (k // len(FILL) + 1))[:k]


CASES = [
    ("zh.cjk_ratio", "中文字" + "abcdefg", "中文" + "abcdefgh"),
    ("zh.min_chars", fill(100), fill(99)),
    ("zh.avg_line_length", "\n".join([fill(10)] * 5), "\n".join([fill(9)] * 5)),
    ("zh.dirty_density", "赌博" * 3 + fill(994), "赌博" * 4 + fill(992)),
    ("zh.url_density", "http" * 5 + fill(980), "http" * 6 + fill(976)),
    ("gopher.stop_words", fill(80) + "的是", fill(80) + "的"),
    ("gopher.dup_line_frac", "\n".join(S[:8] + S[:2]), "\n".join(S[:7] + S[:3])),
    ("gopher.top_2gram_char_frac", ZH_BASE + "点击" * 10, ZH_BASE + "点击" * 60),
    ("gopher.dup_5gram_char_frac", ZH_BASE + S[0], ZH_BASE + "".join(S[:3])),
    ("gopher.alpha_words", fill(75) + " 1" * 25, fill(73) + " 1" * 27),
    ("fineweb.line_punct_ratio", "\n".join(S + ["结尾。"] * 3 + [fill(20)] * 89),
     "\n".join(S[:7] + ["结尾。"] * 3 + [fill(20)] * 90)),
    ("fineweb.list_ratio", "\n".join([fill(5) + "。"] * 10), "\n".join([fill(4) + "。"] * 10)),
]


@pytest.mark.parametrize("rule,passing,failing", CASES, ids=[c[0] for c in CASES])
def test_rule_both_sides(judge, rule, passing, failing):
    assert_sides(judge, rule, "zh", passing, failing)


def test_news_mentioning_gambling_once_passes_but_spam_fails(judge):
    news = ZH_BASE + "\n警方近日破获一起网络赌博案件，涉案人员已被依法刑事拘留。"
    spam = "澳门赌场真人荷官百家乐，网赌首存返水，六合彩特码，加微信开户送彩金！\n" * 3 + ZH_BASE
    values, fails, _ = judge([news, spam], "zh", "zh.dirty_density")
    assert not fails[0] and fails[1], values


def test_clean_chinese_prose_passes_every_rule():
    from refinery.config import load_config
    from refinery.filters.config import CleanConfig
    from refinery.filters.evaluate import evaluate
    from tests.filters.helpers import documents

    d = evaluate(documents([ZH_BASE], "zh"), load_config(None, CleanConfig), measure_all=True)
    assert d.reason[0] is None, (d.reason[0], d.value[0], d.threshold[0])
    assert d.profile[0] == "zh" and "zh.dirty_density" in d.values and "c4.min_sentences" not in d.values
