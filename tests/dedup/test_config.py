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
