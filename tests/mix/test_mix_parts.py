"""Mix operators without Spark: config, channel assignment, plan, weighted keys, ordering."""
import json

import numpy as np
import pyarrow as pa
import pytest

from refinery.config import ConfigError, load_config, parse_overrides
from refinery.mix.channels import assign_channels
from refinery.mix.config import ChannelSpec, MixConfig, Order
from refinery.mix.keys import sampling_keys, similarity_keys, uniform
from refinery.mix.order import order_keys
from refinery.mix.plan import plan_channels

CHANNELS = [ChannelSpec("code", 2, metadata={"meta.lang": ["code"]}), ChannelSpec("zh", 4, lang=["zh"]),
            ChannelSpec("en", 4, lang=["en"], source=["web", "jsonl"])]


def test_config_errors_name_the_key(tmp_path):
    with pytest.raises(ConfigError, match="total_tokens"):
        load_config(None, MixConfig, {"channels": [{"name": "a", "ratio": 1}]})
    with pytest.raises(ConfigError, match=r"channels\[0\].ratio"):
        load_config(None, MixConfig, {"total_tokens": 5, "channels": [{"name": "a", "ratio": -1}]})
    with pytest.raises(ConfigError, match="tokens.tokenizer"):
        load_config(None, MixConfig, {"total_tokens": 5, "channels": [{"name": "a", "ratio": 1}],
                                      "tokens": {"method": "exact", "tokenizer": str(tmp_path)}})
    with pytest.raises(ConfigError, match="order.method"):
        load_config(None, MixConfig, parse_overrides(["total_tokens=5", "order.method=alphabetical"])
                    | {"channels": [{"name": "a", "ratio": 1}]})
    cfg = load_config(None, MixConfig, {"total_tokens": 10, "channels": [{"name": "zh", "ratio": 4}, {"name": "en", "ratio": 4},
                                                                         {"name": "code", "ratio": 2}]})
    assert cfg.ratios == {"zh": 0.4, "en": 0.4, "code": 0.2}
    assert (cfg.heldout.docs_per_channel, cfg.heldout.max_fraction) == (1000, 0.01)  # on by default
    with pytest.raises(ConfigError, match=r"^heldout\.max_fraction: must be in \(0, 1\)"):
        load_config(None, MixConfig, {"total_tokens": 5, "channels": [{"name": "a", "ratio": 1}],
                                      "heldout": {"max_fraction": 1.0}})


def test_heldout_sizes_are_capped_by_the_fraction_and_name_an_empty_channel():
    from refinery.mix.config import Heldout
    from refinery.mix.heldout import candidate_bound, heldout_sizes

    sizes, warnings = heldout_sizes({"a": 100_000, "b": 50, "c": 19}, Heldout(docs_per_channel=100, max_fraction=0.05))
    assert sizes == {"a": 100, "b": 2, "c": 0}  # 5% of 50 is 2.5, of 19 is 0.95
    assert len(warnings) == 1 and "'c' has 19 documents" in warnings[0]
    assert heldout_sizes({"a": 10}, Heldout(docs_per_channel=0))[0] == {"a": 0}
    assert candidate_bound(100, 100_000) == pytest.approx(464 / 100_000) and candidate_bound(2, 50) == 1.0


def test_first_matching_channel_wins():
    batch = pa.RecordBatch.from_pylist([
        {"lang": "en", "source": "jsonl", "metadata": json.dumps({"meta": {"lang": "code"}})},
        {"lang": "en", "source": "jsonl", "metadata": None},
        {"lang": "zh", "source": "warc", "metadata": "not json"},
        {"lang": "en", "source": "warc", "metadata": None},
        {"lang": None, "source": "jsonl", "metadata": None},
    ])
    assert assign_channels(batch, CHANNELS).to_pylist() == ["code", "en", "zh", None, None]
    # a filter on a column the data lacks (no score stage yet) matches nothing
    assert assign_channels(batch, [ChannelSpec("c", 1, category=["code"])]).to_pylist() == [None] * 5


