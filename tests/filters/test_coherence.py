"""coherence.term_recurrence: computed batch-wide with Arrow, against a plain per-line definition
(``unicodedata`` letter categories and script names, ``collections.Counter``); then on real pages
of the corpus slice (kept: people wrote them) and on spun text made from those pages by the
negative generator (rejected: the generator is the oracle, every page it writes is spun)."""
import collections
import random
import unicodedata

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refinery.config import load_config
from refinery.filters import coherence
from refinery.filters.config import CleanConfig
from refinery.filters.evaluate import row_thresholds
from refinery.filters.text_view import TextView
from refinery.scoring.negatives import MarkovSpinner

RULE = "coherence.term_recurrence"
SPACELESS = ("CJK UNIFIED", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN")


def _is_word_char(c: str) -> bool:
    return unicodedata.category(c).startswith("L") and not unicodedata.name(c, "").startswith(SPACELESS)


def plain_recurrence(text: str) -> float:
    """The rule's definition, one line at a time."""
    judged = recurring = 0
    for line in text.split("\n"):
        words, word = [], ""
        for c in line.lower() + " ":
            if _is_word_char(c):
                word += c
            else:
                if len(word) >= coherence.MIN_LETTERS:
                    words.append(word[:coherence.STEM_CHARS])
                word = ""
        if len(words) < coherence.MIN_WORDS:
            continue
        counts = collections.Counter(words)
        judged += len(words)
        recurring += sum(n for n in counts.values() if n >= 2)
    return recurring / judged if judged else float("nan")


def measured(texts):
    return coherence.measure(TextView(pa.array(texts, pa.string())), None)[RULE]


# stems shared by inflected forms, short words, Cyrillic and accented Latin, Han and Thai runs,
# digits and underscores inside words
VOCAB = ["paquete", "paquetes", "install", "installation", "the", "of", "Datenbank", "Datenbanken",
         "документ", "документа", "plików", "plikach", "Überblick", "crème", "configuration", "cache",
         "数据库管理系统", "ภาษาไทยง่าย", "snake_case_name", "abc123defgh", "e-mail", "naïveté", "NAÏVETÉ", "x"]
WORDS = st.lists(st.sampled_from(VOCAB) | st.text(alphabet="abcdéжя中_1 .", min_size=1, max_size=9), max_size=90)
SEPARATORS = st.sampled_from([" ", ", ", "  ", " 42 ", "—", "\t"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.tuples(WORDS, SEPARATORS), max_size=3), min_size=1, max_size=6))
def test_measure_equals_the_plain_definition(docs):
    texts = ["\n".join(sep.join(words) for words, sep in lines) for lines in docs]
    got, want = measured(texts), [plain_recurrence(t) for t in texts]
    np.testing.assert_allclose(got, want, equal_nan=True)


def test_short_paragraphs_are_not_measured():
    """An anthology of short pieces (a dictionary, quotations) is unrelated by form: no paragraph
    of 40 content words, no value, never a rejection."""
    entry = "CYNIC, n.  A blackguard whose faulty vision sees things as they are, not as they ought to be."
    assert np.isnan(measured(["\n\n".join([entry] * 30)])[0])


def test_the_rule_is_on_for_documentation_and_code_only():
    """Off in every language profile; the documentation, ads/spam and code categories switch it
    on; literature and uncategorised pages are not judged; a user's null switches it off again."""
    cfg = load_config(None, CleanConfig)
    assert all(RULE not in p.thresholds for p in cfg.resolved.values())
    cats = np.array(["markdown_docs", "code", "ads_spam", "literature", "forum_qa", None], dtype=object)
    thr = row_thresholds(cfg, cfg.resolved["en"], cats, np.arange(len(cats)))[RULE]
    assert (thr[:3] > 0).all() and np.isnan(thr[3:]).all()
    assert RULE not in row_thresholds(cfg, cfg.resolved["en"], None, np.arange(3))
    off = load_config(None, CleanConfig, {"categories": {"markdown_docs": {RULE: None}}})
    assert np.isnan(row_thresholds(off, off.resolved["zh"], cats[:1], np.arange(1))[RULE]).all()


@pytest.fixture(scope="module")
def slice_pages(real_slice):
    """Documentation, man pages and source files of the slice (HTML pages and installed sources)."""
    return [t for t, s in zip(real_slice.column("text").to_pylist(), real_slice.column("source").to_pylist())
            if s in ("debian-handbook", "postgresql-doc-15", "perl-doc", "emacs-common") or s.startswith("python:")]


def test_real_documentation_and_code_pass(slice_pages):
    """On the whole real corpus 1.5% of the handbook's pages fall below 0.2 (BENCHMARKS.md). Man
    pages, POD and source files are hard-wrapped or short-lined: they have no paragraph to judge."""
    values = measured(slice_pages)
    threshold = load_config(None, CleanConfig).categories["markdown_docs"][RULE]
    judged = ~np.isnan(values)
    assert judged.sum() >= 200, "the slice's pages have long paragraphs to judge"
    assert (values[judged] < threshold).mean() <= 0.03, np.sort(values[judged])[:20]


def test_spun_pages_fail(real_slice):
    """Spun from the slice's HTML manuals. Spun from a pool with source code in it the rule catches
    fewer (a third of them on the slice): identifiers recur wherever the walk goes."""
    manuals = [t for t, s in zip(real_slice.column("text").to_pylist(), real_slice.column("source").to_pylist())
               if s in ("debian-handbook", "postgresql-doc-15")]
    rng = random.Random(3)
    spinner = MarkovSpinner(rng.sample(manuals, 200))
    spun = [spinner.spin(rng, rng.randint(80, 400)) for _ in range(300)]
    values = measured(spun)
    threshold = load_config(None, CleanConfig).categories["markdown_docs"][RULE]
    judged = ~np.isnan(values)
    assert judged.mean() >= 0.8
    assert (values[judged] < threshold).mean() >= 0.5, np.percentile(values[judged], [10, 50, 90])


def test_inspect_marks_the_paragraphs_that_were_judged(real_slice):
    """``refinery inspect`` on a spun page marks its long paragraph, not its short lines."""
    from refinery.inspect import triggering_lines

    manuals = [t for t, s in zip(real_slice.column("text").to_pylist(), real_slice.column("source").to_pylist())
               if s == "postgresql-doc-15"]
    rng = random.Random(5)
    spun = MarkovSpinner(manuals).spin(rng, 300)
    text = "\n".join(["Home", "Products", spun, "Contact us"])
    row = {"reason": RULE, "text": text, "lang": "en", "detail": "profile=en"}
    lines = triggering_lines(row, {"run": {"config": {"resolved": {"en": {"tokens": "words"}}}}})
    assert lines == [("Home", False), ("Products", False), (spun, True), ("Contact us", False)]
