"""The dedup config is checked before any Spark work: unknown category keys stop the job."""
from jobs import dedup as dedup_job


def test_unknown_category_threshold_key_exits_2_naming_it(tmp_path, capsys):
    cfg = tmp_path / "dedup.yaml"
    cfg.write_text("lsh:\n  category_thresholds: {news: 0.7, knowledge: 0.85}\n")
    rc = dedup_job.main(["--input", str(tmp_path), "--output", str(tmp_path / "out"), "--config", str(cfg)])
    err = capsys.readouterr().err
    assert rc == 2 and "category_thresholds.knowledge" in err and "unknown category" in err
    assert len(err.strip().splitlines()) == 1


def test_known_category_and_shingle_mode_load(tmp_path):
    from refinery.config import load_config
    from refinery.dedup.config import DedupConfig

    cfg = load_config(None, DedupConfig, {"lsh": {"category_thresholds": {"encyclopedia": 0.85}},
                                          "shingles": {"mode": "word"}})
    assert cfg.shingles.spec().mode == "word" and "encyclopedia" in cfg.lsh.groups(128)


def test_unknown_category_shingles_key_exits_2_naming_it(tmp_path, capsys):
    rc = dedup_job.main(["--input", str(tmp_path), "--output", str(tmp_path / "out"),
                         "--set", "shingles.category.code.mode=word", "shingles.category.knowledge.mode=word"])
    err = capsys.readouterr().err
    assert rc == 2 and "shingles.category.knowledge" in err and "unknown category" in err
    assert len(err.strip().splitlines()) == 1


def test_a_category_with_only_shingle_settings_is_its_own_lsh_group():
    from refinery.config import load_config, parse_overrides
    from refinery.dedup.config import DEFAULT_GROUP, DedupConfig

    cfg = load_config(None, DedupConfig, parse_overrides(["shingles.category.code.mode=word", "shingles.char_ngram=5",
                                                          "lsh.category_thresholds.news=0.7", "lsh.threshold=0.85"]))
    groups = cfg.lsh_groups()
    assert set(groups) == {"code", "news", DEFAULT_GROUP}
    assert groups["code"] == groups[DEFAULT_GROUP] and groups["code"].threshold == 0.85  # the default threshold
    specs = cfg.group_specs()
    assert (specs["code"].mode, specs["code"].char_ngram, specs["code"].word_ngram) == ("word", 5, 5)  # the rest global
    assert specs["news"] == specs[DEFAULT_GROUP] and specs[DEFAULT_GROUP].mode == "char"


def test_signature_params_of_the_default_config_are_what_earlier_versions_saved():
    """A signatures/_params.json written before per-category shingles existed (this literal,
    from the s21 code) must still be accepted by a default config."""
    import json

    from refinery.dedup.config import DedupConfig
    from refinery.spark.dedup import signature_params

    saved = ('{"char_ngram": 7, "cjk_ratio": 0.3, "exact_key": "sha256-v1", "hash_family": "one-permutation-densified-v1", '
             '"mode": "char", "num_perm": 128, "seed": 1, "version": 2, "word_ngram": 5}')
    assert signature_params(DedupConfig()) == json.loads(saved)
    from refinery.config import load_config

    own = signature_params(load_config(None, DedupConfig, {"shingles": {"category": {"code": {"mode": "word"}}}}))
    assert own != json.loads(saved) and own["category_shingles"]["code"]["mode"] == "word"
