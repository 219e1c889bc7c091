"""jobs/mix.py on the bundled sample: target ratio, usage counts, annealing output, held-out split, accounting."""
import collections
import json

import numpy as np
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest

from schemas.validate import validate_stats


def _table(path):
    return ds.dataset(str(path), format="parquet").to_table()


def test_mix_hits_target_ratio_within_one_percent(sample_mix, sample_documents):
    out, stats, cfg, _ = sample_mix
    validate_stats(str(out))
    data = _table(out / "data")
    total = pc.sum(data.column("tokens")).as_py()
    assert stats["achieved_tokens"] == total and abs(total - 200_000) <= 0.01 * 200_000
    for name, target in cfg.ratios.items():
        got = pc.sum(data.filter(pc.equal(data.column("channel"), name)).column("tokens")).as_py() / total
        assert abs(got - target) <= 0.01, (name, got, target)
        assert stats["channels"][name]["achieved_ratio"] == pytest.approx(got, abs=1e-6)
    # every input document is accounted for: used, matched no channel, or not sampled
    docs = _table(sample_documents)
    is_code = np.array(['"lang": "code"' in (m or "") for m in docs.column("metadata").to_pylist()])
    other_lang = ~np.isin(np.array(docs.column("lang").to_pylist(), dtype=object), ["zh", "en"])
    assert stats["rows_in"] == docs.num_rows
    assert stats["rejected_by_reason"].get("mix.no_channel", 0) == int((other_lang & ~is_code).sum())
    assert {"channel", "order", "copy", "tokens", "text", "quality_score"} <= set(data.schema.names)


def test_order_is_dense_and_files_are_in_order(sample_mix):
    out = sample_mix[0]
    files = sorted((out / "data").glob("part-*.parquet"))
    orders = np.concatenate([_table(f).column("order").to_numpy() for f in files])
    assert np.array_equal(orders, np.arange(len(orders)))


def test_annealing_mixture_holds_only_top_quality(sample_mix, sample_documents):
    out, stats, cfg, _ = sample_mix
    anneal = _table(out / "anneal")
    cuts = stats["anneal"]["quality_cut"]
    for name in cfg.ratios:
        rows = anneal.filter(pc.equal(anneal.column("channel"), name))
        assert rows.num_rows and pc.min(rows.column("quality_score")).as_py() >= cuts[name]
    total = pc.sum(anneal.column("tokens")).as_py()
    assert abs(total - 30_000) <= 0.03 * 30_000
    for name, r in stats["anneal"]["channels"].items():
        assert abs(r["achieved_ratio"] - r["target_ratio"]) <= 0.03


def _channel_oracle(docs) -> np.ndarray:
    """The fixture's channels from the source fields (code by metadata first, then fastText's lang)."""
    is_code = np.array(['"lang": "code"' in (m or "") for m in docs.column("metadata").to_pylist()])
    lang = np.array(docs.column("lang").to_pylist(), dtype=object)
    return np.where(is_code, "code", np.where(np.isin(lang, ["zh", "en"]), lang, None))


def test_heldout_is_each_channels_lowest_draws_and_never_trained_on(sample_mix, sample_documents):
    from refinery.mix.keys import uniform

    out, stats, cfg, _ = sample_mix
    held, data, anneal = _table(out / "heldout"), _table(out / "data"), _table(out / "anneal")
    held_ids = held.column("doc_id").to_pylist()
    assert len(set(held_ids)) == len(held_ids)
    assert not set(held_ids) & set(data.column("doc_id").to_pylist())
    assert not set(held_ids) & set(anneal.column("doc_id").to_pylist())
    # oracle: sort each channel's documents by their draw, take min(25, floor(5% of the channel))
    docs = _table(sample_documents)
    channels = _channel_oracle(docs)
    ids = np.array(docs.column("doc_id").to_pylist(), dtype=object)
    draws = uniform(docs.column("doc_id"), 11, "heldout")
    want = {}
    for name in cfg.ratios:
        mine = np.flatnonzero(channels == name)
        k = min(25, int(0.05 * len(mine)))
        want[name] = {ids[i] for i in sorted(mine, key=lambda i: (draws[i], ids[i]))[:k]}
    assert {n: len(v) for n, v in want.items()} == {"code": 22, "zh": 25, "en": 25}  # code is capped by 5%
    got_channels = held.column("channel").to_pylist()
    for name, expected in want.items():
        assert {d for d, c in zip(held_ids, got_channels) if c == name} == expected, name
        assert stats["heldout"]["channels"][name]["documents"] == len(expected)
    assert stats["rejected_by_reason"]["mix.heldout"] == held.num_rows == stats["heldout"]["documents"]
    assert stats["heldout"]["tokens"] == pc.sum(held.column("tokens")).as_py()
    assert set(held.column("copy").to_pylist()) == {0} and held.column("text").null_count == 0
    orders = sorted(held.column("order").to_pylist())
    assert orders == list(range(held.num_rows))


@pytest.mark.slow
def test_usage_counts_change_selection_on_a_second_mix(spark, sample_mix, sample_documents, tmp_path):
    import refinery.spark.mix as mix_job

    out1, _, cfg, usage_dir = sample_mix
    first = _table(out1 / "data")
    usage = _table(usage_dir)
    anneal_ids = set(_table(out1 / "anneal").column("doc_id").to_pylist())
    used = dict(zip(usage.column("doc_id").to_pylist(), usage.column("uses").to_pylist()))
    first_ids = first.column("doc_id").to_pylist()
    assert all(used[d] >= 1 for d in first_ids) and set(used) == set(first_ids) | anneal_ids

    stats = mix_job.run(spark, [str(sample_documents)], str(tmp_path / "second"), cfg)  # same config and seed
    second = _table(tmp_path / "second" / "data")
    for name, r in stats["channels"].items():
        assert abs(r["achieved_ratio"] - cfg.ratios[name]) <= 0.01
    zh1 = set(first.filter(pc.equal(first.column("channel"), "zh")).column("doc_id").to_pylist())
    zh2 = set(second.filter(pc.equal(second.column("channel"), "zh")).column("doc_id").to_pylist())
    # without usage counts the same seed picks the same documents; with them (decay 0.1) the second
    # mix takes unused zh documents first (zh rate ~0.55: ~45% of its tokens are unused)
    assert len(zh1 & zh2) < 0.5 * len(zh2)
    # the held-out draw ignores usage: the second mix sets aside the same documents
    assert sorted(_table(tmp_path / "second" / "heldout").column("doc_id").to_pylist()) == \
        sorted(_table(out1 / "heldout").column("doc_id").to_pylist())
    usage2 = _table(usage_dir)
    uses2 = dict(zip(usage2.column("doc_id").to_pylist(), usage2.column("uses").to_pylist()))
    # a document can be drawn more than once in one mix (upsampling): its count grows by the
    # number of times the second mix used it, in the data and the anneal set
    drawn2 = collections.Counter(second.column("doc_id").to_pylist()
                                 + _table(tmp_path / "second" / "anneal").column("doc_id").to_pylist())
    for again in sorted(zh1 & zh2):
        assert uses2[again] == used[again] + drawn2[again], again
