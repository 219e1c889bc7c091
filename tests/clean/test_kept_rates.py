"""Kept rate per (category, language) and the loss warnings (refinery.report.kept_rates), checked
against a per-document count of generated outcomes (the oracle: collections.Counter over rows)."""
import collections
import random

import pytest

from refinery.report.kept_rates import format_kept_rates, kept_rates, loss_warnings


def generated_outcomes(seed=7, n=2000):
    """Per document (category, lang, kept); markdown_docs/zh keeps ~20%, so markdown_docs as a whole
    keeps ~44%, below half; code keeps ~95%, literature 60%."""
    rng = random.Random(seed)
    keep_p = {("code", "en"): 0.95, ("code", None): 0.95, ("markdown_docs", "en"): 0.6,
              ("markdown_docs", "zh"): 0.2, ("literature", "zh"): 0.6}
    pairs = list(keep_p)
    docs = []
    for _ in range(n):
        cat, lang = rng.choice(pairs)
        docs.append((cat, lang, rng.random() < keep_p[(cat, lang)]))
    return docs


def grouped(docs, chunks=3):
    """The count rows a Spark group-by gives, split into several rows per pair (partial sums add)."""
    rows = []
    for part in range(chunks):
        c = collections.Counter((cat, lang) for i, (cat, lang, _) in enumerate(docs) if i % chunks == part)
        k = collections.Counter((cat, lang) for i, (cat, lang, kept) in enumerate(docs) if i % chunks == part and kept)
        rows += [{"category": cat, "lang": lang, "rows_in": v, "rows_kept": k[(cat, lang)]} for (cat, lang), v in c.items()]
    return rows


def test_rates_per_pair_and_category_match_a_per_document_count():
    docs = generated_outcomes()
    table = kept_rates(grouped(docs))
    for (cat, lang), n_in in collections.Counter((c, l) for c, l, _ in docs).items():
        n_kept = sum(1 for c, l, k in docs if (c, l) == (cat, lang) and k)
        e = table["by_category_lang"][f"{cat}/{lang or 'unknown'}"]
        assert (e["rows_in"], e["rows_kept"], e["rows_lost"]) == (n_in, n_kept, n_in - n_kept)
        assert e["kept_rate"] == pytest.approx(n_kept / n_in, abs=5e-5)
        assert table["by_category"][cat]["by_lang"][lang or "unknown"]["rows_kept"] == n_kept
    for cat in {c for c, _, _ in docs}:
        mine = [k for c, _, k in docs if c == cat]
        e = table["by_category"][cat]
        assert (e["rows_in"], e["rows_kept"]) == (len(mine), sum(mine))
    assert sum(e["rows_in"] for e in table["by_category_lang"].values()) == len(docs)


def test_a_warning_line_for_each_category_that_lost_more_than_half():
    docs = generated_outcomes()
    table = kept_rates(grouped(docs))
    lost = {c: 1 - sum(k for cc, _, k in docs if cc == c) / sum(1 for cc, _, _ in docs if cc == c) for c, _, _ in docs}
    expected = sorted(c for c, share in lost.items() if share > 0.5)
    assert expected == ["markdown_docs"]  # the generator's design: 0.6 and 0.2 average below half
    lines = loss_warnings(table, "clean")
    assert len(lines) == 1 and "\n" not in lines[0]
    line = lines[0]
    assert line.startswith("[clean] WARNING: category markdown_docs lost ")
    assert f"{lost['markdown_docs']:.1%}" in line
    assert line.index("zh kept") < line.index("en kept")  # the worst language first
    # a stricter bound warns for literature (40% lost) as well, never for code
    stricter = loss_warnings(table, "score", max_loss=0.3)
    assert [l.split()[3] for l in stricter] == ["literature", "markdown_docs"]
    assert all(l.startswith("[score] ") for l in stricter)


def test_exactly_half_lost_does_not_warn_and_bad_counts_are_errors():
    table = kept_rates([{"category": "code", "lang": "en", "rows_in": 10, "rows_kept": 5},
                        {"category": "other", "lang": "en", "rows_in": 0, "rows_kept": 0}])
    assert loss_warnings(table, "clean") == [] and "other" not in table["by_category"]
    assert kept_rates([{"category": "code", "lang": "en", "rows_in": 10, "rows_kept": 4}])["by_category"]["code"]["kept_rate"] == 0.4
    with pytest.raises(ValueError, match="rows_kept 11 outside"):
        kept_rates([{"category": "code", "lang": "en", "rows_in": 10, "rows_kept": 11}])
    with pytest.raises(ValueError, match="max_loss"):
        loss_warnings(table, "clean", max_loss=1.5)
    shown = format_kept_rates(table)
    assert "code/en" in shown[1] and "(50.0%)" in shown[1]
