"""The score operator without Spark: columns, per-category decisions, cascade, buckets."""
import numpy as np
import pyarrow as pa
import pytest

from refinery.config import ConfigError, load_config
from refinery.scoring.bert_scorer import length_buckets
from refinery.scoring.config import ScoreConfig
from refinery.scoring.operator import REASON, QualityScorer, ScoreOperator, Thresholds, resolve_thresholds
from schemas import SCORED_OUTCOME
from tests.scoring.corpus import documents


def doc_batch(rows):
    n = len(rows)
    return pa.RecordBatch.from_pydict({
        "doc_id": [f"d{i}" for i in range(n)], "source": ["t"] * n, "url": [r["url"] for r in rows],
        "source_file": ["f"] * n, "offset": list(range(n)), "text": [r["text"] for r in rows], "char_count": [len(r["text"]) for r in rows],
    })


def test_length_buckets_cover_every_row_once_within_budget():
    lengths = np.array([5, 300, 17, 64, 64, 2, 256, 9] * 20)
    groups = length_buckets(lengths, batch_size=16, max_batch_tokens=1024)
    flat = np.concatenate(groups)
    assert sorted(flat.tolist()) == list(range(len(lengths)))
    for g in groups:
        assert len(g) <= 16 and len(g) * lengths[g].max() <= max(1024, lengths[g].max())
    assert all(lengths[a].max() <= lengths[b].min() for a, b in zip(groups, groups[1:]))  # ascending


def test_operator_rejects_below_the_category_threshold(score_config):
    cfg = score_config()
    rows = documents(30, seed=11)
    per = {c: 0.5 for c in resolve_thresholds(cfg).per_category}
    per["code"] = 0.0  # code is never rejected, whatever its score
    op = ScoreOperator(cfg, Thresholds(per, 0.5))
    out = op(doc_batch(rows))
    assert out.schema == SCORED_OUTCOME and out.num_rows == 30
    d = out.to_pydict()
    for i in range(30):
        t = per.get(d["category"][i], 0.5)
        if d["quality_score"][i] < t:
            assert d["reason"][i] == REASON and d["stage"][i] == "score"
            assert d["value"][i] == pytest.approx(d["quality_score"][i]) and d["threshold"][i] == t
            assert d["detail"][i] == f"category={d['category'][i]}"
        else:
            assert d["reason"][i] is None and d["value"][i] is None
    cats = d["category"]
    assert not any(d["reason"][i] for i in range(30) if cats[i] == "code")
    assert any(d["reason"][i] for i in range(30) if cats[i] == "ads_spam")  # spam scores low


def test_cascade_sends_only_undecided_documents_to_bert(score_config):
    rows = documents(30, seed=12)
    texts = pa.array([r["text"] for r in rows])
    ft_only = QualityScorer(score_config(cascade={"mode": "fasttext"})).score(texts)
    bert_all = QualityScorer(score_config(cascade={"mode": "bert"})).score(texts)
    cascade = QualityScorer(score_config(cascade={"mode": "cascade", "fasttext_low": 0.2, "fasttext_high": 0.8})).score(texts)
    ft = ft_only["fasttext_quality"].to_numpy()
    np.testing.assert_array_equal(ft_only["quality_score"].to_numpy(), ft)
    undecided = (ft > 0.2) & (ft < 0.8)
    q = cascade["quality_score"].to_numpy()
    np.testing.assert_allclose(q[undecided], bert_all["quality_score"].to_numpy()[undecided], atol=1e-6)
    np.testing.assert_array_equal(q[~undecided], ft[~undecided])


def test_thresholds_come_from_config_then_model_metadata(score_config, tiny_models):
    meta = tiny_models[2]
    t = resolve_thresholds(score_config(thresholds={"code": 0.05}))
    assert t.per_category["code"] == 0.05
    assert t.per_category["news"] == pytest.approx(meta["thresholds"]["news"])
    assert t.per_category["literature"] == pytest.approx(meta["global_threshold"])  # no suggestion: the default
    assert t.global_threshold == pytest.approx(meta["global_threshold"])


def test_config_errors_name_the_key():
    with pytest.raises(ConfigError, match="thresholds.poetry"):
        load_config(None, ScoreConfig, {"thresholds": {"poetry": 0.3}})
    with pytest.raises(ConfigError, match="cascade.fasttext_low"):
        load_config(None, ScoreConfig, {"cascade": {"fasttext_low": 0.9, "fasttext_high": 0.1}})
    with pytest.raises(ConfigError, match="bert.max_length"):
        load_config(None, ScoreConfig, {"bert": {"max_length": 10000}})


def test_the_models_code_without_code_lines_takes_the_documentation_threshold(real_slice):
    """Oracle: the source. PostgreSQL's reference pages are documentation; the shipped domain model
    calls some of them (catalog tables, function lists: no code line) code, where the code cut
    dropped most. They take ``code_fallback_category``; real Python files stay code."""
    import pyarrow.compute as pc

    pages = real_slice.filter(pc.equal(real_slice.column("source"), "postgresql-doc-15")).column("text").combine_chunks()
    py = real_slice.filter(pc.starts_with(real_slice.column("source"), "python:")).column("text").combine_chunks()[:150]
    texts = pa.concat_arrays([pages, py])
    trusting = QualityScorer(load_config(None, ScoreConfig, {"cascade": {"mode": "fasttext"}, "code_min_code_lines": 0}))
    routed = QualityScorer(load_config(None, ScoreConfig, {"cascade": {"mode": "fasttext"}}))
    model_says = np.asarray(trusting.score(texts)["category"].to_pylist(), dtype=object)
    ours = np.asarray(routed.score(texts)["category"].to_pylist(), dtype=object)
    from refinery.filters.structure import code_line_share

    share = code_line_share(texts)
    demoted = (model_says == "code") & (share < 0.05)
    # of the slice's 200 pages the s21 model called 10+ code, the s25 model (trained on more PostgreSQL) 2
    assert demoted[:len(pages)].sum() >= 1, demoted[:len(pages)].sum()
    assert (ours[demoted] == "markdown_docs").all() and (ours[~demoted] == model_says[~demoted]).all()
    assert np.mean(ours[len(pages):] == "code") >= 0.95
    with pytest.raises(ConfigError, match="code_fallback_category"):
        load_config(None, ScoreConfig, {"code_fallback_category": "manuals"})