def test_plan_repeats_and_budget_shrink():
    plans, budget, warnings = plan_channels({"zh": 0.4, "en": 0.4, "code": 0.2},
                                            {"zh": (1000, 10), "en": (500, 5), "code": (100, 2)}, 1000, 4)
    by = {p.channel: p for p in plans}
    assert budget == 1000 and not warnings
    assert (by["zh"].full_passes, by["zh"].remainder_tokens) == (0, 400)
    assert by["code"].full_passes == 2 and by["code"].remainder_tokens == 0
    # en needs 4000 of 500 tokens: 8 repeats > cap 4, so the whole budget shrinks to keep the ratios
    plans, budget, warnings = plan_channels({"zh": 0.4, "en": 0.4, "code": 0.2},
                                            {"zh": (10_000, 10), "en": (500, 5), "code": (10_000, 2)}, 10_000, 4)
    assert budget == 5000 and warnings and "en" in warnings[0]
    assert {p.channel: p.target_tokens for p in plans} == {"zh": 2000, "en": 2000, "code": 1000}
    with pytest.raises(ValueError, match="matched no documents"):
        plan_channels({"zh": 1.0}, {}, 10, 4)


def test_weighted_keys_prefer_unused_documents():
    ids = pa.array([f"doc-{i}" for i in range(20000)])
    assert np.array_equal(uniform(ids, 1), uniform(ids, 1)) and not np.array_equal(uniform(ids, 1), uniform(ids, 2))
    uses = np.repeat([0, 2], 10000)
    keys = sampling_keys(ids, 0.5 ** uses, seed=3)
    first = np.argsort(keys)[:5000]
    # weights 1 vs 0.25: of a sample, about 4/5 comes from the unused half (not 1/2)
    assert 0.75 < (uses[first] == 0).mean() < 0.9


def test_similarity_keys_group_related_documents():
    topics = {
        "astro": "galaxy telescope nebula stellar orbit planet cosmic radiation spectrum comet",
        "cook": "recipe flour butter oven baking sugar dough pastry kitchen simmer",
        "zh": "量子计算机利用量子比特进行并行计算研究人员正在开发新的纠错方法",
    }
    rng = np.random.default_rng(0)
    texts, labels = [], []
    for label, words in topics.items():
        vocab = words.split() if label != "zh" else [words[i:i + 2] for i in range(0, len(words), 2)]
        for _ in range(200):
            picked = rng.choice(vocab, size=len(vocab) - 2, replace=False)
            texts.append((" " if label != "zh" else "").join(picked))
            labels.append(label)
    keys = similarity_keys(pa.array(texts), 0, np.zeros(len(texts), np.uint64))
    order = np.argsort(keys, kind="stable")
    same_neighbour = np.mean([labels[a] == labels[b] for a, b in zip(order[:-1], order[1:])])
    assert same_neighbour > 0.9  # random order would give ~1/3
    other = similarity_keys(pa.array(texts), 1, np.zeros(len(texts), np.uint64))
    assert not np.array_equal(keys, other)  # another permutation for a document's next copy


def test_quality_curriculum_and_random_order():
    n = 1000
    rng = np.random.default_rng(1)
    q = rng.random(n)
    batch = pa.RecordBatch.from_pydict({"doc_id": [f"d{i}" for i in range(n)], "copy": [0] * n,
                                        "quality_score": q, "text": ["x"] * n})
    splits = np.quantile(q, np.linspace(0, 1, 11)[1:-1])
    keys = order_keys(batch, Order(method="quality", quality_bins=10), splits)
    ranked = q[np.argsort(keys)]
    assert ranked[:100].max() <= splits[0] + 1e-12 and ranked[-100:].min() >= splits[-1] - 1e-12
    rand = order_keys(batch, Order(method="random", seed=1))
    assert abs(np.corrcoef(rand, q)[0, 1]) < 0.1
