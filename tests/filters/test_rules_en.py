"""Every English rule on crafted documents on both sides of its published threshold."""
import pytest

from tests.filters.docs import EN_BASE, EN_SENTENCES, VOCAB, words
from tests.filters.helpers import assert_sides


def lines(items):
    return "\n".join(items)


SENT = EN_SENTENCES
FILLER = "\n".join(SENT)  # 8 distinct lines ending in a period

CASES = [
    # Gopher quality
    ("gopher.min_words", words(50), words(49)),
    ("gopher.min_mean_word_length", " ".join(["cat"] * 60), " ".join(["cat"] * 59 + ["at"])),
    ("gopher.max_mean_word_length", " ".join(["abcdefghij"] * 60), " ".join(["abcdefghij"] * 59 + ["abcdefghijk"])),
    ("gopher.hash_ratio", EN_BASE + " #tag" * 5, EN_BASE + " #tag" * 40),
    ("gopher.ellipsis_ratio", EN_BASE + " and so on…" * 5, EN_BASE + " …" * 40),
    ("gopher.bullet_lines", lines(["Intro line of the list."] + [f"- item {w}" for w in VOCAB[:9]]),
     lines([f"- item {w}" for w in VOCAB[:10]])),
    ("gopher.ellipsis_lines", lines([s[:-1] + "..." for s in SENT[:3]] + SENT[3:] + ["Closing words of the page."] * 0 + ["Two more lines here.", "And the end."]),
     lines([s[:-1] + "..." for s in SENT[:4]] + SENT[4:] + ["Two more lines here.", "And the end."])),
    ("gopher.alpha_words", words(80) + " " + " ".join(["1234"] * 20), words(79) + " " + " ".join(["1234"] * 21)),
    ("gopher.stop_words", words(60) + " the of", words(60) + " the"),
    # Gopher repetition
    ("gopher.dup_para_frac", "\n\n".join(SENT[:7] + SENT[:3]), "\n\n".join(SENT[:6] + SENT[:4])),
    ("gopher.dup_para_char_frac", "\n\n".join(SENT + SENT[:1]), "\n\n".join(SENT + SENT[:3])),
    ("gopher.dup_line_frac", lines(SENT[:7] + SENT[:3]), lines(SENT[:6] + SENT[:4])),
    ("gopher.dup_line_char_frac", lines(SENT + SENT[:1]), lines(SENT + SENT[:3])),
    ("gopher.top_2gram_char_frac", EN_BASE + " click here" * 10, EN_BASE + " click here" * 60),
    ("gopher.top_3gram_char_frac", EN_BASE + " buy it now" * 8, EN_BASE + " buy it now" * 50),
    ("gopher.top_4gram_char_frac", EN_BASE + " read the full story" * 6, EN_BASE + " read the full story" * 40),
    ("gopher.dup_5gram_char_frac", EN_BASE + " " + SENT[0], EN_BASE + " " + " ".join(SENT[:3])),
    ("gopher.dup_10gram_char_frac", EN_BASE + " " + SENT[0], EN_BASE + " " + " ".join(SENT[:3])),
    # C4
    ("c4.lorem_ipsum", EN_BASE + "\nLorem ipsum dolor sit amet", EN_BASE + "\nLorem ipsum dolor sit amet, consectetur."),
    ("c4.curly_bracket", EN_BASE + "\nfunction main() {", EN_BASE + "\nWrite {name} in the template here."),
    ("c4.min_sentences", " ".join(SENT[:5]), " ".join(SENT[:4])),
    # FineWeb
    ("fineweb.line_punct_ratio", lines(SENT[:6] + [f"heading number {w}" for w in VOCAB[:44]]),
     lines(SENT[:5] + [f"heading number {w}" for w in VOCAB[:45]])),
    ("fineweb.short_line_ratio", lines([f"short line {i}." for i in range(67)] + [f"{s} ({i})" for i, s in enumerate((SENT * 5)[:33])]),
     lines([f"short line {i}." for i in range(68)] + [f"{s} ({i})" for i, s in enumerate((SENT * 5)[:32])])),
    ("fineweb.char_dup_ratio", EN_BASE + "\nOk.\nOk.", EN_BASE + "\nA repeated line.\nA repeated line."),
    ("fineweb.list_ratio", lines(f"{VOCAB[i]} {VOCAB[i + 1]} {VOCAB[i + 2]}." for i in range(0, 30, 3)),
     lines(f"{VOCAB[i]}." for i in range(0, 30, 3))),
    # general
    ("general.min_chars", "abcdefghij klmnopqrst", "abcdefghij klmnopqrs"),
    ("general.digit_ratio", "abcdefghij 1234", "abcdefghij 12345678901234567"),
    ("general.symbol_ratio", EN_BASE + " !!", EN_BASE + " " + "!?-=+*" * 200),
]


@pytest.mark.parametrize("rule,passing,failing", CASES, ids=[c[0] for c in CASES])
def test_rule_both_sides(judge, rule, passing, failing):
    assert_sides(judge, rule, "en", passing, failing)


def test_max_words_at_the_published_bound(judge):
    assert_sides(judge, "gopher.max_words", "en", words(100_000), words(100_001))


def test_max_chars(judge):
    assert_sides(judge, "general.max_chars", "en", "a" * 1_000_000, "a" * 1_000_001)


def test_language_score_and_allow_list(judge):
    values, fails, _ = judge([EN_BASE, EN_BASE], "en", "general.lang_score")
    assert not fails.any() and values[0] == pytest.approx(0.95)
    _, fails, _ = judge([EN_BASE], "en", "general.lang_score", lang_score=0.5)
    assert fails.all()  # FineWeb's 0.65 for English
    _, fails, _ = judge([EN_BASE], "en", "general.lang_allowed", {"languages": {"allow": ["en", "zh"]}})
    assert not fails.any()
    _, fails, _ = judge([EN_BASE], "de", "general.lang_allowed", {"languages": {"allow": ["en", "zh"]}})
    assert fails.all()


def test_clean_prose_passes_every_english_rule():
    from refinery.config import load_config
    from refinery.filters.config import CleanConfig
    from refinery.filters.evaluate import evaluate
    from tests.filters.helpers import documents

    d = evaluate(documents([EN_BASE], "en"), load_config(None, CleanConfig), measure_all=True)
    assert d.reason[0] is None, (d.reason[0], d.value[0], d.threshold[0])
    assert len(d.values) >= 35  # every en rule was measured
