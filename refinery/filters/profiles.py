"""Built-in threshold profiles: which rules judge a language, with which published thresholds.

``en``: Gopher quality + repetition (Rae et al. 2021), C4 (Raffel et al. 2020), FineWeb
(Penedo et al. 2024) — datatrove's defaults. ``zh``: FineWeb-2's cmn_Hani values
(huggingface/fineweb-2 configs/cmn_Hani.yml) over character n-grams, plus the Chinese
practitioner rules. ``default`` (any other language): the language-independent rules only, so a
language we have no tuned rules for is not judged by English ones.

Category overrides (the scoring stage's ``category`` column) switch off prose rules for text
whose shape is not prose: code has curly brackets and short lines, markdown has bullets and
``#`` headings, LaTeX has braces and symbols.
"""
from __future__ import annotations

from refinery.filters import c4, chinese, fineweb, general, gopher_quality, gopher_repetition

EN = {
    **general.DEFAULTS, "general.lang_score": 0.65,
    **gopher_quality.DEFAULTS_EN, **gopher_repetition.DEFAULTS_EN, **c4.DEFAULTS_EN, **fineweb.DEFAULTS_EN,
}

ZH = {
    **general.DEFAULTS, "general.lang_score": 0.692,
    "gopher.min_words": 50, "gopher.max_words": 100_000,
    "gopher.hash_ratio": 0.1, "gopher.ellipsis_ratio": 0.1,
    "gopher.bullet_lines": 0.9, "gopher.ellipsis_lines": 0.3,
    "gopher.alpha_words": 0.735, "gopher.stop_words": 2,
    "gopher.dup_para_frac": 0.3, "gopher.dup_para_char_frac": 0.2,
    "gopher.dup_line_frac": 0.287, "gopher.dup_line_char_frac": 0.2,
    "gopher.top_2gram_char_frac": 0.256, "gopher.top_3gram_char_frac": 0.201, "gopher.top_4gram_char_frac": 0.171,
    "gopher.dup_5gram_char_frac": 0.198, "gopher.dup_6gram_char_frac": 0.182, "gopher.dup_7gram_char_frac": 0.167,
    "gopher.dup_8gram_char_frac": 0.154, "gopher.dup_9gram_char_frac": 0.14, "gopher.dup_10gram_char_frac": 0.127,
    "fineweb.line_punct_ratio": 0.106, "fineweb.short_line_ratio": 0.67,
    "fineweb.char_dup_ratio": 0.01, "fineweb.list_ratio": 0.178,
    **chinese.DEFAULTS_ZH,
}

BUILTIN = {
    "en": {"tokens": "words", "stop_words": "en_stopwords.txt", "dirty_words": None, "thresholds": EN, "prose_view": True},
    "zh": {"tokens": "cjk_chars", "stop_words": "zh_stopwords.txt", "dirty_words": "zh_dirty_keywords.txt",
           "thresholds": ZH, "prose_view": True},
    "default": {"tokens": "words", "stop_words": None, "dirty_words": None, "thresholds": dict(general.DEFAULTS),
                "prose_view": True},
}

# Spun text (coherence.py): documentation and code paragraphs name their subject again; real
# corpus, BENCHMARKS.md "Spun text": below 0.2 are 1.5% of the handbook's pages (a long paragraph
# in Czech, Polish, Turkish ...), 2 of 1,167 PostgreSQL pages, 4 of 9,314 Python files, and 75% of
# the spun pages the scorer let through.
COHERENCE_MIN = 0.2

# Documentation (manuals, reference pages, man/POD): measured on the real corpus (BENCHMARKS.md,
# "Clean on the real corpus"), prose view: alpha-word share p5 0.69 (PostgreSQL) .. 0.76
# (handbook) against web prose's 0.8 — technical prose is dense in (), ., :, and code names;
# repeated 5-grams p95 0.17 (reference pages repeat "Name of the ..."); Chinese manuals quote
# commands and untranslated English, CJK share p25 0.18.
_DOCUMENTATION = {"gopher.bullet_lines": None, "gopher.hash_ratio": None, "c4.*": None,
                  "fineweb.*": None, "zh.avg_line_length": None, "general.symbol_ratio": None,
                  "gopher.alpha_words": 0.65, "gopher.dup_*gram_char_frac": 0.25, "zh.cjk_ratio": 0.1,
                  "coherence.term_recurrence": COHERENCE_MIN}
_PROSE = ["gopher.*", "c4.*", "fineweb.*", "zh.avg_line_length", "zh.cjk_ratio"]
CATEGORY_OVERRIDES = {
    "code": {**dict.fromkeys(_PROSE), "general.lang_score": None, "general.lang_allowed": None,
             "general.symbol_ratio": None, "general.digit_ratio": None, "coherence.term_recurrence": COHERENCE_MIN},
    "markdown_docs": _DOCUMENTATION,
    # ads_spam says what a page is for, not what shape its text has, and the domain model puts
    # documentation there too (real corpus, BENCHMARKS.md: 43 PostgreSQL, 27 POD and 4 of 8 KiCad
    # pages lost to the web-prose rules). Its pages are judged by the documentation rules: the
    # generated spam is rejected as often as before (the general, Gopher and zh rules left on
    # catch it), and the scorer's ads_spam cut (0.5) judges what is left.
    "ads_spam": _DOCUMENTATION,
    # verse: lines are short by form, a poem is a document (a jueju is 20 characters + 4 marks), a
    # short poem repeats a phrase, classical Chinese has few modern function words. Measured on the
    # Tang 300 and Song 100 of Debian's fortunes-zh (BENCHMARKS.md): 0% kept without these, 89% with.
    # Verse and quotations on the real literature part (fortunes, fortunes-zh, the Dhammapada, The
    # Devil's Dictionary; BENCHMARKS.md "Literature through clean"): a verse line ends without a
    # mark and holds no sentence (c4 sentences p5: 0 Dhammapada, 2 dictionary); attributions
    # ("-- Oscar Wilde") and names lower the alpha-word share (p5 0.70-0.80); refrains and a
    # collection's repeated attribution ("--《谚语》") repeat lines (char_dup p95 0.11-0.12);
    # punctuated classical Chinese is a sixth marks (symbol share p95 0.33); the Dhammapada's
    # verses end in one refrain ("him I call a brahmin": repeated 5-grams p95 0.20).
    "literature": {"fineweb.short_line_ratio": None, "fineweb.line_punct_ratio": None, "c4.min_sentences": None,
                   "fineweb.char_dup_ratio": 0.15, "gopher.alpha_words": 0.65, "general.symbol_ratio": 0.4,
                   "zh.min_chars": 20, "zh.avg_line_length": 5,
                   "gopher.min_words": 10, "gopher.stop_words": 1, "gopher.top_*gram_char_frac": 0.3,
                   "gopher.dup_*gram_char_frac": 0.25},
    # threads are a long post plus many one-line replies: FineWeb's short-line rule drops them all
    "forum_qa": {"fineweb.short_line_ratio": None},
    "math_latex": {**dict.fromkeys(_PROSE), "general.symbol_ratio": None, "general.digit_ratio": None,
                   "general.lang_score": None},
}
